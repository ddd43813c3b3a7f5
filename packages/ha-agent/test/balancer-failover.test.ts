// The headline: the balancer on the MASTER node dies (SIGKILL on a process serving the health API) and
// the VIP is on the peer in under a second at advert_int 1 — weight 0 puts the instance in FAULT, it
// sends priority 0, and the peer takes over after Skew_Time instead of Master_Down_Interval.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { balancerAgentConf, killMastersBalancer } from './support/balancer-failover.ts';
import { useLab } from './support/lab-fixture.ts';
import { isRoot, type Proc, spawnIn, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

const FAKE_BALANCER = new URL('./support/fake-balancer.ts', import.meta.url).pathname;
const VIP = '10.65.0.100';

describe('balancer tracking failover', { skip: !isRoot && 'needs root (netns)' }, () => {
  const fx = useLab(2, 65);
  const { procs, dump } = fx;

  /** Two nodes each with a fake balancer and an agent tracking it; SIGKILL node 0's balancer. */
  async function failover(weight: number, vrid: number, vip: string): Promise<number> {
    const balancers: Proc[] = [];
    const agents: Proc[] = [];
    for (const i of [0, 1]) {
      const socket = join(fx.lab.dir, `health-${vrid}-${i}.sock`);
      const lb = spawnIn(fx.lab.nodes[i].ns, process.execPath, [FAKE_BALANCER, '--socket', socket]);
      procs.push(lb);
      balancers.push(lb);
      await waitFor(() => lb.output().includes('READY'), 5000, `fake balancer ${i}`);
      const conf = balancerAgentConf({ i, vrid, vip, socket, weight });
      agents.push(fx.startAgent(i, `lb-agent-${vrid}-${i}`, conf));
    }
    try {
      const ms = await killMastersBalancer(fx, balancers, vip);
      return ms;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      for (const a of agents) await stopProc(a);
      for (const b of balancers) await stopProc(b, 'SIGKILL');
    }
  }

  it('SIGKILL on the MASTER’s balancer: VIP on the peer in < 1 s (advert_int 1, weight 0)', async () => {
    const ms = await failover(0, 65, VIP);
    console.log(`# balancer SIGKILL → VIP on the peer after ${ms.toFixed(1)} ms (advert_int 1, weight 0)`);
    assert.ok(ms < 1000, `failover took ${ms.toFixed(1)} ms`);
  });

  it('with weight -60 instead, the peer waits out Master_Down_Interval (the documented slow path)', async () => {
    const ms = await failover(-60, 66, '10.65.0.101');
    console.log(`# balancer SIGKILL → VIP on the peer after ${ms.toFixed(1)} ms (advert_int 1, weight -60)`);
    // 150 - 60 = 90 < 100: the preempting peer discards the lowered adverts; Master_Down_Interval 3.6 s
    // runs from the last advert it accepted (sent up to 1 s before the kill).
    assert.ok(ms > 2000 && ms < 6000, `failover took ${ms.toFixed(1)} ms`);
  });
});
