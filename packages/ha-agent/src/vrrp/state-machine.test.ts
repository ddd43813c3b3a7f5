// The RFC 9568 §6.4 transition table (plus keepalived's FAULT and answers), one row per test, driven by
// a fake clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type StateMachineOptions,
  type VrrpAction,
  type VrrpEvent,
  VrrpStateMachine,
} from './state-machine.ts';
import { masterDownIntervalMs, skewTimeMs } from './timers.ts';

const base: StateMachineOptions = {
  version: 3,
  priority: 100,
  advertIntervalMs: 1000,
  preempt: true,
  preemptDelayMs: 0,
  primaryAddress: '10.0.0.2',
};

class FakeClock {
  now = 1_000_000;
  advance(ms: number) {
    this.now += ms;
  }
}

/** Puts a machine into `state` through legal events. */
function machineIn(state: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT', opts: Partial<StateMachineOptions> = {}) {
  const clock = new FakeClock();
  const m = new VrrpStateMachine({ ...base, ...opts });
  if (state !== 'INIT') m.handle({ type: 'startup' }, clock.now);
  if (state === 'MASTER' && m.state !== 'MASTER') m.handle({ type: 'timer', timer: 'masterDown' }, clock.now);
  if (state === 'FAULT') m.handle({ type: 'fault', reason: 'test' }, clock.now);
  assert.equal(m.state, state);
  return { m, clock };
}

const kinds = (actions: VrrpAction[]) => actions.map((a) => ('timer' in a ? `${a.type}:${a.timer}` : a.type));

interface Row {
  name: string;
  from: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
  opts?: Partial<StateMachineOptions>;
  event: VrrpEvent;
  to: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
  actions: string[];
  check?: (actions: VrrpAction[], m: VrrpStateMachine) => void;
}

const adv = (priority: number, src = '10.0.0.1', advertIntervalMs = 1000): VrrpEvent => ({
  type: 'advert',
  priority,
  src,
  advertIntervalMs,
});

const timerOf = (actions: VrrpAction[], t: string) =>
  actions.find((a) => a.type === 'startTimer' && a.timer === t) as { delayMs: number } | undefined;

