// The bridge in the instance shell, without root: the real state machine and transport on the
// in-memory host, a recording BridgeHost, a manual clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { MemoryIo } from '../../test/support/memory-io.ts';
import { MemoryVips } from '../../test/support/memory-vips.ts';
import { HandoverStatusSchema } from '../api/status-schema.ts';
import { VrrpInstanceRuntime } from '../instance/vrrp-instance.ts';
import { createLogger } from '../log.ts';
import type { BridgeHost, BridgeRules, ReturnRules } from '../net/handover-nft.ts';
import { Notifier } from '../notify/notifier.ts';
import { BaseTracker } from '../track/tracker.ts';
import { decodeAdvert, encodeAdvert, VRRP_AUTH_NONE } from '../vrrp/codec.ts';

const DOWN_100 = 3000 + (156 * 1000) / 256;
const PEER = '10.0.0.9';
const VIP = '10.0.0.51';

/** A balancer tracker flipped by hand, with the listeners its last snapshot named. */
class SwitchBalancer extends BaseTracker {
  readonly kind = 'balancer' as const;
  frontendListeners = [
    { proxy: 'proxy', address: '*:80', listening: true },
    { proxy: 'stats', address: '*:8080', listening: true },
  ];
  constructor() {
    super({ name: 'lb' }, 'not set yet');
    this.setUp(true, 'ready');
  }
  set(up: boolean): void {
    this.setUp(up, up ? 'ready' : 'health socket closed (EOF)');
  }
  start(): void {}
  async stop(): Promise<void> {}
}

class RecordingHost implements BridgeHost {
  readonly calls: string[] = [];
  rules: BridgeRules | null = null;
  peerAnswers = true;
  live: number | null = 0;
  readonly io: MemoryIo;
  constructor(io: MemoryIo) {
    this.io = io;
  }
  #sent = () =>
    this.io.socket.sent.map(
      (s) => (decodeAdvert(s.packet, 4) as { advert: { priority: number } }).advert.priority,
    );
  async install(r: BridgeRules) {
    this.rules = r;
    this.calls.push(`install ${r.mode} (adverts so far: ${this.#sent().join(',')})`);
  }
  async remove(table: string) {
    this.calls.push(`remove ${table}`);
  }
  async enableForwarding(dev: string) {
    this.calls.push(`forwarding on ${dev}`);
    return async () => {
      this.calls.push(`forwarding back ${dev}`);
    };
  }
  async liveConnections(table: string) {
    assert.equal(table, 'ha_agent_handover_VI_1');
    return this.live;
  }
  returnRules: ReturnRules | null = null;
  async installReturn(r: ReturnRules) {
    this.returnRules = r;
    this.calls.push(`install return ${r.table} to ${r.peer} on ${r.dev}`);
  }
  async probe(address: string, port: number) {
    this.calls.push(`probe ${address}:${port}`);
    return this.peerAnswers;
  }
}

