import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bridgeScript, countOpen, enableForwarding, returnScript } from '../net/handover-nft.ts';
import {
  type BridgeContext,
  type BridgePhase,
  decideBridge,
  decideReturnPath,
  frontendPorts,
  type PortRange,
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
    assert.deepEqual(
      stepBridge(d, { type: 'live', count: 0, now: 700, readAt: 590 }, TIMING).actions,
      [],
      'a count read before the draining began may have missed the last bridged connection',
    );
    assert.deepEqual(stepBridge(d, { type: 'live', count: 0, now: 700, readAt: 600 }, TIMING).actions, [
      'removeRules',
    ]);
    assert.deepEqual(stepBridge(d, { type: 'live', count: 3, now: 5600 }, TIMING).actions, ['removeRules']);
    assert.deepEqual(stepBridge(d, { type: 'deadline', now: 5600 }, TIMING).actions, ['removeRules']);
    assert.deepEqual(stepBridge(d, { type: 'abort', reason: 'stop' }, TIMING).actions, ['removeRules']);
  });
});

describe('countOpen', () => {
  // `nft -j list set ip T open` of nftables 1.0.6 (Debian 12), with two elements and with none
  const META =
    '{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}';
  const SET =
    '"family": "ip", "name": "open", "table": "t", "type": ["ipv4_addr", "inet_service"], "handle": 4, "size": 65535';
  it('counts the elements of the set, none when it is empty', () => {
    const two = `{"nftables": [${META}, {"set": {${SET}, "elem": [{"concat": ["10.18.216.10", 41234]}, {"concat": ["10.18.216.10", 41236]}]}}]}`;
    assert.equal(countOpen(two), 2);
    assert.equal(countOpen(`{"nftables": [${META}, {"set": {${SET}}}]}`), 0);
  });
});

describe('the bridge counts its open connections in an nft set', () => {
  it('added at the first packet, deleted at a FIN or RST either way', () => {
    const f = bridgeScript({
      table: 't',
      mark: 0x48410058,
      vips: [VIP],
      ports: [[80, 80]],
      peer: B,
      mode: 'forward',
    });
    assert.ok(f.includes('ct mark 0x48410058 ct state new add @open { ip saddr . tcp sport }'));
    assert.ok(
      f.includes(
        'ct mark 0x48410058 ct direction original tcp flags & (fin | rst) != 0 delete @open { ip saddr . tcp sport }',
      ),
    );
    assert.ok(
      f.includes(
        'ct mark 0x48410058 ct direction reply tcp flags & (fin | rst) != 0 delete @open { ip daddr . tcp dport }',
      ),
    );
    assert.ok(f.includes('ct mark 0x48410058 ct direction original ip ttl 1 ip ttl set 64'), 'revive');
  });
});

describe('returnScript (the receiving end)', () => {
  const r = returnScript({
    table: 'ha_agent_return_VI_1',
    vips: ['10.0.0.194'],
    ports: [
      [80, 80],
      [8000, 8010],
    ],
    peer: '10.0.0.115',
    dev: 'ens192',
  });
  it('sends back only non-SYN packets of connections we do not know, with TTL 1, and drops them here', () => {
    assert.ok(
      r.includes(
        'ip daddr { 10.0.0.194 } tcp dport { 80, 8000-8010 } tcp flags & syn == 0 ct state new,invalid ip saddr != 10.0.0.115 counter ip ttl set 2 dup to 10.0.0.115 device "ens192" drop',
      ),
    );
    assert.ok(r.startsWith('table ip ha_agent_return_VI_1\ndelete table ip ha_agent_return_VI_1\n'));
    assert.ok(!/dnat|snat|masquerade/.test(r), 'no address is rewritten');
  });
});

describe('decideReturnPath', () => {
  const base = {
    src: B,
    priority: 0,
    peer: B,
    ownAddresses: [A],
    ports: [[80, 80]] as PortRange[],
    bridging: false,
  };
  it('the peer resigning opens it', () => assert.deepEqual(decideReturnPath(base), { open: true }));
  it('not for another source, nor a live priority', () => {
    assert.equal(decideReturnPath({ ...base, src: '10.0.0.5' }).open, false);
    assert.equal(decideReturnPath({ ...base, priority: 99 }).open, false);
  });
  it('never while we bridge ourselves, never to this node, not without ports', () => {
    assert.equal(decideReturnPath({ ...base, bridging: true }).open, false);
    assert.equal(decideReturnPath({ ...base, ownAddresses: [A, B] }).open, false);
    assert.equal(decideReturnPath({ ...base, ports: [] }).open, false);
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
