// Scenario 6 — web1 killed under a client holding its cookie: checks take it out, retries + redispatch
// answer from web2 meanwhile (both stacks side by side). Scenario 7 — reload of HA-master's balancer under load, the way systemctl reload does it
// (balancer.service's ExecReload= lines: the configuration check, then SIGUSR2 to $MAINPID): no
// request fails and the VIP does not move. Active-active (the seed's reference "双主"): two VRRP
// instances and two VIPs, each node MASTER of one; losing either node's balancer leaves both VIPs
// served. Scenario 6: web1 dies under a cookie-A client, for both stacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRoot } from '../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../packages/ha-agent/test/support/wait-for.ts';
import { epochNow, startClient } from './support/client.ts';
import { pairOutput, startPair } from './support/front-pair.ts';
import { formatSummary, summarize } from './support/outage.ts';
import { describeRow, measure, useSeedTopology } from './support/scenario.ts';
import { LAB, VIP2 } from './support/seed-configs.ts';
import { fetchFromClient, reloadBalancer, startWebNode } from './support/services.ts';

const RELOADS = 3;

describe('scenarios 6 (both stacks), 7 and active-active (ours)', {
  skip: !isRoot && 'needs root (network namespaces)',
}, () => {
  const fx = useSeedTopology();

  it('7: HA-master’s balancer reloaded 3 times under load: no failed request, the VIP stays', async () => {
    const { topo } = fx;
    const pair = await startPair(topo, 'ours');
    const client = startClient(topo, LAB.vip);
    // Load beside the client loop: wrk from the client, bounded in time.
    const wrk = topo.spawn('client', 'wrk', ['-t1', '-c8', '-d6s', '--timeout', '3s', `http://${LAB.vip}/`]);
    try {
      await client.served('traffic through ha-master', (r) => r.via === LAB.master, 0);
      await client.steady(25);
      let moved = false;
      const watch = setInterval(() => {
        if (topo.holders(LAB.vip).join() !== 'ha-master') moved = true;
      }, 50);
      try {
        for (let i = 0; i < RELOADS; i++) {
          reloadBalancer(topo, pair.lb['ha-master']);
          await waitFor(
            () => (pair.lb['ha-master'].output().match(/SIGUSR2 received/g) ?? []).length > i,
            10_000,
            `reload ${i + 1} seen by the balancer`,
            20,
          );
          await client.steady(15);
        }
      } finally {
        clearInterval(watch);
      }
      await wrk.exited;
      const s = summarize(await client.stop());
      const load = /(\d+) requests in [\d.]+\w+/.exec(wrk.output())?.[0] ?? 'wrk: no summary';
      const errs = /Socket errors:.*|Non-2xx or 3xx responses: \d+/g;
      console.log(
        `# 7 reload ×${RELOADS} under load [ours]: client: ${formatSummary(s)}; wrk: ${load}${(wrk.output().match(errs) ?? []).map((e) => `; ${e}`).join('')}`,
      );
      assert.equal(moved, false, 'the VIP moved during the reloads');
      assert.equal(s.failed, 0, `failed requests: ${JSON.stringify(s.errors)}`);
      assert.equal(pair.lb['ha-master'].proc.child.exitCode, null, 'the balancer is still running');
      assert.doesNotMatch(wrk.output(), /Non-2xx|Socket errors/, wrk.output());
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
    } finally {
      wrk.kill('SIGKILL');
      await client.stop();
      await pair.stop();
    }
  });

  it('active-active: VIP on HA-master, VIP2 on HA-slave; either balancer dies: both VIPs served by the other', async () => {
    const { topo } = fx;
    const pair = await startPair(topo, 'ours', { activeActive: true });
    const served = (vip: string, via: string) => (fetchFromClient(topo, vip) ?? '').includes(` via ${via}`);
    try {
      assert.ok(served(LAB.vip, LAB.master) && served(VIP2, LAB.slave), 'each VIP through its own node');
      const a = await measure(topo, {
        from: 'ha-master',
        to: 'ha-slave',
        event: () => pair.lb['ha-master'].kill('SIGKILL'),
      });
      console.log(
        `# ${describeRow({ scenario: 'active-active: HA-master balancer SIGKILL, VIP', stack: 'ours', ...a })}`,
      );
      assert.deepEqual(topo.holders(VIP2), ['ha-slave']);
      assert.ok(served(VIP2, LAB.slave), 'VIP2 still served by HA-slave');
      // HA-master's balancer back: it preempts its VIP again.
      await pair.restartProxy('ha-master');
      await waitFor(
        () => topo.holders(LAB.vip).join() === 'ha-master',
        20_000,
        'the VIP back on ha-master',
        20,
      );
      const b = await measure(topo, {
        from: 'ha-slave',
        to: 'ha-master',
        vip: VIP2,
        event: () => pair.lb['ha-slave'].kill('SIGKILL'),
      });
      console.log(
        `# ${describeRow({ scenario: 'active-active: HA-slave balancer SIGKILL, VIP2', stack: 'ours', ...b })}`,
      );
      assert.deepEqual(topo.holders(LAB.vip), ['ha-master']);
      assert.ok(served(LAB.vip, LAB.master) && served(VIP2, LAB.master), 'both VIPs through HA-master');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
    } finally {
      await pair.stop();
    }
  });

  for (const stack of ['ours', 'haproxy+keepalived'] as const) {
    it(`6: web1 down: checks mark it DOWN, cookie-A clients redispatched to web2 with no failed request [${stack}]`, async () => {
      const { topo } = fx;
      const pair = await startPair(topo, stack);
      // a browser holding web1's cookie (the seed's `cookie SESSION_ID insert`, server web1 `cookie A`)
      const client = startClient(topo, LAB.vip, { cookie: 'SESSION_ID=A', everyMs: 50, timeoutMs: 9000 });
      let web1Back = false;
      try {
        await client.served('the cookie-A client on web1', (r) => r.by === 'web1' && r.sent === 'A', 0);
        await client.steady(10);
        const t0 = epochNow();
        fx.web.web1.kill('SIGKILL');
        await fx.web.web1.exited;
        const moved = await client.served('the client on web2', (r) => r.by === 'web2', t0, 20_000);
        // the balancer's checks (inter 3000 fall 3) take web1 out; until then retries + redispatch cover
        await waitFor(
          () => /Server dynamic\/web1 is DOWN/.test(pair.lb['ha-master'].output()),
          30_000,
          'web1 marked DOWN by the checks',
          50,
        );
        const tDown = epochNow();
        await client.steady(10);
        const rs = await client.stop();
        const after = rs.filter((r) => r.start >= t0);
        // the requests sent after the kill: one in flight to web1 as it died is lost to any proxy (its
        // answer never comes; HAProxy 2.6 does not resend a request a server has taken)
        const s = summarize(after);
        const beforeDown = after.filter((r) => r.end <= tDown);
        console.log(
          `# 6 web1 SIGKILL, cookie-A client [${stack}]: first answer from web2 ${Math.round(moved.end - t0)} ms after the kill ` +
            `(cookie then ${JSON.stringify(moved.set)}); web1 DOWN after ${Math.round(tDown - t0)} ms; ` +
            `${beforeDown.length} requests before DOWN; client: ${formatSummary(s)}`,
        );
        assert.equal(s.failed, 0, `failed requests: ${JSON.stringify(s.errors)}`);
        assert.equal(moved.sent, 'A', 'the first request after the kill still carried web1’s cookie');
        assert.equal(moved.set, 'B', 'the redispatched client is given web2’s cookie');
        assert.ok(
          after.filter((r) => r.start >= moved.end).every((r) => r.by === 'web2' && r.sent === 'B'),
          'afterwards the client sticks to web2',
        );
        fx.web.web1 = await startWebNode(topo, 'web1');
        web1Back = true;
        await waitFor(
          () => /Server dynamic\/web1 is UP/.test(pair.lb['ha-master'].output()),
          30_000,
          'web1 UP again',
          50,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
      } finally {
        await client.stop();
        await pair.stop();
        if (!web1Back) fx.web.web1 = await startWebNode(topo, 'web1');
      }
    });
  }
});
