/**
 * What the rule engine costs: a frontend with 20 typical ACL routing rules and 5 header rewrites vs the
 * same config without rules, HAProxy 2.6 (nbthread 1) and the balancer side by side in one run.
 *
 *   node bench/rules-vs-haproxy.ts [--seconds 5] [--rounds 2] [--conns 50] [--cpu-prof] [--baseline OTHER_CHECKOUT]
 *
 * Keep-alive on both sides (workload (a) of http-vs-haproxy.ts), two nginx backends. The proxy is pinned
 * to CPU 0 (`taskset -pc 0`), wrk to CPU 1. Runs alternate H-plain, B-plain, H-rules, B-rules per round;
 * the table shows medians and each proxy's cost (1 − rules/plain). wrk's requests (`GET /` with
 * `Host: 127.0.0.1:PORT`) match none of the 20 routing rules, so every rule is evaluated, then the
 * default backend serves: the worst case of first-match routing.
 * --baseline: the balancer of another checkout (its root, e.g. main before a change) runs too, in the same rounds.
 * --cpu-prof: after the rounds, the balancer once more with and without the rules under `node --cpu-prof`,
 * and the top functions by self time over the measured window of each.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { exchange } from '../packages/balancer/test/support/raw-client.ts';
import {
  installSignalCleanup,
  RESULTS_DIR,
  run,
  startNginxBackends,
  startProxyFor,
  stopAll,
} from './lib/bench-procs.ts';
import { formatSelfTime, topSelfTime } from './lib/cpu-profile.ts';
import { parseWrk, type WrkResult } from './lib/wrk.ts';

/** 20 routing rules (host, path, header, query, source, method) and 5 header rewrites. */
export const RULE_LINES = [
  'acl host_api hdr(host) -i api.example.com',
  'acl host_static hdr_end(host) -i .static.example.com',
  'acl host_admin hdr_dom(host) -i admin',
  'acl p_api path_beg /api/ /v1/ /v2/',
  'acl p_img path_end .png .jpg .gif .webp',
  'acl p_reg path_reg ^/users/[0-9]+/profile$',
  'acl p_admin path_beg -i /admin',
  'acl is_post method POST PUT',
  'acl has_auth req.hdr(authorization) -m found',
  'acl mobile req.hdr(user-agent) -m sub -i mobile',
  'acl internal src 10.0.0.0/8 192.168.0.0/16',
  'acl q_debug url_param(debug) -m str 1',
  'acl lang_fr req.hdr(accept-language) -m beg fr',
  'acl ws req.hdr(upgrade) -i websocket',
  'use_backend be2 if host_api',
  'use_backend be2 if host_static',
  'use_backend be2 if host_admin internal',
  'use_backend be2 if p_api is_post',
  'use_backend be2 if p_img',
  'use_backend be2 if p_reg',
  'use_backend be2 if p_admin !internal',
  'use_backend be2 if has_auth p_admin',
  'use_backend be2 if mobile p_api',
  'use_backend be2 if q_debug',
  'use_backend be2 if lang_fr p_img',
  'use_backend be2 if ws',
  'use_backend be2 if { hdr(x-canary) -m str 1 }',
  'use_backend be2 if { path_dir archive }',
  'use_backend be2 if { req.cook(beta) -m found }',
  'use_backend be2 if { path_len gt 200 }',
  'use_backend be2 if { hdr_cnt(x-forwarded-for) gt 3 }',
  'use_backend be2 if { query -m sub utm_ }',
  'use_backend be2 if { path -i /healthz-old }',
  'use_backend be2 if METH_OPTIONS',
  'http-request set-header X-Request-Path %[path]',
  'http-request del-header X-Internal-Secret',
  'http-request add-header X-Via balancer',
  'http-request set-header X-Client-Addr %[src]',
  'http-response set-header X-Served-By %[srv_name]',
];

export function config(port: number, backends: number[], withRules: boolean): string {
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
    '    maxconn 5000',
    'frontend proxy',
    `    bind 127.0.0.1:${port}`,
    ...(withRules ? RULE_LINES.map((l) => `    ${l}`) : []),
    '    default_backend be1',
    'backend be1',
    ...backends.map((p, i) => `    server web${i + 1} 127.0.0.1:${p}`),
    'backend be2',
    ...backends.map((p, i) => `    server web${i + 1} 127.0.0.1:${p}`),
    '',
  ].join('\n');
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** utime + stime of a process, in ms (/proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10;
}

