/**
 * HAProxy 2.6 (nbthread 1) vs the balancer, same config, same nginx backends, alternating runs.
 *
 *   node bench/http-vs-haproxy.ts [--seconds 10] [--rounds 2] [--workloads a,b,c,d,e] [--conns 50] [--cpu-prof]
 *
 * Workloads: (a) keep-alive on both sides, (b) the seed's defaults (http-server-close, forwardfor
 * except 127.0.0.0/8, …), (c) mode tcp, (d) (b) plus the seed's `cookie SESSION_ID insert indirect
 * nocache`, (e) the seed's defaults and its whole `backend dynamic` (cookie, checks, maxconn 5000). Prints req/s, p50, p99 and the balancer/HAProxy ratio beside
 * its target. --cpu-prof also runs the balancer under `node --cpu-prof` (one extra run per workload,
 * not counted in the ratios) and prints the top functions by self time.
 * The proxy is pinned to CPU 0, wrk and nginx to CPU 1 (taskset).
 * Everything it starts is stopped at the end, on error, and on Ctrl-C.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { exchange } from '../packages/balancer/test/support/raw-client.ts';
import {
  installSignalCleanup,
  pin,
  RESULTS_DIR,
  startNginxBackends,
  startProxyFor,
  stopAll,
} from './lib/bench-procs.ts';
import { formatSelfTime, topSelfTime } from './lib/cpu-profile.ts';
import { type WrkResult, wrk } from './lib/wrk.ts';

export type Workload = 'a' | 'b' | 'c' | 'd' | 'e';
const TARGETS: Record<Workload, { min: number; label: string; required: boolean }> = {
  a: { min: 0.6, label: '(a) keep-alive both sides', required: true },
  b: { min: 0.9, label: '(b) seed defaults (http-server-close)', required: false },
  c: { min: 0.8, label: '(c) mode tcp', required: false },
  d: { min: 0.9, label: '(d) seed defaults + seed cookie', required: false },
  e: { min: 0.6, label: '(e) seed defaults + backend dynamic', required: true },
};

/** The proxy runs on CPU 0; wrk and nginx on CPU 1 (taskset). */
const PROXY_CPU = 0;
const LOAD_CPU = 1;

/** The one config both proxies run for a workload. */
export function benchConfig(w: Workload, port: number, backends: number[]): string {
  // (d): the seed's backend persistence; wrk sends no cookie, so every response gets a Set-Cookie.
  // (e): the seed's whole `backend dynamic` (cookie, checks, maxconn 5000) on the seed's defaults
  const cookie = w === 'd' || w === 'e';
  const seedServer = w === 'e' ? ' inter 3000 rise 2 fall 3 check maxconn 5000' : '';
  const servers = backends.map(
    (p, i) =>
      `    server web${i + 1} 127.0.0.1:${p}${seedServer}${cookie ? ` cookie ${String.fromCharCode(65 + i)}` : ''}`,
  );
  const global = ['global', '    nbthread 1', '    maxconn 8000'];
  const tail = [
    'frontend proxy',
    `    bind 127.0.0.1:${port}`,
    '    default_backend dynamic',
    'backend dynamic',
    '    balance roundrobin',
    ...(cookie ? ['    cookie SESSION_ID insert indirect nocache'] : []),
    ...servers,
    '',
  ];
  if (w === 'a')
    return [
      ...global,
      'defaults',
      '    mode http',
      '    option http-keep-alive',
      '    timeout connect 10s',
      '    timeout client 1m',
      '    timeout server 1m',
      '    timeout http-request 10s',
      '    timeout http-keep-alive 10s',
      '    maxconn 5000',
      ...tail,
    ].join('\n');
  if (w === 'b' || w === 'd' || w === 'e')
    // The seed's defaults section (shared/seeds/haproxy.cfg), comments dropped. Its global `log`
    // target is left out, so `log global` logs nothing on either side.
    return [
      ...global,
      'defaults',
      '    mode                    http',
      '    log                     global',
      '    option                  httplog',
      '    option                  dontlognull',
      '    option http-server-close',
      '    option forwardfor       except 127.0.0.0/8',
      '    option                  redispatch',
      '    retries                 3',
      '    timeout http-request    10s',
      '    timeout queue           1m',
      '    timeout connect         10s',
      '    timeout client          1m',
      '    timeout server          1m',
      '    timeout http-keep-alive 10s',
      '    timeout check           10s',
      '    maxconn                 5000',
      ...tail,
    ].join('\n');
  return [
    ...global,
    'defaults',
    '    mode tcp',
    '    timeout connect 10s',
    '    timeout client 1m',
    '    timeout server 1m',
    '    maxconn 5000',
    ...tail,
  ].join('\n');
}

type Measured = WrkResult & { cpuUs: number };

