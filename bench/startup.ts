/**
 * Start-up to the first accepted connection, HAProxy 2.6 and the balancer side by side in one run, on
 * the seed configuration (packages/shared-config/test/fixtures/seed/haproxy.cfg): its binds moved to
 * free loopback ports (the frontend's legacy `frontend proxy *:80`, which HAProxy 2.6 refuses, written as
 * a `bind` line), `daemon` left out (both stay in the foreground), the pidfile in a temporary directory,
 * `maxconn 9000` instead of 20000 (HAProxy needs 2 × maxconn file descriptors; this box's hard limit
 * is 20000) and `nbthread 1` (the balancer is one thread). Each run spawns the proxy (the balancer through its bin, as a user starts it) and tries to
 * connect to the frontend's port every 2 ms until one succeeds; the time from spawn to that connection
 * is printed with the CPU time (user + system) the proxy had used by then, then the proxy is stopped. The proxies alternate. A script, not a test: it asserts nothing.
 *
 *   node bench/startup.ts [--rounds 7] [--balancer OTHER_CHECKOUT/packages/balancer/bin/balancer]
 *                         [--baseline OTHER_CHECKOUT/packages/balancer/bin/balancer]
 *
 * --baseline: a third proxy, another checkout's balancer (e.g. main before a change), in the same run.
 * The balancer's first run after a source change writes Node's compile cache (bin/balancer); the
 * median is over the runs after it too.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir, REPO_ROOT, which } from '../packages/balancer/test/support/env.ts';
import { freePorts } from '../packages/balancer/test/support/ports.ts';
import { type Managed, spawnManaged } from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, own, stopAll } from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    balancer: { type: 'string' },
    baseline: { type: 'string' },
  },
});
const ROUNDS = Math.max(1, Number(values.rounds));
const BALANCER = values.balancer ?? join(REPO_ROOT, 'packages/balancer/bin/balancer');
const HAPROXY = which('haproxy');
const GIVE_UP_MS = 20_000;
const SEED = join(REPO_ROOT, 'packages/shared-config/test/fixtures/seed/haproxy.cfg');

/** The seed, runnable here without root's ports or a daemon. */
function seedConfig(dir: string, web: number, stats: number): string {
  return readFileSync(SEED, 'utf8')
    .replace(/^\s*daemon\b.*$/m, '    nbthread 1')
    .replace(/^(\s*maxconn\s+)20000\b/m, '$19000')
    .replace(/\/var\/run\/haproxy\.pid/, join(dir, 'haproxy.pid'))
    .replace(/^frontend\s+proxy\s+\*:80\b/m, `frontend proxy\n    bind 127.0.0.1:${web}\n   `)
    .replace('*:8080', `127.0.0.1:${stats}`);
}

/** Resolves true once a TCP connection to port succeeds; false when `alive()` turns false or time runs out. */
async function firstAccept(port: number, alive: () => boolean, deadline: number): Promise<boolean> {
  while (performance.now() < deadline) {
    if (!alive()) return false;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

type Kind = 'haproxy' | 'balancer' | 'baseline';

/** wall ms from spawn to the first accepted connection, and the CPU ms the proxy had used by then */
interface Start {
  ms: number;
  cpuMs: number;
}

async function once(kind: Kind): Promise<Start | string> {
  const [web, stats] = await freePorts(2);
  const tmp = makeTempDir(`startup-${kind}`);
  const cfg = join(tmp.dir, 'haproxy.cfg');
  let text = seedConfig(tmp.dir, web, stats);
  if (kind !== 'haproxy')
    text = text.replace(/^global\b.*$/m, (g) => `${g}\n    health-socket ${join(tmp.dir, 'health.sock')}`);
  writeFileSync(cfg, text);
  const [cmd, args] =
    kind === 'haproxy'
      ? [HAPROXY as string, ['-db', '-f', cfg]]
      : [kind === 'baseline' ? (values.baseline as string) : BALANCER, ['-f', cfg]];
  const t0 = performance.now();
  const m: Managed = own(spawnManaged(cmd, args, tmp.dir));
  try {
    const ok = await firstAccept(web, m.alive, t0 + GIVE_UP_MS);
    const ms = performance.now() - t0;
    // haproxy -db and the balancer's bin (exec) keep the spawned pid
    return ok
      ? { ms, cpuMs: cpuMicros(m.pid) / 1000 }
      : `no accept (${m.output().trim().split('\n').slice(-2).join(' | ').slice(0, 200)})`;
  } finally {
    await m.stop(3000);
    tmp.remove();
  }
}

installSignalCleanup();
try {
  if (HAPROXY === null) console.log('# haproxy is not installed: balancer only');
  const kinds: Kind[] = HAPROXY === null ? ['balancer'] : ['haproxy', 'balancer'];
  if (values.baseline) kinds.push('baseline');
  const times: Record<Kind, number[]> = { haproxy: [], balancer: [], baseline: [] };
  const cpu: Record<Kind, number[]> = { haproxy: [], balancer: [], baseline: [] };
  console.log(
    `# spawn → first accepted connection on the seed's frontend, ${ROUNDS} rounds; node ${process.version}`,
  );
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of kinds) {
      const t = await once(k);
      if (typeof t !== 'string') {
        times[k].push(t.ms);
        cpu[k].push(t.cpuMs);
      } else console.log(`#   ${k}: ${t}`);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const min = (xs: number[]) => Math.min(...xs);
  // CPU ms (user + system, 10 ms ticks) by the first accept: what a busy machine changes least
  console.log(
    `${'proxy'.padEnd(9)} ${'median ms'.padStart(10)} ${'min ms'.padStart(8)} ${'CPU ms'.padStart(7)}  runs`,
  );
  for (const k of kinds)
    console.log(
      `${k.padEnd(9)} ${med(times[k]).toFixed(0).padStart(10)} ${min(times[k]).toFixed(0).padStart(8)} ${med(cpu[k]).toFixed(0).padStart(7)}  ${times[k].map((t) => t.toFixed(0)).join(' ')}`,
    );
} finally {
  await stopAll();
}
