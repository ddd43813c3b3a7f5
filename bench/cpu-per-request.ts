/**
 * CPU time per request of the balancer and of HAProxy on the workloads of http-vs-haproxy.ts (default
 * (a), keep-alive both sides, two nginx backends): wrk for a fixed time, the proxy's user+system CPU
 * from /proc/PID/stat over exactly that window, divided by the requests wrk completed. Steadier than
 * req/s on a shared machine (other jobs slow everybody's wall clock, less so each request's CPU).
 * The proxy is pinned to CPU 0, wrk and nginx to CPU 1 (taskset).
 *
 *   node bench/cpu-per-request.ts [--workloads a,b,c,d,e] [--rounds 3] [--seconds 5]
 *        [--baseline OTHER_CHECKOUT] [--cpu-prof]
 *
 * --baseline: a third proxy in the same runs, the balancer of another checkout (its root directory, e.g.
 * a copy of main before a change): before/after side by side with HAProxy.
 * --cpu-prof: per workload one more balancer run under `node --cpu-prof`, and the top functions by self
 * time over the measured window only (start-up, warm-up and stop left out).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath } from '../packages/balancer/test/support/proc.ts';
import { exchange } from '../packages/balancer/test/support/raw-client.ts';
import { benchConfig, type Workload } from './http-vs-haproxy.ts';
import {
  installSignalCleanup,
  pin,
  RESULTS_DIR,
  startNginxBackends,
  startProxyFor,
  stopAll,
} from './lib/bench-procs.ts';
import { formatSelfTime, topSelfTime } from './lib/cpu-profile.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    conns: { type: 'string', default: '50' },
    workloads: { type: 'string', default: 'a' },
    baseline: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const rounds = Math.min(7, Math.max(1, Number(values.rounds)));
const seconds = Math.min(30, Math.max(2, Number(values.seconds)));
const conns = Math.min(1000, Math.max(1, Number(values.conns)));
const workloads = values.workloads.split(',').filter((w): w is Workload => 'abcde'.includes(w) && w !== '');
const baselineCli = values.baseline
  ? join(resolve(values.baseline), 'packages/balancer/src/cli.ts')
  : undefined;
const PROXY_CPU = 0;
const LOAD_CPU = 1;

type Kind = 'haproxy' | 'balancer' | 'baseline';

/** [utime, stime] of a process (fields 14, 15 of /proc/PID/stat), in clock ticks (1/100 s). */
function cpuTicks(pid: number): [number, number] {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]), Number(f[12])];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(
  kind: Kind,
  w: Workload,
  backends: number[],
): Promise<{ rps: number; us: number; sysUs: number }> {
  const port = await freePort();
  const proxy = await startProxyFor(
    kind === 'haproxy' ? 'haproxy' : 'balancer',
    benchConfig(w, port, backends),
    port,
    {
      cpu: PROXY_CPU,
      cli: kind === 'baseline' ? baselineCli : undefined,
    },
  );
  try {
    const smoke = await exchange(port, ['GET / HTTP/1.1\r\nHost: bench\r\n\r\n'], { idleMs: 200, ms: 5000 });
    if (smoke.responses[0]?.status !== 200) throw new Error(`${kind} smoke request failed`);
    const url = `http://127.0.0.1:${port}/`;
    await wrk(url, { threads: 1, conns, seconds: 2, cpu: LOAD_CPU }); // warm-up (JIT, pools)
    const t0 = cpuTicks(proxy.pid);
    const res = await wrk(url, { threads: 1, conns, seconds, cpu: LOAD_CPU });
    const t1 = cpuTicks(proxy.pid);
    const reqs = res.rps * seconds;
    const userUs = ((t1[0] - t0[0]) * 10_000) / reqs;
    const sysUs = ((t1[1] - t0[1]) * 10_000) / reqs;
    return { rps: res.rps, us: userUs + sysUs, sysUs };
  } finally {
    await proxy.stop(5000);
  }
}

async function profile(w: Workload, backends: number[]): Promise<void> {
  const dir = join(RESULTS_DIR, `cpuprof-${w}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const spawnedAt = Date.now();
  const proxy = await startProxyFor('balancer', benchConfig(w, port, backends), port, {
    cpu: PROXY_CPU,
    cpuProfDir: dir,
  });
  let from = 0;
  let to = 0;
  try {
    const url = `http://127.0.0.1:${port}/`;
    await wrk(url, { threads: 1, conns, seconds: 2, cpu: LOAD_CPU });
    from = Date.now() - spawnedAt;
    await wrk(url, { threads: 1, conns, seconds, cpu: LOAD_CPU });
    to = Date.now() - spawnedAt;
  } finally {
    await proxy.stop(10_000); // graceful stop: node writes the profile at exit
  }
  const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
  if (!file) return console.log(`  (no .cpuprofile in ${dir})`);
  const s = topSelfTime(join(dir, file), 25, from, to);
  console.log(
    `\nbalancer, workload ${w}, self time over the measured window (${s.samples} samples) — ${join(dir, file)}`,
  );
  for (const l of formatSelfTime(s, to - from)) console.log(l);
}

installSignalCleanup();
try {
  if (!haproxyPath()) throw new Error('haproxy not found');
  const { ports, procs } = await startNginxBackends(2);
  for (const p of procs) pin(p.pid, LOAD_CPU);
  const kinds: Kind[] = ['haproxy', 'balancer', ...(baselineCli ? (['baseline'] as Kind[]) : [])];
  console.log(`proxy on CPU ${PROXY_CPU}, wrk -t1 -c${conns} -d${seconds}s and nginx on CPU ${LOAD_CPU}`);
  const summary: string[] = [];
  for (const w of workloads) {
    const us: Record<Kind, number[]> = { haproxy: [], balancer: [], baseline: [] };
    const rps: Record<Kind, number[]> = { haproxy: [], balancer: [], baseline: [] };
    for (let r = 0; r < rounds; r++) {
      for (const kind of kinds) {
        const m = await measure(kind, w, ports);
        us[kind].push(m.us);
        rps[kind].push(m.rps);
        console.log(
          `${w} round ${r + 1} ${kind.padEnd(8)} ${m.rps.toFixed(0).padStart(6)} req/s  ${m.us.toFixed(1).padStart(6)} µs CPU/request (system ${m.sysUs.toFixed(1)})`,
        );
      }
    }
    const h = median(us.haproxy);
    summary.push(
      `(${w}) ` +
        kinds
          .map(
            (k) =>
              `${k} ${median(us[k]).toFixed(1)} µs (${median(rps[k]).toFixed(0)} req/s, H/x ${(h / median(us[k])).toFixed(2)})`,
          )
          .join('  '),
    );
    if (values['cpu-prof']) await profile(w, ports);
  }
  console.log("\nmedians, CPU per request (H/x: HAProxy CPU ÷ that proxy's, the CPU-time ratio)");
  for (const l of summary) console.log(l);
} finally {
  await stopAll();
}
