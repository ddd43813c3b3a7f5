import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fakeAgentStatus, fakeInstanceStatus } from '../../test/support/fake-status.ts';
import { holdsFor, waitFor } from '../../test/support/wait-for.ts';
import { EventLoopMonitor, vrrpStallThresholdMs } from './event-loop-monitor.ts';
import { type RunningStatusApi, startStatusApi } from './server.ts';
import { AgentStatusSchema } from './status-schema.ts';

describe('status API (real TCP on 127.0.0.1)', () => {
  const running: RunningStatusApi[] = [];
  after(async () => {
    for (const r of running) await r.close();
  });
  let status = fakeAgentStatus();
  const start = async (token: string | null = null) => {
    const r = await startStatusApi({ address: '127.0.0.1', port: 0, token, getStatus: () => status });
    running.push(r);
    return `http://127.0.0.1:${r.port}`;
  };

  it('listens on loopback by default address and answers /status with the documented schema', async () => {
    const base = await start();
    const res = await fetch(`${base}/status`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = AgentStatusSchema.parse(await res.json());
    assert.equal(body.instances[0].name, 'VI_1');
    assert.equal(body.instances[0].counters.drops.checksum, 2);
    assert.equal(running[0].address, '127.0.0.1');
  });

  it('the schema rejects a status that drifted (unknown or missing field)', () => {
    const bad = { ...fakeAgentStatus(), extra: 1 };
    assert.equal(AgentStatusSchema.safeParse(bad).success, false);
    const { counters: _c, ...noCounters } = fakeInstanceStatus();
    assert.equal(AgentStatusSchema.safeParse(fakeAgentStatus([noCounters as never])).success, false);
  });

  it('/metrics exposes state, priority, adverts, drops by reason, transitions, trackers, event loop', async () => {
    status = fakeAgentStatus([
      fakeInstanceStatus(),
      fakeInstanceStatus({
        name: 'VI_2',
        state: 'FAULT',
        effectivePriority: 0,
        transitionCounts: { FAULT: 2 },
        handover: {
          peer: '10.0.0.2',
          phase: 'draining',
          since: '2026-01-01T00:00:04.000Z',
          ports: ['80'],
          openConnections: 3,
          peakConnections: 4,
          returnPath: false,
          outcomes: { 'handed-over': 1 },
          last: null,
        },
      }),
    ]);
    const base = await start();
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of [
      'ha_agent_vrrp_state{instance="VI_1",state="MASTER"} 1',
      'ha_agent_vrrp_state{instance="VI_1",state="BACKUP"} 0',
      'ha_agent_vrrp_state{instance="VI_2",state="FAULT"} 1',
      'ha_agent_vrrp_priority{instance="VI_1",kind="effective"} 150',
      'ha_agent_vrrp_adverts_sent_total{instance="VI_1"} 42',
      'ha_agent_vrrp_adverts_received_total{instance="VI_1"} 3',
      'ha_agent_vrrp_drops_total{instance="VI_1",reason="checksum"} 2',
      'ha_agent_vrrp_transitions_total{instance="VI_2",to="FAULT"} 2',
      'ha_agent_tracker_up{instance="VI_1",tracker="lb",kind="balancer"} 1',
      'ha_agent_handover_phase{instance="VI_2",phase="draining"} 1',
      'ha_agent_handover_phase{instance="VI_2",phase="armed"} 0',
      'ha_agent_handover_open_connections{instance="VI_2"} 3',
      'ha_agent_handovers_total{instance="VI_2",outcome="handed-over"} 1',
    ]) {
      assert.ok(text.includes(line), `missing ${line}`);
    }
    assert.match(text, /ha_agent_nodejs_eventloop_lag_p99_seconds \d/);
    assert.doesNotMatch(text, /ha_agent_handover_phase\{instance="VI_1"/, 'no bridge configured: no series');
    assert.ok(AgentStatusSchema.safeParse(status).success, 'the handover object is in the schema');
  });

  it('/healthz answers ok', async () => {
    const base = await start();
    const res = await fetch(`${base}/healthz`);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('with a token: 401 when missing or wrong, 200 with the right bearer; /healthz stays open', async () => {
    const base = await start('s3cret-token');
    for (const path of ['/status', '/metrics']) {
      const none = await fetch(`${base}${path}`);
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      const wrong = await fetch(`${base}${path}`, { headers: { authorization: 'Bearer s3cret-tokeX' } });
      assert.equal(wrong.status, 401);
      const short = await fetch(`${base}${path}`, { headers: { authorization: 'Bearer s3' } });
      assert.equal(short.status, 401);
      const basic = await fetch(`${base}${path}`, { headers: { authorization: 'Basic s3cret-token' } });
      assert.equal(basic.status, 401);
      const ok = await fetch(`${base}${path}`, { headers: { authorization: 'Bearer s3cret-token' } });
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
    }
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  it('unknown paths are 404', async () => {
    const base = await start();
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });
});

describe('EventLoopMonitor', () => {
  it('threshold: a quarter of the smallest advert_int, at least 10 ms', () => {
    assert.equal(vrrpStallThresholdMs([1, 3]), 250);
    assert.equal(vrrpStallThresholdMs([0.02]), 10);
    assert.equal(vrrpStallThresholdMs([]), 250);
  });

  it('logs a stall longer than the threshold (a real blocked loop)', async () => {
    const warnings: { stallMs: number }[] = [];
    const log = {
      debug() {},
      info() {},
      error() {},
      warn: (o: object) => warnings.push(o as { stallMs: number }),
    };
    const m = new EventLoopMonitor({ thresholdMs: 60, probeMs: 10, logger: log });
    m.start();
    try {
      await holdsFor(() => m.stalls === 0, 100, 'no stall while idle');
      const until = performance.now() + 200;
      while (performance.now() < until) {
        // block the event loop for 200 ms
      }
      await waitFor(() => m.stalls > 0, 1000, 'the stall to be counted');
      assert.equal(m.stalls, 1);
      assert.ok(warnings[0].stallMs >= 150, `stall measured ${warnings[0].stallMs} ms`);
      const s = m.status();
      assert.ok(s.delayMaxMs >= 150, `histogram max ${s.delayMaxMs}`);
      assert.equal(s.stallThresholdMs, 60);
    } finally {
      m.stop();
    }
  });
});
