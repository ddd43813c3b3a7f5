import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bridgeScript, countLive, enableForwarding } from '../net/handover-nft.ts';
import {
  type BridgeContext,
  type BridgePhase,
  decideBridge,
  frontendPorts,
  startBridge,
  stepBridge,
} from './bridge-plan.ts';

const VIP = '10.0.0.194';
const A = '10.0.0.115';
const B = '10.0.0.79';
const TIMING = { takeoverMs: 3600, drainMs: 5000 };
const HOLD = TIMING.takeoverMs + TIMING.drainMs;

const master = (over: Partial<BridgeContext> = {}): BridgeContext => ({
  state: 'MASTER',
  peer: B,
  ownAddresses: [A, VIP],
  ports: [[80, 80]],
  bridging: false,
  peerResignedAgoMs: null,
  holdMs: HOLD,
  ...over,
});

describe('frontendPorts: the VIP ports from the health API listener list', () => {
  it('wildcard and VIP binds; not unix, fd@, other addresses or listeners not listening', () => {
    const l = (address: string, listening = true) => ({ proxy: 'p', address, listening });
    assert.deepEqual(
      frontendPorts(
        [
          l('*:80'),
          l(':8080'),
          l(`${VIP}:443`),
          l('0.0.0.0:8000-8010'),
          l('[::]:81'),
          l('127.0.0.1:9000'),
          l('unix@/run/x.sock'),
          l('fd@3'),
          l('*:82', false),
          l('*:80'),
        ],
        [VIP],
      ),
      [
        [80, 80],
        [81, 81],
        [443, 443],
        [8000, 8010],
        [8080, 8080],
      ],
    );
  });
});

describe('decideBridge', () => {
  it('all conditions met: probe the peer first, install only when its balancer answers', () => {
    assert.deepEqual(decideBridge(master()), { action: 'probe' });
    assert.deepEqual(decideBridge(master({ peerAnswers: true })), { action: 'install' });
  });

  it('a silent peer (its balancer does not answer) never gets a bridge', () => {
    const v = decideBridge(master({ peerAnswers: false }));
    assert.equal(v.action, 'resign');
  });

  it('never from a node that is not MASTER, already bridging, without ports, or to itself', () => {
    for (const c of [
      master({ state: 'BACKUP', peerAnswers: true }),
      master({ state: 'FAULT', peerAnswers: true }),
      master({ bridging: true, peerAnswers: true }),
      master({ ports: [], peerAnswers: true }),
      master({ peer: A, peerAnswers: true }),
      master({ peer: VIP, peerAnswers: true }),
    ]) {
      assert.equal(decideBridge(c).action, 'resign', JSON.stringify(c));
    }
  });

  it('two nodes never forward to each other: the receiving end of a bridge does not bridge back', () => {
    // A's balancer dies: A (MASTER) bridges to B and resigns (priority 0), which B hears.
    assert.equal(decideBridge(master({ peerAnswers: true })).action, 'install');
    let phaseA: BridgePhase = startBridge(B, 0, TIMING);
    const bResignedHeardAt = 1; // B notes A's priority 0
    // B takes over after Skew_Time; then B's balancer dies too, while A still bridges (draining).
    phaseA = stepBridge(phaseA, { type: 'advert', src: B, priority: 99, now: 610 }, TIMING).next;
    assert.equal(phaseA.phase, 'draining');
    for (const t of [700, 2000, HOLD - 1]) {
      const fromB = decideBridge({
        state: 'MASTER',
        peer: A,
        ownAddresses: [B, VIP],
        ports: [[80, 80]],
        bridging: false,
        peerResignedAgoMs: t - bResignedHeardAt,
        holdMs: HOLD,
        peerAnswers: true, // even if something answers on A
      });
      assert.equal(fromB.action, 'resign', `B at ${t} ms`);
    }
    // And A, receiving B's resignation while it bridges to B, tears its bridge down.
    const a2 = stepBridge(startBridge(B, 0, TIMING), { type: 'advert', src: B, priority: 0, now: 5 }, TIMING);
    assert.equal(a2.next.phase, 'done');
    assert.deepEqual(a2.actions, ['removeVips', 'removeRules']);
  });

  it('at the packet level: only new connections to the VIP no local socket takes, not from the peer', () => {
    const rules = {
      table: 't',
      mark: 0x48410058,
      vips: [VIP],
      ports: [[80, 80]] as [number, number][],
      peer: B,
    };
    const s = bridgeScript({ ...rules, mode: 'armed' });
    const match = 'ip daddr { 10.0.0.194 } tcp dport { 80 }';
    assert.ok(s.includes(`${match} socket transparent 0 return\n`), 'a local socket takes it: not forwarded');
    assert.ok(s.includes(`${match} socket transparent 1 return\n`));
    assert.ok(s.includes(`${match} ip saddr != 10.0.0.79 ct mark set 0x48410058 dnat to 10.0.0.79\n`));
    assert.match(s, /ct mark 0x48410058 ip daddr 10\.0\.0\.79 masquerade/);
    assert.match(s, /^table ip t\ndelete table ip t\n/);
    const f = bridgeScript({ ...rules, mode: 'forward' });
    assert.ok(!f.includes('socket'), 'the handover proper: every new connection, held sockets or not');
    assert.ok(f.includes(`${match} ip saddr != 10.0.0.79 ct mark set 0x48410058 dnat to 10.0.0.79\n`));
  });
});

