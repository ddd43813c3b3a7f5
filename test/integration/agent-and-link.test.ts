// Scenarios 3, 4, 5 on the seed's pair running ours (balancer + ha-agent on both front nodes):
// the agent stops cleanly (priority 0), the agent is killed (Master_Down_Interval), HA-master's cable
// is pulled and plugged back (preempt; with nopreempt it stays BACKUP). Outage figures are printed;
// the assertions are who holds the VIP and that traffic flows through the expected node.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isRoot } from '../../packages/ha-agent/test/support/netns.ts';
import { holdsFor, waitFor } from '../../packages/ha-agent/test/support/wait-for.ts';
import { epochNow, startClient } from './support/client.ts';
import { type FrontPair, pairOutput, startPair } from './support/front-pair.ts';
import { summarize } from './support/outage.ts';
import { describeRow, measure, type Row, table, useSeedTopology } from './support/scenario.ts';
import { LAB } from './support/seed-configs.ts';
import { readUnit, timeSpanMs, value } from './support/systemd-unit.ts';
import type { Topology } from './support/topology.ts';

/** Waits for the VIP on `node` alone and traffic through it; returns ms since `t0` and the client's view. */
async function comeBack(
  topo: Topology,
  node: 'ha-master' | 'ha-slave',
  t0: number,
  client: ReturnType<typeof startClient>,
) {
  await waitFor(() => topo.holders(LAB.vip).join() === node, 20_000, `the VIP on ${node} alone`, 5);
  const ms = epochNow() - t0;
  await client.served(`traffic through ${node}`, (r) => r.via === topo.nodes[node].ipv4, t0);
  await client.steady(25);
  return ms;
}

describe('scenarios 3–5: the agent and the link on HA-master (ours)', {
  skip: !isRoot && 'needs root (network namespaces)',
}, () => {
  const fx = useSeedTopology();
  const rows: Row[] = [];
  after(() => {
    if (rows.length) console.log(`# agent and link failures, ours:\n${table(rows).replace(/^/gm, '# ')}`);
  });
  const run = async (fn: (pair: FrontPair) => Promise<void>, opts: { nopreempt?: boolean } = {}) => {
    const pair = await startPair(fx.topo, 'ours', opts);
    try {
      await fn(pair);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
    } finally {
      await pair.stop();
    }
  };
  const record = (row: Row) => {
    rows.push(row);
    console.log(`# ${describeRow(row)}`);
  };

  it('3: agent SIGTERM on HA-master (systemctl stop): priority-0 advert, the VIP on HA-slave', () =>
    run(async (pair) => {
      const m = await measure(fx.topo, {
        from: 'ha-master',
        to: 'ha-slave',
        event: () => pair.vrrp['ha-master'].kill('SIGTERM'),
      });
      record({ scenario: '3 agent SIGTERM', stack: 'ours', ...m });
      assert.deepEqual(fx.topo.holders(LAB.vip), ['ha-slave']);
      assert.ok(m.summary.recovered);
    }));

  it('4: agent SIGKILL on HA-master: HA-slave takes over after Master_Down_Interval; the restarted agent clears the stale VIP and preempts', () =>
    run(async (pair) => {
      const { topo } = fx;
      // The killed agent cannot remove its VIP: both nodes hold it until the agent is back.
      const m = await measure(topo, {
        from: 'ha-master',
        to: 'ha-slave',
        event: () => pair.vrrp['ha-master'].kill('SIGKILL'),
        stillOnFromOk: true,
      });
      record({ scenario: '4 agent SIGKILL', stack: 'ours', ...m });
      // systemd's Restart=on-failure after RestartSec=.
      const restartMs = timeSpanMs(value(readUnit('ha-agent.service'), 'Service', 'RestartSec'));
      const client = startClient(topo, LAB.vip);
      await client.served('traffic through ha-slave', (r) => r.via === LAB.slave, 0);
      const t0 = epochNow();
      await new Promise((ok) => setTimeout(ok, restartMs));
      pair.restartVrrp('ha-master');
      const back = await comeBack(topo, 'ha-master', t0, client);
      record({
        scenario: '4 agent restarted (RestartSec) → preempts',
        stack: 'ours',
        vipMovedMs: back,
        summary: summarize(await client.stop()),
      });
      assert.ok(pair.isBackup('ha-slave', 'ha-master'));
    }));

  it('5: HA-master’s cable pulled: the VIP on HA-slave; plugged back: HA-master preempts', () =>
    run(async (pair) => {
      const { topo } = fx;
      const m = await measure(topo, {
        from: 'ha-master',
        to: 'ha-slave',
        event: () => topo.cable('ha-master', false),
      });
      record({ scenario: '5 cable pulled', stack: 'ours', ...m });
      const client = startClient(topo, LAB.vip);
      await client.served('traffic through ha-slave', (r) => r.via === LAB.slave, 0);
      const t0 = epochNow();
      topo.cable('ha-master', true);
      const back = await comeBack(topo, 'ha-master', t0, client);
      record({
        scenario: '5 cable back → preempts',
        stack: 'ours',
        vipMovedMs: back,
        summary: summarize(await client.stop()),
      });
      await waitFor(() => pair.isBackup('ha-slave', 'ha-master'), 10_000, 'ha-slave BACKUP again');
    }));

  it('5 (nopreempt, both state BACKUP): cable back, HA-master stays BACKUP and the VIP stays on HA-slave', () =>
    run(
      async (pair) => {
        const { topo } = fx;
        const m = await measure(topo, {
          from: 'ha-master',
          to: 'ha-slave',
          event: () => topo.cable('ha-master', false),
        });
        record({ scenario: '5 cable pulled (nopreempt)', stack: 'ours', ...m });
        topo.cable('ha-master', true);
        await waitFor(() => pair.isBackup('ha-master', 'ha-slave'), 15_000, 'ha-master BACKUP of ha-slave');
        // Longer than Master_Down_Interval (3 × advert_int + skew): a preempting node would have taken it.
        await holdsFor(
          () => topo.holders(LAB.vip).join() === 'ha-slave',
          5000,
          'the VIP staying on ha-slave',
        );
        assert.ok(pair.isBackup('ha-master', 'ha-slave'));
      },
      { nopreempt: true },
    ));
});