export async function pinnedWrk(url: string, conns: number, seconds: number): Promise<WrkResult> {
  const out = await run(
    'taskset',
    ['-c', '1', 'wrk', '-t1', `-c${conns}`, `-d${seconds}s`, '--latency', url],
    (seconds + 30) * 1000,
  );
  return parseWrk(out);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      conns: { type: 'string', default: '50' },
      'cpu-prof': { type: 'boolean', default: false },
      baseline: { type: 'string' },
    },
  });
  const baselineCli = values.baseline
    ? join(resolve(values.baseline), 'packages/balancer/src/cli.ts')
    : undefined;
  const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
  const rounds = Math.min(5, Math.max(1, Number(values.rounds)));
  const conns = Math.min(500, Math.max(1, Number(values.conns)));
  if (!haproxyPath()) throw new Error('haproxy not found');
  installSignalCleanup();
  const { ports: backends } = await startNginxBackends(2);
  const rps: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  type Kind = ProxyKind | 'baseline';
  const runs: [Kind, boolean][] = [
    ['haproxy', false],
    ['balancer', false],
    ...(baselineCli ? ([['baseline', false]] as [Kind, boolean][]) : []),
    ['haproxy', true],
    ['balancer', true],
    ...(baselineCli ? ([['baseline', true]] as [Kind, boolean][]) : []),
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [kind, rules] of runs) {
      const port = await freePort();
      const proxy = await startProxyFor(
        kind === 'haproxy' ? 'haproxy' : 'balancer',
        config(port, backends, rules),
        port,
        {
          cli: kind === 'baseline' ? baselineCli : undefined,
        },
      );
      try {
        execFileSync('taskset', ['-pc', '0', String(proxy.pid)], { stdio: 'ignore' });
        const smoke = await exchange(port, ['GET / HTTP/1.1\r\nHost: bench\r\n\r\n'], {
          idleMs: 200,
          ms: 5000,
        });
        if (smoke.responses[0]?.status !== 200) throw new Error(`${kind} smoke request failed`);
        await pinnedWrk(`http://127.0.0.1:${port}/`, conns, 2); // warm-up
        const cpu0 = cpuMs(proxy.pid);
        const res = await pinnedWrk(`http://127.0.0.1:${port}/`, conns, seconds);
        const usPerReq = ((cpuMs(proxy.pid) - cpu0) * 1000) / (res.rps * seconds);
        const key = `${kind} ${rules ? 'rules' : 'plain'}`;
        rps[key] ??= [];
        rps[key].push(res.rps);
        cpu[key] ??= [];
        cpu[key].push(usPerReq);
        console.log(
          `  round ${r + 1} ${key.padEnd(15)} ${res.rps.toFixed(0).padStart(7)} req/s  ${usPerReq.toFixed(1)} µs CPU/req${res.errors ? `  (${res.errors})` : ''}`,
        );
      } finally {
        await proxy.stop(5000);
      }
    }
  }
  if (values['cpu-prof'])
    for (const rules of [false, true]) {
      const dir = join(RESULTS_DIR, `cpuprof-rules-${rules ? 'on' : 'off'}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      const port = await freePort();
      const spawnedAt = Date.now();
      const proxy = await startProxyFor('balancer', config(port, backends, rules), port, { cpuProfDir: dir });
      let from = 0;
      let to = 0;
      try {
        execFileSync('taskset', ['-pc', '0', String(proxy.pid)], { stdio: 'ignore' });
        await pinnedWrk(`http://127.0.0.1:${port}/`, conns, 2);
        from = Date.now() - spawnedAt;
        await pinnedWrk(`http://127.0.0.1:${port}/`, conns, seconds);
        to = Date.now() - spawnedAt;
      } finally {
        await proxy.stop(10_000); // graceful: node writes the profile at exit
      }
      const file = readdirSync(dir).find((n) => n.endsWith('.cpuprofile'));
      if (!file) continue;
      const s = topSelfTime(join(dir, file), 30, from, to);
      console.log(
        `\nbalancer ${rules ? 'with' : 'without'} rules, self time over the measured window — ${join(dir, file)}`,
      );
      for (const l of formatSelfTime(s, to - from)) console.log(l);
    }
  // req/s swing with whatever else runs on the machine; CPU per request is the steadier figure
  console.log('\nproxy      plain req/s  rules req/s  cost     plain µs/req  rules µs/req  CPU cost');
  for (const kind of ['haproxy', 'balancer', ...(baselineCli ? ['baseline'] : [])]) {
    const p = median(rps[`${kind} plain`]);
    const q = median(rps[`${kind} rules`]);
    const cp = median(cpu[`${kind} plain`]);
    const cq = median(cpu[`${kind} rules`]);
    console.log(
      `${kind.padEnd(10)} ${p.toFixed(0).padStart(11)}  ${q.toFixed(0).padStart(11)}  ${((1 - q / p) * 100).toFixed(1).padStart(5)} %  ${cp.toFixed(1).padStart(12)}  ${cq.toFixed(1).padStart(12)}  ${((cq / cp - 1) * 100).toFixed(1)} %`,
    );
  }
}

if (import.meta.main) {
  try {
    await main();
  } finally {
    await stopAll();
  }
}