/** CPU time (user + system) a process used so far, ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '2' },
      conns: { type: 'string', default: '50' },
      workloads: { type: 'string', default: 'a,b,c' },
      'cpu-prof': { type: 'boolean', default: false },
    },
  });
  const seconds = Math.min(60, Math.max(1, Number(values.seconds)));
  const rounds = Math.min(5, Math.max(1, Number(values.rounds)));
  const conns = Math.min(1000, Math.max(1, Number(values.conns)));
  const workloads = values.workloads.split(',').filter((w): w is Workload => w in TARGETS);
  if (!haproxyPath()) throw new Error('haproxy not found (scripts/bootstrap.sh installs it)');
  installSignalCleanup();

  const { ports: backends, procs } = await startNginxBackends(2);
  for (const p of procs) pin(p.pid, LOAD_CPU);
  console.log(
    `nginx backends on ${backends.join(', ')}; wrk -t1 -c${conns} -d${seconds}s, ${rounds} round(s), alternating`,
  );
  const results: Record<string, { w: Workload; h: Measured[]; b: Measured[] }> = {};
  const profiles: Record<string, string> = {};
  const windows: Record<string, [number, number]> = {};

  for (const w of workloads) {
    results[w] = { w, h: [], b: [] };
    for (let r = 0; r < rounds; r++) {
      for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
        const port = await freePort();
        const proxy = await startProxyFor(kind, benchConfig(w, port, backends), port, { cpu: PROXY_CPU });
        try {
          const smoke = await exchange(port, ['GET / HTTP/1.1\r\nHost: bench\r\n\r\n'], {
            idleMs: 200,
            ms: 5000,
          });
          if (smoke.responses[0]?.status !== 200)
            throw new Error(`${kind} smoke request failed: ${JSON.stringify(smoke.text.slice(0, 100))}`);
          await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds: 2, cpu: LOAD_CPU }); // warm-up (JIT, pools)
          const cpu0 = cpuMs(proxy.pid);
          const res = await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds, cpu: LOAD_CPU });
          // CPU per request is steadier than req/s on a shared machine
          const cpuUs = ((cpuMs(proxy.pid) - cpu0) * 1000) / (res.rps * seconds);
          (kind === 'haproxy' ? results[w].h : results[w].b).push({ ...res, cpuUs });
          console.log(
            `  ${w} round ${r + 1} ${kind.padEnd(8)} ${f(res.rps).padStart(7)} req/s  p50 ${f(res.p50ms, 2)} ms  p99 ${f(res.p99ms, 2)} ms  ${f(cpuUs, 1)} µs CPU/req${res.errors ? `  (${res.errors})` : ''}`,
          );
        } finally {
          await proxy.stop(5000);
        }
      }
    }
    if (values['cpu-prof']) {
      const dir = join(RESULTS_DIR, `cpuprof-${w}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      const port = await freePort();
      const spawnedAt = Date.now();
      const proxy = await startProxyFor('balancer', benchConfig(w, port, backends), port, {
        cpuProfDir: dir,
        cpu: PROXY_CPU,
      });
      try {
        await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds: 2, cpu: LOAD_CPU }); // warm-up, not profiled
        const from = Date.now() - spawnedAt;
        await wrk(`http://127.0.0.1:${port}/`, { threads: 1, conns, seconds, cpu: LOAD_CPU });
        windows[w] = [from, Date.now() - spawnedAt];
      } finally {
        await proxy.stop(10_000); // graceful stop: node writes the profile at exit
      }
      const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
      if (file) profiles[w] = join(dir, file);
      else console.log(`  (no .cpuprofile written in ${dir}: did the balancer exit gracefully?)`);
    }
  }

  console.log(
    '\nworkload                                 HAProxy req/s  balancer req/s  ratio  target   p50 H/B ms     p99 H/B ms     CPU µs/req H/B',
  );
  for (const { w, h, b } of Object.values(results)) {
    const hr = median(h.map((x) => x.rps));
    const br = median(b.map((x) => x.rps));
    const ratio = br / hr;
    const t = TARGETS[w];
    const verdict = ratio >= t.min ? 'met' : t.required ? 'MISSED (required)' : 'missed';
    console.log(
      `${t.label.padEnd(40)} ${f(hr).padStart(13)} ${f(br).padStart(15)} ${f(ratio, 2).padStart(6)}  ≥ ${t.min}  ` +
        `${f(median(h.map((x) => x.p50ms)), 2)}/${f(median(b.map((x) => x.p50ms)), 2)}`.padEnd(15) +
        `${f(median(h.map((x) => x.p99ms)), 2)}/${f(median(b.map((x) => x.p99ms)), 2)}`.padEnd(15) +
        `${f(median(h.map((x) => x.cpuUs)), 1)}/${f(median(b.map((x) => x.cpuUs)), 1)}`.padEnd(15) +
        verdict,
    );
  }
  for (const [w, file] of Object.entries(profiles)) {
    const [from, to] = windows[w] ?? [0, Number.POSITIVE_INFINITY];
    const s = topSelfTime(file, 20, from, to);
    console.log(
      `\nCPU profile of the balancer, workload ${w}, measured window (${f(s.total)} ms sampled) — ${file}`,
    );
    for (const l of formatSelfTime(s, to - from)) console.log(l);
  }
}

if (import.meta.main) {
  try {
    await main();
  } finally {
    await stopAll();
  }
}
