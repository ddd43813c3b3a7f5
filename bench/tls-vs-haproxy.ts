/**
 * TLS termination, HAProxy 2.6 (nbthread 1) vs the balancer, same config, one nginx backend, in one run:
 *
 *   node bench/tls-vs-haproxy.ts [--seconds 8] [--conns 50] [--hs-conns 16]
 *
 * - handshakes: new TLS connections per second, each a full handshake (TLS 1.3, RSA 2048 certificate,
 *   X25519; the client offers no session) and one request with Connection: close
 *   (bench/lib/tls-handshake-load.ts);
 * - keep-alive: HTTP/1.1 requests per second over TLS connections kept open (wrk -t1 -c50 https://).
 * The proxy is pinned to CPU 0 (`taskset -a -cp 0`), the load generators and nginx to CPU 1.
 * Certificates are made with openssl at start in a temporary directory. Everything it starts is stopped
 * at the end, on error and on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { makeTestCerts } from '../packages/balancer/test/support/tls-certs.ts';
import { installSignalCleanup, run, startNginxBackends, startProxyFor, stopAll } from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';
import { parseWrk, type WrkResult } from './lib/wrk.ts';

const pin = (pid: number, cpu: number) => execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)]);

function config(port: number, backend: number, crt: string): string {
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
    '    timeout http-keep-alive 10s',
    'frontend tls',
    `    bind 127.0.0.1:${port} ssl crt ${crt} alpn http/1.1`,
    '    default_backend web',
    'backend web',
    `    server web1 127.0.0.1:${backend}`,
    '',
  ].join('\n');
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      conns: { type: 'string', default: '50' },
      'hs-conns': { type: 'string', default: '16' },
    },
  });
  const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
  const conns = Math.min(500, Math.max(1, Number(values.conns)));
  const hsConns = Math.min(100, Math.max(1, Number(values['hs-conns'])));
  if (!haproxyPath()) throw new Error('haproxy not found');
  installSignalCleanup();
  const certs = makeTestCerts();
  const crt = join(certs.crtDir, '10-a.pem');
  const { ports, procs } = await startNginxBackends(1);
  for (const p of procs) pin(p.pid, 1);
  const rows: {
    kind: ProxyKind;
    hs: number;
    hsCpu: number;
    hsFailed: number;
    hsResumed: number;
    ka: WrkResult;
    kaCpu: number;
  }[] = [];
  try {
    for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
      const port = await freePort();
      const proxy = await startProxyFor(kind, config(port, ports[0], crt), port);
      pin(proxy.pid, 0);
      try {
        const load = join(import.meta.dirname, 'lib/tls-handshake-load.ts');
        // warm-up (JIT, pools), then the measured runs
        await run('taskset', ['-c', '1', process.execPath, load, String(port), '2', String(hsConns)], 30_000);
        const cpu0 = cpuMicros(proxy.pid);
        const hs = JSON.parse(
          await run(
            'taskset',
            ['-c', '1', process.execPath, load, String(port), String(seconds), String(hsConns)],
            (seconds + 30) * 1000,
          ),
        ) as {
          ok: number;
          failed: number;
          resumed: number;
          groups: Record<string, number>;
          perSecond: number;
        };
        const hsCpu = (cpuMicros(proxy.pid) - cpu0) / Math.max(1, hs.ok);
        await run(
          'taskset',
          ['-c', '1', 'wrk', '-t1', `-c${conns}`, '-d2s', `https://127.0.0.1:${port}/`],
          30_000,
        );
        const cpu1 = cpuMicros(proxy.pid);
        const out = await run(
          'taskset',
          ['-c', '1', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', `https://127.0.0.1:${port}/`],
          (seconds + 30) * 1000,
        );
        const ka = parseWrk(out);
        const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
        const kaCpu = (cpuMicros(proxy.pid) - cpu1) / requests;
        rows.push({ kind, hs: hs.perSecond, hsCpu, hsFailed: hs.failed, hsResumed: hs.resumed, ka, kaCpu });
        console.log(
          `  ${kind.padEnd(8)} handshakes ${f(hs.perSecond).padStart(6)}/s ${f(hsCpu)} µs CPU each (${hs.failed} failed, ${hs.resumed} resumed, ${Object.keys(hs.groups).join('+')})  keep-alive ${f(ka.rps).padStart(7)} req/s ${f(kaCpu, 1)} µs CPU each  p50 ${f(ka.p50ms, 2)} ms  p99 ${f(ka.p99ms, 2)} ms${ka.errors ? `  (${ka.errors})` : ''}`,
        );
      } finally {
        await proxy.stop(5000);
      }
    }
  } finally {
    await stopAll();
    certs.remove();
  }
  const [h, b] = rows;
  const load = readFileSync('/proc/loadavg', 'latin1').split(' ').slice(0, 3).join(' ');
  console.log(`\nload average at the end: ${load}`);
  console.log(
    'workload                               HAProxy     balancer   ratio   CPU µs each H / B (H/B)',
  );
  console.log(
    `TLS handshakes/s (new connections)  ${f(h.hs).padStart(9)}  ${f(b.hs).padStart(11)}  ${f(b.hs / h.hs, 2).padStart(6)}   ${f(h.hsCpu)} / ${f(b.hsCpu)} (${f(h.hsCpu / b.hsCpu, 2)})`,
  );
  console.log(
    `keep-alive req/s over TLS           ${f(h.ka.rps).padStart(9)}  ${f(b.ka.rps).padStart(11)}  ${f(b.ka.rps / h.ka.rps, 2).padStart(6)}   ${f(h.kaCpu, 1)} / ${f(b.kaCpu, 1)} (${f(h.kaCpu / b.kaCpu, 2)})`,
  );
}

await main();
