// The instance shell without root: the real state machine, transport (codec, receive checks, counters)
// and GARP scheduler on an in-memory host (test/support/memory-io.ts) with a manual clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { MemoryIo } from '../../test/support/memory-io.ts';
import { MemoryVips } from '../../test/support/memory-vips.ts';
import { SwitchTracker } from '../../test/support/switch-tracker.ts';
import { createLogger } from '../log.ts';
import { Notifier } from '../notify/notifier.ts';
import type { TrackedRef } from '../track/registry.ts';
import { decodeAdvert, encodeAdvert, VRRP_AUTH_NONE } from '../vrrp/codec.ts';
import { VrrpInstanceRuntime } from './vrrp-instance.ts';

const silent = createLogger({ level: 'silent' });
const DOWN_100 = 3000 + (156 * 1000) / 256;
const SKEW_100 = (156 * 1000) / 256;

function instanceConf(name: string, vrid: number, extra = ''): string {
  return `vrrp_instance ${name} {
  state BACKUP
  interface eth0
  virtual_router_id ${vrid}
  priority 100
  advert_int 1
  version 3
  virtual_ipaddress {
    10.0.0.${vrid}/24
  }
${extra}}
`;
}

function parse(text: string) {
  const { config, diagnostics } = parseKeepalivedConfig(
    { path: '/etc/keepalived/keepalived.conf', text },
    { interfaceExists: () => true },
  );
  assert.ok(config, JSON.stringify(diagnostics));
  return config;
}

function setup(opts: { extra?: string; refs?: TrackedRef[]; io?: MemoryIo; vrid?: number } = {}) {
  const vrid = opts.vrid ?? 51;
  const config = parse(instanceConf('VI_1', vrid, opts.extra));
  const io = opts.io ?? new MemoryIo();
  const vips = new MemoryVips();
  const inst = new VrrpInstanceRuntime(config.instances[0], config.globalDefs, opts.refs ?? [], {
    logger: silent,
    notifier: new Notifier(),
    io,
    vipManager: vips,
  });
  const transitions: string[] = [];
  inst.on('transition', (t) => transitions.push(`${t.to}: ${t.reason}`));
  return { inst, io, vips, transitions, vip: `10.0.0.${vrid}/24` };
}

/** Lets queued VIP operations (promises) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** Priorities of the adverts the instance has put on its socket. */
const sentPriorities = (io: MemoryIo) =>
  io.socket.sent.map((s) => {
    const d = decodeAdvert(s.packet, 4);
    assert.ok(d.ok);
    return d.advert.priority;
  });

/** A v3 advert from a peer, encoded by the real codec. */
function peerAdvert(vrid: number, priority: number, src = '10.0.0.9'): Buffer {
  return encodeAdvert(
    {
      version: 3,
      vrid,
      priority,
      advertIntCs: 100,
      addresses: [`10.0.0.${vrid}`],
      authType: VRRP_AUTH_NONE,
      authData: Buffer.alloc(8),
    },
    { family: 4, src, dst: '224.0.0.18', checksumForm: 'pseudo' },
  );
}

async function toMaster(s: ReturnType<typeof setup>): Promise<void> {
  await s.inst.start();
  s.io.clock.advance(DOWN_100);
  await settle();
  assert.equal(s.inst.state, 'MASTER');
}