describe('stepBridge', () => {
  it('forwarding → the peer advertises as MASTER: the VIP goes, draining', () => {
    const s = stepBridge(
      startBridge(B, 0, TIMING),
      { type: 'advert', src: B, priority: 99, now: 620 },
      TIMING,
    );
    assert.deepEqual(s.actions, ['removeVips', 'watchDrain']);
    assert.deepEqual(s.next, { phase: 'draining', peer: B, sinceMs: 620, deadlineMs: 5620 });
  });

  it('forwarding: adverts from others change nothing; the peer silent until the deadline: plain resign', () => {
    const p = startBridge(B, 0, TIMING);
    assert.deepEqual(
      stepBridge(p, { type: 'advert', src: '10.0.0.5', priority: 200, now: 10 }, TIMING).actions,
      [],
    );
    assert.deepEqual(stepBridge(p, { type: 'deadline', now: 3599 }, TIMING).actions, []);
    const s = stepBridge(p, { type: 'deadline', now: 3600 }, TIMING);
    assert.deepEqual(s.actions, ['removeVips', 'removeRules']);
    assert.equal(s.next.phase === 'done' && s.next.outcome, 'peer-silent');
  });

  it('draining: the rules go when no bridged connection is open, or at handover_drain', () => {
    const d: BridgePhase = { phase: 'draining', peer: B, sinceMs: 600, deadlineMs: 5600 };
    assert.deepEqual(stepBridge(d, { type: 'live', count: 2, now: 700 }, TIMING).actions, []);
    assert.deepEqual(stepBridge(d, { type: 'live', count: null, now: 700 }, TIMING).actions, []);
    assert.deepEqual(stepBridge(d, { type: 'live', count: 0, now: 800 }, TIMING).actions, ['removeRules']);
    assert.deepEqual(stepBridge(d, { type: 'live', count: 3, now: 5600 }, TIMING).actions, ['removeRules']);
    assert.deepEqual(stepBridge(d, { type: 'deadline', now: 5600 }, TIMING).actions, ['removeRules']);
    assert.deepEqual(stepBridge(d, { type: 'abort', reason: 'stop' }, TIMING).actions, ['removeRules']);
  });
});

describe('countLive', () => {
  it('counts our mark while open both ways, not half-closed or closed entries nor other marks', () => {
    const line = (state: string, mark: number) =>
      `ipv4     2 tcp      6 117 ${state} src=10.0.0.10 dst=10.0.0.194 sport=1 dport=80 src=10.0.0.79 dst=10.0.0.115 sport=80 dport=1 [ASSURED] mark=${mark} zone=0 use=2`;
    const m = 0x48410058;
    const text = [
      line('ESTABLISHED', m),
      line('TIME_WAIT', m),
      line('FIN_WAIT', m),
      line('LAST_ACK', m),
      line('CLOSE', m),
      line('SYN_SENT', m),
      line('ESTABLISHED', 7),
    ].join('\n');
    assert.equal(countLive(text, m), 2);
  });
});

describe('enableForwarding', () => {
  it('turns the interface on once for all bridges and puts the old value back after the last', async () => {
    const conf = mkdtempSync(join(tmpdir(), 'fwd-'));
    mkdirSync(join(conf, 'eth0'));
    const file = join(conf, 'eth0', 'forwarding');
    writeFileSync(file, '0\n');
    const a = await enableForwarding('eth0', conf);
    const b = await enableForwarding('eth0', conf);
    assert.equal(readFileSync(file, 'utf8'), '1');
    await a();
    await a();
    assert.equal(readFileSync(file, 'utf8'), '1', 'a second bridge still needs it');
    await b();
    assert.equal(readFileSync(file, 'utf8'), '0');
    writeFileSync(file, '1\n');
    const c = await enableForwarding('eth0', conf);
    await c();
    assert.equal(readFileSync(file, 'utf8'), '1\n', 'on before: left on');
  });
});
