// The headline with the real thing: on each node the real balancer (`node packages/balancer/src/cli.ts
// -f haproxy.cfg`, with `global` → `health-socket PATH` and a tiny frontend/backend on loopback in the
// node's namespace) and the real agent tracking it with vrrp_track_balancer weight 0. SIGKILL on the
// MASTER's balancer: the VIP must be on the peer in under a second (advert_int 1). Prints the figure.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { balancerAgentConf, killMastersBalancer } from './support/balancer-failover.ts';
import { useLab } from './support/lab-fixture.ts';
import { isRoot, type Proc, spawnIn, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

const BALANCER = new URL('../../balancer/src/cli.ts', import.meta.url).pathname;
const VIP = '10.73.0.100';

describe('failover when the real balancer dies', {
  skip: (!isRoot && 'needs root (netns)') || (!existsSync(BALANCER) && 'packages/balancer not there'),
}, () => {
  const fx = useLab(2, 73);

  it('SIGKILL on the MASTER’s real balancer: VIP on the peer in < 1 s (advert_int 1, weight 0)', async () => {
    const { lab } = fx;
    const balancers: Proc[] = [];
    const agents: Proc[] = [];
    try {
      for (const i of [0, 1]) {
        const socket = join(lab.dir, `health-${i}.sock`);
        const cfg = join(lab.dir, `haproxy-${i}.cfg`);
        writeFileSync(
          cfg,
          `global\n    health-socket ${socket}\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:8080\n    default_backend be\nbackend be\n    server s1 127.0.0.1:8081\n`,
        );
        const lb = spawnIn(lab.nodes[i].ns, process.execPath, [BALANCER, '-f', cfg]);
        fx.procs.push(lb);
        balancers.push(lb);
        await waitFor(
          () => existsSync(socket) || lb.child.exitCode !== null,
          15_000,
          `balancer ${i}'s health socket`,
        );
        assert.equal(lb.child.exitCode, null, `balancer ${i} exited:\n${lb.output()}`);
        const conf = balancerAgentConf({ i, vrid: 73, vip: VIP, socket, weight: 0 });
        agents.push(fx.startAgent(i, `real-lb-agent-${i}`, conf));
      }
      const ms = await killMastersBalancer(fx, balancers, VIP);
      console.log(
        `# real balancer SIGKILL → VIP on the peer after ${ms.toFixed(1)} ms (advert_int 1, weight 0)`,
      );
      assert.ok(ms < 1000, `failover took ${ms.toFixed(1)} ms`);
      assert.match(
        agents[0].output(),
        /health socket .* closed \(EOF\)|ECONNRESET/,
        'seen as a closed stream',
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${fx.dump()}`);
    } finally {
      for (const a of agents) await stopProc(a);
      for (const b of balancers) await stopProc(b, 'SIGKILL');
    }
  });
});