const table: Row[] = [
  {
    name: 'Initialize + Startup, priority 255 → Master, advert, VIPs, GARP, Adver_Timer',
    from: 'INIT',
    opts: { priority: 255 },
    event: { type: 'startup' },
    to: 'MASTER',
    actions: ['stopTimer:masterDown', 'sendAdvert', 'addVips', 'startGarp', 'startTimer:adver', 'transition'],
  },
  {
    name: 'Initialize + Startup, priority < 255 → Backup with Master_Down_Timer',
    from: 'INIT',
    event: { type: 'startup' },
    to: 'BACKUP',
    actions: ['transition', 'startTimer:masterDown'],
    check: (a) => assert.equal(timerOf(a, 'masterDown')?.delayMs, 3000 + (156 * 1000) / 256),
  },
  {
    name: 'Backup + Shutdown → Initialize',
    from: 'BACKUP',
    event: { type: 'shutdown' },
    to: 'INIT',
    actions: ['stopTimer:masterDown', 'transition'],
  },
  {
    name: 'Backup + Master_Down_Timer → Master',
    from: 'BACKUP',
    event: { type: 'timer', timer: 'masterDown' },
    to: 'MASTER',
    actions: ['stopTimer:masterDown', 'sendAdvert', 'addVips', 'startGarp', 'startTimer:adver', 'transition'],
  },
  {
    name: 'Backup + advert priority 0 → Master_Down_Timer = Skew_Time',
    from: 'BACKUP',
    event: adv(0),
    to: 'BACKUP',
    actions: ['startTimer:masterDown'],
    check: (a) => assert.equal(timerOf(a, 'masterDown')?.delayMs, 609.375),
  },
  {
    name: 'Backup + higher-priority advert → reset Master_Down_Timer, learn its interval (v3)',
    from: 'BACKUP',
    event: adv(200, '10.0.0.1', 500),
    to: 'BACKUP',
    actions: ['startTimer:masterDown'],
    check: (a, m) => {
      assert.equal(m.masterAdverIntervalMs, 500);
      assert.equal(timerOf(a, 'masterDown')?.delayMs, 1500 + (156 * 500) / 256);
    },
  },
  {
    name: 'Backup + equal-priority advert → reset Master_Down_Timer',
    from: 'BACKUP',
    event: adv(100, '10.0.0.1'),
    to: 'BACKUP',
    actions: ['startTimer:masterDown'],
  },
  {
    name: 'Backup + lower-priority advert, preempt → discard (let the timer run out)',
    from: 'BACKUP',
    event: adv(50),
    to: 'BACKUP',
    actions: [],
  },
  {
    name: 'Backup + lower-priority advert, nopreempt → reset Master_Down_Timer',
    from: 'BACKUP',
    opts: { preempt: false },
    event: adv(50),
    to: 'BACKUP',
    actions: ['startTimer:masterDown'],
  },
  {
    name: 'Master + Shutdown → priority 0 advert, VIPs removed, Initialize',
    from: 'MASTER',
    event: { type: 'shutdown' },
    to: 'INIT',
    actions: ['stopTimer:adver', 'sendAdvert', 'stopGarp', 'removeVips', 'transition'],
    check: (a) => assert.deepEqual(a[1], { type: 'sendAdvert', priority: 0 }),
  },
  {
    name: 'Master + Adver_Timer → advert, restart timer',
    from: 'MASTER',
    event: { type: 'timer', timer: 'adver' },
    to: 'MASTER',
    actions: ['sendAdvert', 'startTimer:adver'],
  },
  {
    name: 'Master + advert priority 0 → advert at once, restart Adver_Timer',
    from: 'MASTER',
    event: adv(0),
    to: 'MASTER',
    actions: ['sendAdvert', 'startTimer:adver'],
  },
  {
    name: 'Master + higher-priority advert → Backup',
    from: 'MASTER',
    event: adv(101, '10.0.0.1'),
    to: 'BACKUP',
    actions: ['stopTimer:adver', 'stopGarp', 'removeVips', 'startTimer:masterDown', 'transition'],
  },
  {
    name: 'Master + equal priority from a higher address → Backup',
    from: 'MASTER',
    event: adv(100, '10.0.0.3'),
    to: 'BACKUP',
    actions: ['stopTimer:adver', 'stopGarp', 'removeVips', 'startTimer:masterDown', 'transition'],
  },
  {
    name: 'Master + equal priority from a lower address → stay, answer',
    from: 'MASTER',
    event: adv(100, '10.0.0.1'),
    to: 'MASTER',
    actions: ['sendAdvert', 'startTimer:adver'],
  },
  {
    name: 'Master + lower-priority advert → stay, answer at once (keepalived)',
    from: 'MASTER',
    event: adv(20),
    to: 'MASTER',
    actions: ['sendAdvert', 'startTimer:adver'],
  },
  {
    name: 'Master + fault → priority 0 advert, VIPs removed, Fault',
    from: 'MASTER',
    event: { type: 'fault', reason: 'tracker' },
    to: 'FAULT',
    actions: ['stopTimer:adver', 'sendAdvert', 'stopGarp', 'removeVips', 'transition'],
    check: (a) => assert.deepEqual(a[1], { type: 'sendAdvert', priority: 0 }),
  },
  {
    name: 'Backup + fault → Fault',
    from: 'BACKUP',
    event: { type: 'fault', reason: 'tracker' },
    to: 'FAULT',
    actions: ['stopTimer:masterDown', 'transition'],
  },
  {
    name: 'Fault ignores adverts',
    from: 'FAULT',
    event: adv(200),
    to: 'FAULT',
    actions: [],
  },
  {
    name: 'Fault + fault cleared → Backup',
    from: 'FAULT',
    event: { type: 'faultCleared', reason: 'tracker up' },
    to: 'BACKUP',
    actions: ['transition', 'startTimer:masterDown'],
  },
  {
    name: 'Fault + fault cleared, owner → Master',
    from: 'FAULT',
    opts: { priority: 255 },
    event: { type: 'faultCleared', reason: 'tracker up' },
    to: 'MASTER',
    actions: ['stopTimer:masterDown', 'sendAdvert', 'addVips', 'startGarp', 'startTimer:adver', 'transition'],
  },
  {
    name: 'Backup + sync sibling became master → Master',
    from: 'BACKUP',
    event: { type: 'syncMaster', reason: 'sync group' },
    to: 'MASTER',
    actions: ['stopTimer:masterDown', 'sendAdvert', 'addVips', 'startGarp', 'startTimer:adver', 'transition'],
  },
];

