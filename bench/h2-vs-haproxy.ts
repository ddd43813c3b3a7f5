/**
 * HTTP/2 from clients, HAProxy 2.6 (nbthread 1) vs the balancer, same config, one nginx backend
 * (HTTP/1.1 keep-alive behind both), in one run:
 *
 *   node bench/h2-vs-haproxy.ts [--seconds 8] [--conns 10] [--streams 10] [--cpu-prof]
 *
 * h2load (Debian's nghttp2-client) with `--conns` connections of `--streams` concurrent streams each:
 * over TLS with ALPN h2 (`bind … ssl crt … alpn h2,http/1.1`) and in clear text with prior knowledge
 * (`bind … proto h2`). The proxy is pinned to CPU 0 (`taskset -a -cp 0`), h2load and nginx to CPU 1;
 * CPU per request comes from /proc/PID/stat. `--cpu-prof` then profiles the balancer on the clear-text
 * workload (top self time printed; the profile in bench/results/). Everything it starts is stopped at the end, on error and
 * on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { makeTestCerts } from '../packages/balancer/test/support/tls-certs.ts';
import {
  installSignalCleanup,
  RESULTS_DIR,
  run,
  startNginxBackends,
  startProxyFor,
  stopAll,
} from './lib/bench-procs.ts';
import { topSelfTime } from './lib/cpu-profile.ts';
import { cpuMicros } from './lib/proc-cpu.ts';

const pin = (pid: number, cpu: number) => execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)]);

function config(tls: number, clear: number, backend: number, crt: string): string {
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
    'frontend h2',
    `    bind 127.0.0.1:${tls} ssl crt ${crt} alpn h2,http/1.1`,
    `    bind 127.0.0.1:${clear} proto h2`,
    '    default_backend web',
    'backend web',
    `    server web1 127.0.0.1:${backend}`,
    '',
  ].join('\n');
}

interface H2loadResult {
  rps: number;
  succeeded: number;
  failed: number;
}

function parseH2load(out: string): H2loadResult {
  const rps = Number(/finished in [\d.]+\w*, ([\d.]+) req\/s/.exec(out)?.[1] ?? Number.NaN);
  const m = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(out);
  return { rps, succeeded: Number(m?.[1] ?? Number.NaN), failed: Number(m?.[2] ?? Number.NaN) };
}

const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '8' },
      conns: { type: 'string', default: '10' },
      streams: { type: 'string', default: '10' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
  const conns = Math.min(200, Math.max(1, Number(values.conns)));
  const streams = Math.min(100, Math.max(1, Number(values.streams)));
  if (!haproxyPath()) throw new Error('haproxy not found');
  installSignalCleanup();
  const certs = makeTestCerts();
  const crt = join(certs.crtDir, '10-a.pem');
  const { ports, procs } = await startNginxBackends(1);
  for (const p of procs) pin(p.pid, 1);
  const rows: {
    kind: ProxyKind;
    tls: H2loadResult;
    tlsCpu: number;
    clear: H2loadResult;
    clearCpu: number;
  }[] = [];
  const h2load = (url: string, s: number) =>
    run(
      'taskset',
      ['-c', '1', 'h2load', '-D', String(s), '-c', String(conns), '-m', String(streams), url],
      (s + 30) * 1000,
    );
  try {
    for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
      const tlsPort = await freePort();
      const clearPort = await freePort();
      const proxy = await startProxyFor(kind, config(tlsPort, clearPort, ports[0], crt), tlsPort);
      pin(proxy.pid, 0);
      try {
        const measure = async (url: string) => {
          await h2load(url, 2); // warm-up (JIT, pools)
          const cpu0 = cpuMicros(proxy.pid);
          const r = parseH2load(await h2load(url, seconds));
          return { r, cpu: (cpuMicros(proxy.pid) - cpu0) / Math.max(1, r.succeeded) };
        };
        const tls = await measure(`https://127.0.0.1:${tlsPort}/`);
        const clear = await measure(`http://127.0.0.1:${clearPort}/`);
        rows.push({ kind, tls: tls.r, tlsCpu: tls.cpu, clear: clear.r, clearCpu: clear.cpu });
        console.log(
          `  ${kind.padEnd(8)} TLS h2 ${f(tls.r.rps).padStart(7)} req/s ${f(tls.cpu, 1)} µs CPU each (${tls.r.failed} failed)  clear h2 ${f(clear.r.rps).padStart(7)} req/s ${f(clear.cpu, 1)} µs CPU each (${clear.r.failed} failed)`,
        );
      } finally {
        await proxy.stop(5000);
      }
    }
    if (values['cpu-prof']) {
      const dir = join(RESULTS_DIR, `cpuprof-h2-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      const tlsPort = await freePort();
      const clearPort = await freePort();
      const spawnedAt = Date.now();
      const proxy = await startProxyFor('balancer', config(tlsPort, clearPort, ports[0], crt), tlsPort, {
        cpuProfDir: dir,
      });
      pin(proxy.pid, 0);
      let skip = 0;
      try {
        await h2load(`http://127.0.0.1:${clearPort}/`, 2); // warm-up, not profiled
        skip = Date.now() - spawnedAt;
        await h2load(`http://127.0.0.1:${clearPort}/`, seconds);
      } finally {
        await proxy.stop(10_000); // graceful stop: node writes the profile at exit
      }
      const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
      if (file) {
        const { total, rows: top } = topSelfTime(join(dir, file), 25, skip);
        console.log(
          `\nCPU profile of the balancer, clear h2, steady state (${f(total)} ms sampled) — ${dir}`,
        );
        for (const r of top)
          console.log(`  ${f(r.pct, 1).padStart(5)}%  ${f(r.ms).padStart(6)} ms  ${r.name}  ${r.where}`);
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
    `workload (${conns} connections × ${streams} streams)   HAProxy     balancer   ratio   CPU µs each H / B (H/B)`,
  );
  console.log(
    `HTTP/2 over TLS (ALPN h2)          ${f(h.tls.rps).padStart(9)}  ${f(b.tls.rps).padStart(11)}  ${f(b.tls.rps / h.tls.rps, 2).padStart(6)}   ${f(h.tlsCpu, 1)} / ${f(b.tlsCpu, 1)} (${f(h.tlsCpu / b.tlsCpu, 2)})`,
  );
  console.log(
    `HTTP/2 clear text (proto h2)       ${f(h.clear.rps).padStart(9)}  ${f(b.clear.rps).padStart(11)}  ${f(b.clear.rps / h.clear.rps, 2).padStart(6)}   ${f(h.clearCpu, 1)} / ${f(b.clearCpu, 1)} (${f(h.clearCpu / b.clearCpu, 2)})`,
  );
}

await main();
