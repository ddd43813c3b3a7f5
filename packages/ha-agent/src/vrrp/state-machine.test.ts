// The RFC 9568 §6.4 transition table (plus keepalived's FAULT and answers), one row per test, driven by
// a fake clock. Rows assert what the instance will do — adverts sent, the timers' final settings, the
// VIPs, the GARPs, the transition — not the order the actions are listed in, which carries no meaning.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type StateMachineOptions,
  type TimerName,
  type VrrpAction,
  type VrrpEvent,
  type VrrpState,
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

const fault = (reason: string): VrrpEvent => ({ type: 'tracking', priority: 100, fault: reason });
const healthy = (priority = 100): VrrpEvent => ({ type: 'tracking', priority, fault: null });

/** Puts a machine into `state` through legal events. */
function machineIn(state: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT', opts: Partial<StateMachineOptions> = {}) {
  const clock = new FakeClock();
  const m = new VrrpStateMachine({ ...base, ...opts });
  if (state !== 'INIT') m.handle({ type: 'startup' }, clock.now);
  if (state === 'MASTER' && m.state !== 'MASTER') m.handle({ type: 'timer', timer: 'masterDown' }, clock.now);
  if (state === 'FAULT')
    m.handle({ type: 'tracking', priority: opts.priority ?? 100, fault: 'test' }, clock.now);
  assert.equal(m.state, state);
  return { m, clock };
}

/** What a list of actions makes the instance do, order aside. */
interface Behaviour {
  /** priorities of the adverts sent */
  adverts: number[];
  /** each timer touched: its new delay (ms), or 'stopped' */
  timers: Partial<Record<TimerName, number | 'stopped'>>;
  vips: 'add' | 'remove' | null;
  garp: Array<'start' | 'stop' | 'lowerPriority'>;
  /** the new state, when the actions include a transition */
  to: VrrpState | null;
}

function behaviour(actions: VrrpAction[]): Behaviour {
  const b: Behaviour = { adverts: [], timers: {}, vips: null, garp: [], to: null };
  for (const a of actions) {
    switch (a.type) {
      case 'sendAdvert':
        b.adverts.push(a.priority);
        break;
      case 'startTimer':
        b.timers[a.timer] = a.delayMs;
        break;
      case 'stopTimer':
        // stopping one timer and starting it again is just starting it
        if (b.timers[a.timer] === undefined) b.timers[a.timer] = 'stopped';
        break;
      case 'addVips':
        b.vips = 'add';
        break;
      case 'removeVips':
        b.vips = 'remove';
        break;
      case 'startGarp':
        b.garp.push('start');
        break;
      case 'stopGarp':
        b.garp.push('stop');
        break;
      case 'lowerPriorityGarp':
        b.garp.push('lowerPriority');
        break;
      case 'transition':
        b.to = a.to;
        break;
    }
  }
  b.garp.sort();
  return b;
}

const does = (over: Partial<Behaviour>): Behaviour => ({
  adverts: [],
  timers: {},
  vips: null,
  garp: [],
  to: null,
  ...over,
});

const DOWN_100 = 3000 + (156 * 1000) / 256; // Master_Down_Interval at priority 100, 1 s adverts
const SKEW_100 = (156 * 1000) / 256;
/** becoming MASTER at priority P: advert, VIPs, GARP, Adver_Timer, Master_Down_Timer off */
const becomesMaster = (priority: number) =>
  does({
    adverts: [priority],
    timers: { masterDown: 'stopped', adver: 1000 },
    vips: 'add',
    garp: ['start'],
    to: 'MASTER',
  });
/** a MASTER resigning (shutdown, FAULT): priority 0, VIPs and GARPs gone, Adver_Timer off */
const resigns = (to: VrrpState) =>
  does({ adverts: [0], timers: { adver: 'stopped' }, vips: 'remove', garp: ['stop'], to });

interface Row {
  name: string;
  from: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
  opts?: Partial<StateMachineOptions>;
  event: VrrpEvent;
  to: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';
  does: Behaviour;
  check?: (actions: VrrpAction[], m: VrrpStateMachine) => void;
}

const adv = (priority: number, src = '10.0.0.1', advertIntervalMs = 1000): VrrpEvent => ({
  type: 'advert',
  priority,
  src,
  advertIntervalMs,
});

const reasonOf = (actions: VrrpAction[]) =>
  (actions.find((a) => a.type === 'transition') as { reason: string } | undefined)?.reason;

