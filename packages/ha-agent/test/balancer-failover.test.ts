// The headline: the balancer on the MASTER node dies (SIGKILL on a process serving the health API) and
// the VIP is on the peer in under a second at advert_int 1 — weight 0 puts the instance in FAULT, it
// sends priority 0, and the peer takes over after Skew_Time instead of Master_Down_Interval.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createLab,
  hasAddress,
  holdsFor,
  isBackupOf,
  isRoot,
  keepalivedConf,
  type Lab,
  type Proc,
  spawnIn,
  startAgent,
  stopProc,
  waitFor,
} from './helpers/netns.ts';

const FAKE_BALANCER = new URL('../src/track/fake-balancer.ts', import.meta.url).pathname;
const VIP = '10.65.0.100';

describe('balancer tracking failover', { skip: !isRoot && 'needs root (netns)' }, () => {
  let lab: Lab;
  const procs: Proc[] = [];
  const dump = () => procs.map((p) => p.output().slice(-1500)).join('\n---\n');
  before(() => {
    lab = createLab(2, 65);
  });
  after(async () => {
    await Promise.all(procs.map((p) => stopProc(p, 'SIGKILL')));
    lab?.destroy();
  });

  it('SIGKILL on the MASTER’s balancer: VIP on the peer in < 1 s (advert_int 1, weight 0)', async () => {
    const balancers: Proc[] = [];
    const agents: Proc[] = [];
    for (const i of [0, 1]) {
      const socket = join(lab.dir, `health-${i}.sock`);
      const lb = spawnIn(lab.nodes[i].ns, process.execPath, [FAKE_BALANCER, '--socket', socket]);
      procs.push(lb);
      balancers.push(lb);
      await waitFor(() => lb.output().includes('READY'), 5000, `fake balancer ${i}`);
      const conf = keepalivedConf({
        vrid: 65,
        priority: i === 0 ? 150 : 100,
        vip: `${VIP}/24`,
        extra: '  track_balancer {\n    LB\n  }\n',
      }).replace(
        'vrrp_instance',
        `vrrp_track_balancer LB {\n  socket ${socket}\n  weight 0\n  heartbeat_timeout 1\n}\nvrrp_instance`,
      );
      const agent = startAgent(lab, lab.nodes[i].ns, `lb-agent-${i}`, conf);
      procs.push(agent);
      agents.push(agent);
    }
    const on = (i: number) => hasAddress(lab.nodes[i].ns, VIP);
    try {
      await waitFor(
        () => on(0) && !on(1) && isBackupOf(lab.nodes[1].ns, '10.65.0.1'),
        20_000,
        'VIP on the priority-150 node, the peer BACKUP',
      );
      await holdsFor(() => on(0) && !on(1), 1500, 'a stable MASTER');
      const t0 = performance.now();
      balancers[0].kill('SIGKILL');
      await waitFor(() => on(1), 5000, 'VIP on the peer', 5);
      const ms = performance.now() - t0;
      console.log(`# balancer SIGKILL → VIP on the peer after ${ms.toFixed(1)} ms (advert_int 1, weight 0)`);
      assert.ok(ms < 1000, `failover took ${ms.toFixed(1)} ms`);
      await waitFor(() => !on(0), 2000, 'VIP gone from the faulty node');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      for (const a of agents) await stopProc(a);
    }
  });
});