describe('VrrpInstanceRuntime (in-memory host, manual clock)', () => {
  it('starts BACKUP; after Master_Down_Interval: MASTER, an advert, the VIP, then the GARP bursts', async () => {
    const s = setup();
    await s.inst.start();
    assert.equal(s.inst.state, 'BACKUP');
    assert.deepEqual(s.io.socket.sent, [], 'a BACKUP does not advertise');
    s.io.clock.advance(DOWN_100 - 1);
    assert.equal(s.inst.state, 'BACKUP');
    s.io.clock.advance(1);
    assert.equal(s.inst.state, 'MASTER');
    assert.deepEqual(sentPriorities(s.io), [100]);
    assert.equal(s.io.frames.length, 0, 'no GARP before the VIP is on the link');
    await settle();
    assert.deepEqual([...s.vips.present], [s.vip]);
    assert.equal(s.io.frames.length, 5, 'garp_master_repeat 5');
    s.io.clock.advance(5000);
    assert.equal(s.io.frames.length, 10, 'the second burst after garp_master_delay 5');
    s.io.clock.advance(1000);
    assert.ok(sentPriorities(s.io).length >= 7, 'an advert every advert_int');
    assert.deepEqual(s.transitions, ['BACKUP: startup', 'MASTER: master down timer expired']);
    await s.inst.stop();
  });

  it('a higher-priority advert sends a MASTER back to BACKUP and takes the VIP away', async () => {
    const s = setup();
    await toMaster(s);
    s.io.socket.deliver(peerAdvert(51, 150), '10.0.0.9');
    assert.equal(s.inst.state, 'BACKUP');
    await settle();
    assert.deepEqual([...s.vips.present], []);
    assert.equal(s.inst.status().master.address, '10.0.0.9');
    assert.equal(s.inst.counters.accepted, 1);
    const sent = s.io.socket.sent.length;
    await s.inst.stop();
    assert.equal(s.io.socket.sent.length, sent, 'a BACKUP stops without an advert');
    assert.equal(s.io.socket.closed, true);
  });

  it('a lower-priority advert as MASTER: answered at once, and the VIP re-announced', async () => {
    const s = setup();
    await toMaster(s);
    const adverts = sentPriorities(s.io).length;
    const frames = s.io.frames.length;
    s.io.socket.deliver(peerAdvert(51, 50), '10.0.0.9');
    assert.equal(s.inst.state, 'MASTER');
    assert.equal(sentPriorities(s.io).length, adverts + 1, 'answered without waiting for the Adver_Timer');
    assert.equal(s.io.frames.length, frames + 5, 'garp_lower_prio_repeat 5');
    await s.inst.stop();
  });

  it('a weight-0 tracker going down: priority 0, VIP removed, FAULT; back up: BACKUP, then MASTER', async () => {
    const t = new SwitchTracker({ name: 'chk', up: true });
    const s = setup({ refs: [{ tracker: t, weight: 0, reverse: false }] });
    await toMaster(s);
    t.set(false, 'exit 1');
    assert.equal(s.inst.state, 'FAULT');
    assert.equal(sentPriorities(s.io).at(-1), 0);
    await settle();
    assert.deepEqual([...s.vips.present], []);
    assert.match(s.transitions.at(-1)!, /^FAULT: script chk: exit 1$/);
    t.set(true);
    assert.equal(s.inst.state, 'BACKUP');
    assert.match(s.transitions.at(-1)!, /^BACKUP: fault cleared \(was: script chk: exit 1\)$/);
    s.io.clock.advance(DOWN_100);
    assert.equal(s.inst.state, 'MASTER');
    await s.inst.stop();
  });

  it('a weighted tracker changes the priority the next advert carries, without a transition', async () => {
    const t = new SwitchTracker({ name: 'chk', up: true });
    const s = setup({ refs: [{ tracker: t, weight: -30, reverse: false }] });
    await toMaster(s);
    const before = s.transitions.length;
    t.set(false);
    assert.equal(s.inst.effectivePriority, 70);
    s.io.clock.advance(1000);
    assert.equal(sentPriorities(s.io).at(-1), 70);
    assert.equal(s.transitions.length, before);
    await s.inst.stop();
  });

  it('a priority-0 advert as BACKUP: MASTER after Skew_Time, and the transition says the master resigned', async () => {
    const s = setup();
    await s.inst.start();
    s.io.socket.deliver(peerAdvert(51, 150), '10.0.0.9');
    s.io.clock.advance(1000);
    s.io.socket.deliver(peerAdvert(51, 0), '10.0.0.9');
    s.io.clock.advance(SKEW_100);
    assert.equal(s.inst.state, 'MASTER');
    assert.equal(
      s.transitions.at(-1),
      'MASTER: master 10.0.0.9 resigned (priority 0 advert); took over after Skew_Time',
    );
    assert.equal(s.inst.status().counters.priorityZeroReceived, 1);
    await s.inst.stop();
  });

  it('stop as MASTER: priority 0, VIP removed, socket closed, no timer left behind', async () => {
    const s = setup();
    await toMaster(s);
    await s.inst.stop();
    assert.equal(sentPriorities(s.io).at(-1), 0);
    assert.deepEqual([...s.vips.present], []);
    assert.equal(s.io.socket.closed, true);
    assert.equal(s.io.clock.pending, 0, 'every timer (adverts, GARP bursts) cancelled');
    assert.equal(s.inst.status().state, 'STOP');
  });

  it('interface unusable at start: FAULT, retried every second, BACKUP once it opens', async () => {
    const io = new MemoryIo({ failOpens: 2 });
    const s = setup({ io });
    await s.inst.start();
    assert.equal(s.inst.state, 'FAULT');
    assert.match(s.transitions[0], /^FAULT: cannot open VRRP on eth0: interface eth0 does not exist$/);
    io.clock.advance(1000);
    await settle();
    assert.equal(s.inst.state, 'FAULT');
    io.clock.advance(1000);
    await settle();
    assert.equal(s.inst.state, 'BACKUP');
    assert.equal(io.sockets.length, 1);
    await s.inst.stop();
  });

  it('use_vmac: the VMAC is made, adverts leave from it, GARPs carry its MAC, it is deleted at stop', async () => {
    const s = setup({ extra: '  use_vmac\n' });
    await toMaster(s);
    assert.deepEqual(s.io.vmacs.created, [{ name: 'vrrp.51', parent: 'eth0', vrid: 51, family: 4 }]);
    assert.equal(s.io.socket.options.xmitIfname, 'vrrp.51');
    assert.equal(s.io.frames[0].ifname, 'vrrp.51');
    assert.equal(s.io.frames[0].frame.subarray(6, 12).toString('hex'), '00005e000133', 'source MAC');
    await s.inst.stop();
    assert.deepEqual(s.io.vmacs.deleted, ['vrrp.51']);
  });

  it('status(): each tracker as the instance applies it; a sync group’s contributes only its FAULT', async () => {
    const own = new SwitchTracker({ name: 'own', up: false });
    const group = new SwitchTracker({ name: 'grp', up: false });
    const s = setup({
      refs: [
        { tracker: own, weight: -20, reverse: false },
        { tracker: group, weight: -20, reverse: false, faultOnly: true },
      ],
    });
    await s.inst.start();
    const [a, b] = s.inst.status().trackers;
    assert.deepEqual([a.name, a.delta, a.fault], ['own', -20, false]);
    assert.deepEqual([b.name, b.delta, b.fault], ['grp', 0, false]);
    assert.equal(s.inst.effectivePriority, 80);
    await s.inst.stop();
  });

  it('VRRPv3 advert_int 0.1 (keepalived allows centiseconds with version 3): 10 cs on the wire, timers in ms', async () => {
    const config = parse(instanceConf('VI_1', 51).replace('advert_int 1', 'advert_int 0.1'));
    assert.equal(config.instances[0].advertInt, 0.1);
    const io = new MemoryIo();
    const vips = new MemoryVips();
    const inst = new VrrpInstanceRuntime(config.instances[0], config.globalDefs, [], {
      logger: silent,
      notifier: new Notifier(),
      io,
      vipManager: vips,
    });
    await inst.start();
    // Master_Down_Interval = 3 × 100 ms + Skew_Time ((256 − 100) × 100 / 256 ms)
    const down = 300 + (156 * 100) / 256;
    io.clock.advance(down - 1);
    assert.equal(inst.state, 'BACKUP');
    io.clock.advance(1);
    assert.equal(inst.state, 'MASTER');
    io.clock.advance(1000);
    const sent = io.socket.sent.map((x) => decodeAdvert(x.packet, 4));
    assert.equal(sent.length, 11, 'one advert on becoming MASTER, then one every 100 ms');
    for (const d of sent) assert.ok(d.ok && d.advert.advertIntCs === 10);
    await inst.stop();
  });

  it('instances sharing one host: a sibling’s VRID on the same link is not a drop, a stranger’s is', async () => {
    const io = new MemoryIo();
    const a = setup({ io, vrid: 51 });
    await a.inst.start();
    const socketA = io.socket;
    const b = setup({ io, vrid: 52 });
    await b.inst.start();
    socketA.deliver(peerAdvert(52, 100), '10.0.0.9');
    assert.equal(a.inst.counters.received, 0, 'VRID 52 is served here: not ours, not a drop');
    socketA.deliver(peerAdvert(53, 100), '10.0.0.9');
    assert.equal(a.inst.counters.vrid, 1, 'VRID 53 nobody here serves: dropped and counted');
    await b.inst.stop();
    socketA.deliver(peerAdvert(52, 100), '10.0.0.9');
    assert.equal(a.inst.counters.vrid, 2, 'once the sibling stopped, its VRID is a stranger’s');
    await a.inst.stop();
  });
});
