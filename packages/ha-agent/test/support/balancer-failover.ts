// The balancer-failover scenario both failover tests run (fake and real balancer): each node's agent
// tracks its local balancer; node 0 (priority 150) is MASTER; its balancer gets SIGKILL.
import type { LabFixture } from './lab-fixture.ts';
import { isBackupOf, keepalivedConf, type Proc } from './netns.ts';
import { holdsFor, waitFor } from './wait-for.ts';

/** keepalived.conf for node `i`: one instance tracking `vrrp_track_balancer LB { socket; weight }`. */
export function balancerAgentConf(o: {
  i: number;
  vrid: number;
  vip: string;
  socket: string;
  weight: number;
}): string {
  return keepalivedConf({
    vrid: o.vrid,
    priority: o.i === 0 ? 150 : 100,
    vip: `${o.vip}/24`,
    extra: '  track_balancer {\n    LB\n  }\n',
  }).replace(
    'vrrp_instance',
    `vrrp_track_balancer LB {\n  socket ${o.socket}\n  weight ${o.weight}\n  heartbeat_timeout 1\n}\nvrrp_instance`,
  );
}

/**
 * Waits for node 0 MASTER and node 1 its BACKUP, SIGKILLs node 0's balancer and returns the ms until
 * the VIP is on node 1 (and checks it left node 0).
 */
export async function killMastersBalancer(fx: LabFixture, balancers: Proc[], vip: string): Promise<number> {
  const on = (i: number) => fx.on(i, vip);
  await waitFor(
    () => on(0) && !on(1) && isBackupOf(fx.lab.nodes[1].ns, fx.lab.nodes[0].ipv4),
    25_000,
    'VIP on the priority-150 node, the peer BACKUP',
  );
  await holdsFor(() => on(0) && !on(1), 1500, 'a stable MASTER');
  const t0 = performance.now();
  balancers[0].kill('SIGKILL');
  await waitFor(() => on(1), 8000, 'VIP on the peer', 5);
  const ms = performance.now() - t0;
  await waitFor(() => !on(0), 3000, 'VIP gone from the node whose balancer died');
  return ms;
}