const table: Row[] = [
  {
    name: 'Initialize + Startup, priority 255 → Master, advert, VIPs, GARP, Adver_Timer',
    from: 'INIT',
    opts: { priority: 255 },
    event: { type: 'startup' },
    to: 'MASTER',
    does: becomesMaster(255),
  },
  {
    name: 'Initialize + Startup, priority < 255 → Backup with Master_Down_Timer',
    from: 'INIT',
    event: { type: 'startup' },
    to: 'BACKUP',
    does: does({ timers: { masterDown: DOWN_100 }, to: 'BACKUP' }),
  },
  {
    name: 'Initialize + a FAULT reading → Fault without ever advertising',
    from: 'INIT',
    event: fault('tracker down'),
    to: 'FAULT',
    does: does({ to: 'FAULT' }),
  },
  {
    name: 'Backup + Shutdown → Initialize',
    from: 'BACKUP',
    event: { type: 'shutdown' },
    to: 'INIT',
    does: does({ timers: { masterDown: 'stopped' }, to: 'INIT' }),
  },
  {
    name: 'Backup + Master_Down_Timer → Master',
    from: 'BACKUP',
    event: { type: 'timer', timer: 'masterDown' },
    to: 'MASTER',
    does: becomesMaster(100),
    check: (a) => assert.equal(reasonOf(a), 'master down timer expired'),
  },
  {
    name: 'Backup + advert priority 0 → Master_Down_Timer = Skew_Time',
    from: 'BACKUP',
    event: adv(0),
    to: 'BACKUP',
    does: does({ timers: { masterDown: SKEW_100 } }),
    check: () => assert.equal(SKEW_100, 609.375),
  },
  {
    name: 'Backup + higher-priority advert → reset Master_Down_Timer, learn its interval (v3)',
    from: 'BACKUP',
    event: adv(200, '10.0.0.1', 500),
    to: 'BACKUP',
    does: does({ timers: { masterDown: 1500 + (156 * 500) / 256 } }),
    check: (_a, m) => assert.equal(m.masterAdverIntervalMs, 500),
  },
  {
    name: 'Backup + equal-priority advert → reset Master_Down_Timer',
    from: 'BACKUP',
    event: adv(100, '10.0.0.1'),
    to: 'BACKUP',
    does: does({ timers: { masterDown: DOWN_100 } }),
  },
  {
    name: 'Backup + lower-priority advert, preempt → discard (let the timer run out)',
    from: 'BACKUP',
    event: adv(50),
    to: 'BACKUP',
    does: does({}),
  },
  {
    name: 'Backup + lower-priority advert, nopreempt → reset Master_Down_Timer',
    from: 'BACKUP',
    opts: { preempt: false },
    event: adv(50),
    to: 'BACKUP',
    does: does({ timers: { masterDown: DOWN_100 } }),
  },
  {
    name: 'Master + Shutdown → priority 0 advert, VIPs removed, Initialize',
    from: 'MASTER',
    event: { type: 'shutdown' },
    to: 'INIT',
    does: resigns('INIT'),
  },
  {
    name: 'Master + Adver_Timer → advert, restart timer',
    from: 'MASTER',
    event: { type: 'timer', timer: 'adver' },
    to: 'MASTER',
    does: does({ adverts: [100], timers: { adver: 1000 } }),
  },
  {
    name: 'Master + advert priority 0 → advert at once, restart Adver_Timer',
    from: 'MASTER',
    event: adv(0),
    to: 'MASTER',
    does: does({ adverts: [100], timers: { adver: 1000 } }),
  },
  {
    name: 'Master + higher-priority advert → Backup',
    from: 'MASTER',
    event: adv(101, '10.0.0.1'),
    to: 'BACKUP',
    does: does({
      // Master_Down_Interval with our own priority's Skew_Time
      timers: { adver: 'stopped', masterDown: DOWN_100 },
      vips: 'remove',
      garp: ['stop'],
      to: 'BACKUP',
    }),
  },
  {
    name: 'Master + equal priority from a higher address → Backup',
    from: 'MASTER',
    event: adv(100, '10.0.0.3'),
    to: 'BACKUP',
    does: does({
      timers: { adver: 'stopped', masterDown: DOWN_100 },
      vips: 'remove',
      garp: ['stop'],
      to: 'BACKUP',
    }),
  },
  {
    name: 'Master + equal priority from a lower address → stay, answer (no lower-priority GARP)',
    from: 'MASTER',
    event: adv(100, '10.0.0.1'),
    to: 'MASTER',
    does: does({ adverts: [100], timers: { adver: 1000 } }),
  },
  {
    name: 'Master + lower-priority advert → stay, answer at once and re-announce the VIPs (keepalived)',
    from: 'MASTER',
    event: adv(20),
    to: 'MASTER',
    does: does({ adverts: [100], timers: { adver: 1000 }, garp: ['lowerPriority'] }),
  },
  {
    name: 'Master + FAULT reading → priority 0 advert, VIPs removed, Fault',
    from: 'MASTER',
    event: fault('tracker'),
    to: 'FAULT',
    does: resigns('FAULT'),
  },
  {
    name: 'Master + a lower priority reading → stays, sends it with the next advert',
    from: 'MASTER',
    event: healthy(60),
    to: 'MASTER',
    does: does({}),
  },
  {
    name: 'Backup + FAULT reading → Fault',
    from: 'BACKUP',
    event: fault('tracker'),
    to: 'FAULT',
    does: does({ timers: { masterDown: 'stopped' }, to: 'FAULT' }),
  },
  {
    name: 'Fault ignores adverts',
    from: 'FAULT',
    event: adv(200),
    to: 'FAULT',
    does: does({}),
  },
  {
    name: 'Fault + the same FAULT reading again → nothing',
    from: 'FAULT',
    event: fault('test'),
    to: 'FAULT',
    does: does({}),
  },
  {
    name: 'Fault + healthy reading → Backup, saying which fault ended',
    from: 'FAULT',
    event: healthy(),
    to: 'BACKUP',
    does: does({ timers: { masterDown: DOWN_100 }, to: 'BACKUP' }),
    check: (a) => assert.equal(reasonOf(a), 'fault cleared (was: test)'),
  },
  {
    name: 'Fault + healthy reading, owner → Master',
    from: 'FAULT',
    opts: { priority: 255 },
    event: healthy(255),
    to: 'MASTER',
    does: becomesMaster(255),
  },
  {
    name: 'Backup + sync sibling became master → Master',
    from: 'BACKUP',
    event: { type: 'syncMaster', reason: 'sync group' },
    to: 'MASTER',
    does: becomesMaster(100),
  },
];