function setup() {
  const text = `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  version 3
  handover_peer ${PEER}
  handover_drain 2
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
  const { config, diagnostics } = parseKeepalivedConfig(
    { path: '/etc/keepalived/keepalived.conf', text },
    { interfaceExists: () => true },
  );
  assert.ok(config, JSON.stringify(diagnostics));
  const io = new MemoryIo();
  const vips = new MemoryVips();
  const lb = new SwitchBalancer();
  const host = new RecordingHost(io);
  const inst = new VrrpInstanceRuntime(
    config.instances[0],
    config.globalDefs,
    [{ tracker: lb, weight: 0, reverse: false }],
    {
      logger: createLogger({ level: 'silent' }),
      notifier: new Notifier(),
      io,
      vipManager: vips,
      bridgeHost: host,
    },
  );
  return { inst, io, vips, lb, host };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

function peerAdvert(priority: number): Buffer {
  return encodeAdvert(
    {
      version: 3,
      vrid: 51,
      priority,
      advertIntCs: 100,
      addresses: [VIP],
      authType: VRRP_AUTH_NONE,
      authData: Buffer.alloc(8),
    },
    { family: 4, src: PEER, dst: '224.0.0.18', checksumForm: 'pseudo' },
  );
}

async function masterThenCrash(s: ReturnType<typeof setup>) {
  await s.inst.start();
  assert.deepEqual(
    s.host.calls.splice(0),
    ['remove ha_agent_handover_VI_1', 'remove ha_agent_return_VI_1'],
    'leftover tables go at start',
  );
  s.io.clock.advance(DOWN_100);
  await settle();
  assert.equal(s.inst.state, 'MASTER');
  assert.deepEqual(
    s.host.calls.splice(0),
    ['forwarding on eth0', 'install armed (adverts so far: 100)'],
    'MASTER: the rules armed (inert while the balancer listens)',
  );
  assert.equal(s.inst.status().handover?.phase, 'armed');
  s.lb.set(false);
  await settle();
}

describe('handover bridge in the instance', () => {
  it('balancer dies as MASTER: rules in before priority 0, VIP kept until the peer advertises, then drained', async () => {
    const s = setup();
    await masterThenCrash(s);
    assert.equal(s.inst.state, 'FAULT');
    assert.deepEqual(
      s.host.calls,
      [`probe ${PEER}:80`, 'install forward (adverts so far: 100)'],
      'the peer is asked, then every new connection goes to it — before the priority-0 advert',
    );
    assert.deepEqual(s.host.rules?.ports, [
      [80, 80],
      [8080, 8080],
    ]);
    assert.equal(s.io.socket.sent.length, 2, 'then the priority-0 advert');
    assert.deepEqual([...s.vips.present], [`${VIP}/24`], 'the VIP stays while the peer takes over');
    const st = s.inst.status().handover;
    assert.equal(HandoverStatusSchema.parse(st).phase, 'forwarding');
    assert.deepEqual(st?.ports, ['80', '8080']);

    s.io.socket.deliver(peerAdvert(99), PEER);
    await settle();
    assert.deepEqual([...s.vips.present], [], 'the peer is MASTER: our VIP goes');
    assert.equal(s.inst.status().handover?.phase, 'draining');
    s.host.live = 1;
    s.io.clock.advance(100);
    await settle();
    assert.equal(s.inst.status().handover?.openConnections, 1);
    s.host.live = 0;
    s.io.clock.advance(100);
    await settle();
    assert.deepEqual(s.host.calls.slice(2), ['remove ha_agent_handover_VI_1', 'forwarding back eth0']);
    const done = s.inst.status().handover;
    assert.equal(done?.phase, 'off');
    assert.equal(done?.last?.outcome, 'handed-over');
    assert.equal(done?.peakConnections, 1);
    await s.inst.stop();
  });

  it('a silent peer: the armed rules go, the plain resign (priority 0, VIP gone)', async () => {
    const s = setup();
    s.host.peerAnswers = false;
    await masterThenCrash(s);
    assert.deepEqual(s.host.calls, [
      `probe ${PEER}:80`,
      'remove ha_agent_handover_VI_1',
      'forwarding back eth0',
    ]);
    assert.equal(s.inst.state, 'FAULT');
    assert.deepEqual([...s.vips.present], []);
    assert.equal(s.inst.status().handover?.phase, 'off');
    await s.inst.stop();
  });

  it('the peer never advertises: after Master_Down_Interval the VIP and the rules go', async () => {
    const s = setup();
    await masterThenCrash(s);
    assert.deepEqual([...s.vips.present], [`${VIP}/24`]);
    s.io.clock.advance(DOWN_100);
    await settle();
    assert.deepEqual([...s.vips.present], []);
    assert.equal(s.inst.status().handover?.last?.outcome, 'peer-silent');
    assert.equal(s.inst.status().handover?.phase, 'off');
    assert.ok(s.host.calls.includes('remove ha_agent_handover_VI_1'));
    await s.inst.stop();
  });

  it('the receiving end: after the peer resigned to us, our own crash is a plain resign', async () => {
    const s = setup();
    await s.inst.start();
    s.host.calls.length = 0;
    s.io.socket.deliver(peerAdvert(150), PEER);
    s.io.socket.deliver(peerAdvert(0), PEER); // the peer hands over to us
    s.io.clock.advance(1000);
    await settle();
    assert.equal(s.inst.state, 'MASTER');
    assert.equal(s.inst.status().handover?.phase, 'off', 'not armed while the peer may forward to us');
    s.lb.set(false);
    await settle();
    assert.deepEqual(
      s.host.calls,
      [`install return ha_agent_return_VI_1 to ${PEER} on eth0`],
      'not even a probe (only the return path, opened by the resignation)',
    );
    assert.deepEqual([...s.vips.present], []);
    await s.inst.stop();
  });
});

describe('handover bridge: the receiving end', () => {
  it("the peer's priority 0 opens the return path until the peer has drained, then it goes", async () => {
    const s = setup();
    await s.inst.start();
    s.host.calls.length = 0;
    s.io.socket.deliver(peerAdvert(150), PEER);
    await settle();
    assert.equal(s.host.calls.length, 0, 'a live peer: nothing');
    s.io.socket.deliver(peerAdvert(0), PEER);
    await settle();
    assert.deepEqual(s.host.calls, [`install return ha_agent_return_VI_1 to ${PEER} on eth0`]);
    assert.equal(HandoverStatusSchema.parse(s.inst.status().handover).returnPath, true, '/status says so');
    assert.deepEqual(s.host.returnRules?.vips, [VIP]);
    assert.deepEqual(s.host.returnRules?.ports, [
      [80, 80],
      [8080, 8080],
    ]);
    s.io.clock.advance(1000);
    await settle();
    assert.equal(s.inst.state, 'MASTER', 'we took over');
    s.io.clock.advance(DOWN_100 + 2000 - 1001);
    await settle();
    assert.ok(!s.host.calls.includes('remove ha_agent_return_VI_1'), 'still open while the peer may drain');
    s.io.clock.advance(2);
    await settle();
    assert.ok(s.host.calls.includes('remove ha_agent_return_VI_1'), 'its Master_Down_Interval + drain later');
    assert.equal(s.inst.status().handover?.returnPath, false);
    await s.inst.stop();
  });

  it('never both ends: a node bridging to the peer opens no return path when the peer resigns too', async () => {
    const s = setup();
    await masterThenCrash(s);
    assert.equal(s.inst.status().handover?.phase, 'forwarding');
    s.host.calls.length = 0;
    s.io.socket.deliver(peerAdvert(0), PEER);
    await settle();
    assert.ok(!s.host.calls.some((c) => c.startsWith('install return')), s.host.calls.join('; '));
    assert.equal(s.inst.status().handover?.last?.outcome, 'peer-resigned');
    await s.inst.stop();
  });

  it('the agent stops: the return path goes with it', async () => {
    const s = setup();
    await s.inst.start();
    s.io.socket.deliver(peerAdvert(0), PEER);
    await settle();
    s.host.calls.length = 0;
    await s.inst.stop();
    assert.ok(s.host.calls.includes('remove ha_agent_return_VI_1'), s.host.calls.join('; '));
  });
});

describe('handover bridge: armed only while MASTER', () => {
  it('leaving MASTER for a higher-priority peer disarms', async () => {
    const s = setup();
    await s.inst.start();
    s.io.clock.advance(DOWN_100);
    await settle();
    assert.equal(s.inst.status().handover?.phase, 'armed');
    s.host.calls.length = 0;
    s.io.socket.deliver(peerAdvert(200), PEER);
    await settle();
    assert.equal(s.inst.state, 'BACKUP');
    assert.deepEqual(s.host.calls, ['remove ha_agent_handover_VI_1', 'forwarding back eth0']);
    assert.equal(s.inst.status().handover?.phase, 'off');
    await s.inst.stop();
  });
});
