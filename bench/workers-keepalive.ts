/**
 * `nbthread 2` vs `nbthread 1`: keep-alive throughput of the balancer with two worker processes and
 * with one, and how evenly the kernel spreads connections over the workers — each worker's own
 * SO_REUSEPORT socket (the default) vs one socket the master shares with them (`-dR`). wrk keeps
 * `--conns` keep-alive connections to one nginx backend through the balancer.
 *
 * Pinning: with 1 worker, the worker runs on CPU 0 (`cpu-map 1/1 0`) and wrk on CPU 1. With 2 workers
 * they take CPUs 0 and 1 (`cpu-map auto:1/1-2 0-1`) and wrk cannot be pinned away on a 2-CPU machine:
 * it shares CPU 1 (and the machine is shared with other engineers' work), so the req/s of 2 workers
 * is a lower bound; the CPU time per request (utime + stime of the workers, /proc) is the steadier
 * figure. Prints req/s, CPU µs per request, and each worker's share of the connections (from ss).
 * HAProxy 2.6 runs the same configuration with nbthread 1 and 2 (threads, same cpu-map) alongside.
 *
 *   node bench/workers-keepalive.ts [--seconds 5] [--rounds 2] [--conns 64]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTempDir } from '../packages/balancer/test/support/env.ts';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { childPids, haproxyPath, runCli } from '../packages/balancer/test/support/proc.ts';
import { waitFor } from '../packages/balancer/test/support/wait-for.ts';
import { installSignalCleanup, run, startNginxBackends, startProxyFor, stopAll } from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';
import { parseWrk } from './lib/wrk.ts';

function config(port: number, backend: number, workers: number, dir: string | null): string {
  return [
    'global',
    `    nbthread ${workers}`,
    workers === 1 ? '    cpu-map 1/1 0' : '    cpu-map auto:1/1-2 0-1',
    '    maxconn 8000',
    ...(dir === null ? [] : [`    health-socket ${dir}/h.sock`]),
    'defaults',
    '    mode http',
    '    option http-keep-alive',
    '    timeout connect 10s',
    '    timeout client 1m',
    '    timeout server 1m',
    'frontend proxy',
    `    bind 127.0.0.1:${port}`,
    '    default_backend dynamic',
    'backend dynamic',
    `    server web1 127.0.0.1:${backend}`,
    '',
  ].join('\n');
}

/** Established client connections on `port`, by owning pid. */
function connectionsByPid(port: number): Map<number, number> {
  const out = new Map<number, number>();
  const text = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`], {
    encoding: 'utf8',
  });
  for (const m of text.matchAll(/pid=(\d+)/g)) out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + 1);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      conns: { type: 'string', default: '64' },
    },
  });
  const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
  const rounds = Math.min(5, Math.max(1, Number(values.rounds)));
  const conns = Math.min(500, Math.max(2, Number(values.conns)));
  installSignalCleanup();
  const {
    ports: [backend],
  } = await startNginxBackends(1);
  console.log(
    `nginx on ${backend}; wrk -t1 -c${conns} -d${seconds}s on CPU 1; ${rounds} round(s); loaded machine`,
  );
  const cases = [
    { name: '1 worker', workers: 1, args: [] as string[] },
    { name: '2 workers, SO_REUSEPORT', workers: 2, args: [] },
    { name: '2 workers, shared socket (-dR)', workers: 2, args: ['-dR'] },
    ...(haproxyPath()
      ? [
          { name: 'haproxy nbthread 1', workers: 1, args: [], haproxy: true },
          { name: 'haproxy nbthread 2', workers: 2, args: [], haproxy: true },
        ]
      : []),
  ];
  const res = new Map<string, { rps: number[]; cpu: number[]; spread: string[] }>();
  for (let r = 0; r < rounds; r++)
    for (const c of cases) {
      const port = await freePort();
      const tmp = makeTempDir('bench-workers');
      const cfg = join(tmp.dir, 'haproxy.cfg');
      const isHaproxy = 'haproxy' in c;
      writeFileSync(cfg, config(port, backend, c.workers, isHaproxy ? null : tmp.dir));
      const ha = isHaproxy
        ? await startProxyFor('haproxy', config(port, backend, c.workers, null), port)
        : null;
      const { child, out } = ha ? { child: ha.child, out: null } : runCli(['-f', cfg, ...c.args]);
      try {
        const ok = ha !== null || (await waitFor(() => existsSync(join(tmp.dir, 'h.sock')), 20_000, 50));
        if (!ok) throw new Error(out?.text);
        // (haproxy's threads are one process: its /proc stat counts them all)
        const pids = c.workers === 1 || ha ? [child.pid!] : childPids(child.pid!);
        const url = `http://127.0.0.1:${port}/`;
        await run('taskset', ['-c', '1', 'wrk', '-t1', `-c${conns}`, '-d2s', url], 60_000); // warm-up
        const cpu0 = pids.reduce((n, p) => n + cpuMicros(p), 0);
        let spread = '';
        const sampling = new Promise<void>((resolve) =>
          setTimeout(
            () => {
              const by = connectionsByPid(port);
              spread = ha ? 'n/a (threads)' : pids.map((p) => by.get(p) ?? 0).join('/');
              resolve();
            },
            (seconds * 1000) / 2,
          ),
        );
        const w = parseWrk(
          await run(
            'taskset',
            ['-c', '1', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, url],
            (seconds + 30) * 1000,
          ),
        );
        await sampling;
        const cpu = (pids.reduce((n, p) => n + cpuMicros(p), 0) - cpu0) / (w.rps * seconds);
        const e = res.get(c.name) ?? { rps: [], cpu: [], spread: [] };
        e.rps.push(w.rps);
        e.cpu.push(cpu);
        e.spread.push(spread);
        res.set(c.name, e);
        console.log(
          `  round ${r + 1} ${c.name.padEnd(32)} ${w.rps.toFixed(0).padStart(7)} req/s  ${cpu.toFixed(1)} µs CPU/req  connections per worker ${spread}${w.errors ? `  (${w.errors})` : ''}`,
        );
      } finally {
        if (ha) await ha.stop(5000);
        else {
          child.kill('SIGTERM');
          await waitFor(() => out !== null && (out.code !== null || out.signal !== null), 15_000);
        }
        tmp.remove();
      }
    }
  console.log('\n                                  req/s (median)  CPU µs/request  connections per worker');
  for (const [k, v] of res)
    console.log(
      `${k.padEnd(34)}${median(v.rps).toFixed(0).padStart(14)}  ${median(v.cpu).toFixed(1).padStart(14)}  ${v.spread.join(' ')}`,
    );
  const one = res.get('1 worker');
  const two = res.get('2 workers, SO_REUSEPORT');
  if (one && two)
    console.log(`2 workers / 1 worker: ${(median(two.rps) / median(one.rps)).toFixed(2)}× req/s`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
