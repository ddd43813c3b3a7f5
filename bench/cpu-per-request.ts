/**
 * CPU time per request of the balancer and of HAProxy on workload (a) of http-vs-haproxy.ts
 * (keep-alive both sides, two nginx backends): wrk for a fixed time, the proxy's user+system CPU from
 * /proc/PID/stat over exactly that window, divided by the requests wrk completed. Steadier than req/s
 * on a shared machine (other jobs slow everybody's wall clock, less so each request's CPU).
 *   node bench/cpu-per-request.ts [--rounds 3] [--seconds 5]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import type { ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, startNginxBackends, startProxyFor, stopAll } from './lib/bench-procs.ts';
import { wrk } from './lib/wrk.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } },
});
const rounds = Math.min(5, Math.max(1, Number(values.rounds)));
const seconds = Math.min(30, Math.max(2, Number(values.seconds)));

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15), in clock ticks (1/100 s)
}

function config(port: number, backends: number[]): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 8000',
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
    '    balance roundrobin',
    ...backends.map((p, i) => `    server web${i + 1} 127.0.0.1:${p}`),
    '',
  ].join('\n');
}

installSignalCleanup();
try {
  const { ports } = await startNginxBackends(2);
  for (let r = 0; r < rounds; r++) {
    for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
      const port = await freePort();
      const proxy = await startProxyFor(kind, config(port, ports), port);
      try {
        await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns: 50, seconds: 2 }); // warm-up
        const t0 = cpuTicks(proxy.pid);
        const res = await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns: 50, seconds });
        const cpuMs = (cpuTicks(proxy.pid) - t0) * 10;
        const reqs = res.rps * seconds;
        console.log(
          `round ${r + 1} ${kind.padEnd(8)} ${res.rps.toFixed(0).padStart(6)} req/s  ${((cpuMs * 1000) / reqs).toFixed(1).padStart(6)} µs CPU/request`,
        );
      } finally {
        await proxy.stop(5000);
      }
    }
  }
} finally {
  await stopAll();
}