describe('VRRP state machine: transition table', () => {
  for (const row of table) {
    it(row.name, () => {
      const { m, clock } = machineIn(row.from, row.opts);
      const actions = m.handle(row.event, clock.now);
      assert.equal(m.state, row.to);
      assert.deepEqual(behaviour(actions), row.does);
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
    const tolerated = does({ timers: { masterDown: DOWN_100 } });
    assert.deepEqual(behaviour(m.handle(adv(50), clock.now)), tolerated);
    clock.advance(4000);
    assert.deepEqual(behaviour(m.handle(adv(50), clock.now)), tolerated);
    clock.advance(1001);
    assert.deepEqual(behaviour(m.handle(adv(50), clock.now)), does({}), 'discarded: preempting now');
    const actions = m.handle({ type: 'timer', timer: 'masterDown' }, clock.now + m.masterDownIntervalMs());
    assert.equal(m.state, 'MASTER');
    assert.ok(actions.some((a) => a.type === 'addVips'));
  });

  it('a lowered effective priority is sent in the next advert', () => {
    const { m, clock } = machineIn('MASTER');
    m.handle(healthy(60), clock.now);
    const actions = m.handle({ type: 'timer', timer: 'adver' }, clock.now + 1000);
    assert.deepEqual(behaviour(actions).adverts, [60]);
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

  it('after a priority-0 advert the take-over says the master resigned; any later advert forgets it', () => {
    const { m, clock } = machineIn('BACKUP');
    m.handle(adv(0, '10.0.0.1'), clock.now);
    clock.advance(SKEW_100);
    const took = m.handle({ type: 'timer', timer: 'masterDown' }, clock.now);
    assert.equal(m.state, 'MASTER');
    assert.equal(reasonOf(took), 'master 10.0.0.1 resigned (priority 0 advert); took over after Skew_Time');

    const other = machineIn('BACKUP').m;
    other.handle(adv(0, '10.0.0.1'), 0);
    other.handle(adv(200, '10.0.0.9'), 1);
    assert.equal(
      reasonOf(other.handle({ type: 'timer', timer: 'masterDown' }, 5000)),
      'master down timer expired',
    );
  });

  it('stale timers are ignored', () => {
    const { m, clock } = machineIn('BACKUP');
    assert.deepEqual(m.handle({ type: 'timer', timer: 'adver' }, clock.now), []);
    const f = machineIn('FAULT');
    assert.deepEqual(f.m.handle({ type: 'timer', timer: 'masterDown' }, f.clock.now), []);
  });
});