describe('VRRP state machine: transition table', () => {
  for (const row of table) {
    it(row.name, () => {
      const { m, clock } = machineIn(row.from, row.opts);
      const actions = m.handle(row.event, clock.now);
      assert.equal(m.state, row.to);
      assert.deepEqual(kinds(actions), row.actions);
      row.check?.(actions, m);
    });
  }
});

describe('VRRP state machine: timers and preemption', () => {
  it('Skew_Time and Master_Down_Interval keep sub-millisecond precision', () => {
    assert.equal(skewTimeMs(3, 100, 1000), 609.375);
    assert.equal(skewTimeMs(3, 254, 100), 0.78125);
    assert.equal(skewTimeMs(2, 150, 1000), 414.0625);
    assert.equal(masterDownIntervalMs(2, 150, 1000), 3414.0625);
    assert.equal(masterDownIntervalMs(3, 1, 10), 30 + 2550 / 256);
  });

  it('preempt_delay: a lower-priority master is tolerated until the delay has passed', () => {
    const { m, clock } = machineIn('BACKUP', { preemptDelayMs: 5000 });
    assert.deepEqual(kinds(m.handle(adv(50), clock.now)), ['startTimer:masterDown']);
    clock.advance(4000);
    assert.deepEqual(kinds(m.handle(adv(50), clock.now)), ['startTimer:masterDown']);
    clock.advance(1001);
    assert.deepEqual(kinds(m.handle(adv(50), clock.now)), []);
    const actions = m.handle({ type: 'timer', timer: 'masterDown' }, clock.now + m.masterDownIntervalMs());
    assert.equal(m.state, 'MASTER');
    assert.ok(actions.some((a) => a.type === 'addVips'));
  });

  it('a lowered effective priority is sent in the next advert', () => {
    const { m, clock } = machineIn('MASTER');
    m.handle({ type: 'setPriority', priority: 60 }, clock.now);
    const actions = m.handle({ type: 'timer', timer: 'adver' }, clock.now + 1000);
    assert.deepEqual(actions[0], { type: 'sendAdvert', priority: 60 });
  });

  it('v2 keeps its own interval (never learns the master’s)', () => {
    const { m, clock } = machineIn('BACKUP', { version: 2 });
    m.handle(adv(200, '10.0.0.1', 3000), clock.now);
    assert.equal(m.masterAdverIntervalMs, 1000);
  });

  it('two backups of equal priority: both time out, the lower address yields to the higher', () => {
    const a = machineIn('MASTER', { primaryAddress: '10.0.0.1' }).m;
    const b = machineIn('MASTER', { primaryAddress: '10.0.0.2' }).m;
    a.handle(adv(100, '10.0.0.2'), 0);
    b.handle(adv(100, '10.0.0.1'), 0);
    assert.equal(a.state, 'BACKUP');
    assert.equal(b.state, 'MASTER');
  });

  it('stale timers are ignored', () => {
    const { m, clock } = machineIn('BACKUP');
    assert.deepEqual(m.handle({ type: 'timer', timer: 'adver' }, clock.now), []);
    const f = machineIn('FAULT');
    assert.deepEqual(f.m.handle({ type: 'timer', timer: 'masterDown' }, f.clock.now), []);
  });
});
