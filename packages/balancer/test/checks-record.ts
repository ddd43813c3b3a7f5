/**
 * Records what HAProxy 2.6 does with health checks into checks-expected.json (never hand-written):
 *   node packages/balancer/test/checks-record.ts            # (re)write the file from the real haproxy
 *   node packages/balancer/test/checks-record.ts --check    # does haproxy still match the file? (exit 1)
 *
 * - `scenarios`: the health lines haproxy prints on stderr for each step of checks-scenarios.ts;
 * - `requests`: the bytes an HTTP check sends for each way of writing it (option httpchk, the legacy
 *   `\r\n`-in-version form, http-check send);
 * - `monitor`: haproxy's answers to monitor-uri requests, byte for byte;
 * - `initialState`: `show servers state` / `show stat` for a checked server before its first check
 *   and after its first failed one (what the health counter starts at);
 * - `spread`: when the first checks of each of several servers arrive (start-up spreads them over the
 *   interval: server i of n starts at max(inter, smallest inter ≥ 1 s) × i / n).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { normalize, runScenario, SCENARIOS } from './checks-scenarios.ts';
import { type CheckTarget, startCheckTarget } from './support/check-target.ts';
import { splitRequests } from './support/http1.ts';
import { freePorts } from './support/ports.ts';
import { haproxyPath, type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';
import { waitFor } from './support/wait-for.ts';

export const CHECKS_EXPECTED = join(import.meta.dirname, 'checks-expected.json');

/** Backend sections whose check request is recorded; `{{p}}` is the target's port. */
export const REQUEST_CASES: Record<string, string> = {
  default: 'option httpchk',
  uri: 'option httpchk /ping',
  'meth-uri': 'option httpchk GET /health',
  'meth-uri-ver': 'option httpchk HEAD /h HTTP/1.1',
  'legacy-crlf': 'option httpchk GET / HTTP/1.1\\r\\nHost:\\ www',
  'legacy-crlf-10': 'option httpchk GET /x HTTP/1.0\\r\\nHost:\\ www\\r\\nX-Y:\\ z',
  'send-full':
    'option httpchk\n    http-check send meth GET uri /x ver HTTP/1.1 hdr Host www hdr X-A b body hello',
  'send-hdr-only': 'option httpchk HEAD /h HTTP/1.1\n    http-check send hdr Host h',
  'send-10-hdr': 'option httpchk\n    http-check send meth POST uri /p hdr X-A b body hi',
  'send-ver11-nohost': 'option httpchk\n    http-check send ver HTTP/1.1',
};

/** Requests to a frontend with `monitor-uri /alive`. */
export const MONITOR_CASES: Record<string, string> = {
  get11: 'GET /alive HTTP/1.1\r\nHost: x\r\n\r\n',
  get10: 'GET /alive HTTP/1.0\r\n\r\n',
  head11: 'HEAD /alive HTTP/1.1\r\nHost: x\r\n\r\n',
  query: 'GET /alive?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  post: 'POST /alive HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
  pipelined:
    'GET /alive HTTP/1.1\r\nHost: x\r\n\r\nGET /alive HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
};

export interface ChecksExpected {
  recordedWith: string;
  recordedAt: string;
  scenarios: Record<string, { what: string; steps: string[][] }>;
  requests: Record<string, string>;
  monitor: Record<string, { response: string; closed: boolean }>;
  initialState: {
    rise: number;
    fall: number;
    before: { opState: number; health: number; checkStatus: string; status: string };
    afterFirstFailure: { opState: number; health: number; checkStatus: string; status: string };
  };
  spread: SpreadRun[];
}

export interface SpreadRun {
  inter: number;
  servers: number;
  /** ms after the first check of all */
  firstCheckMs: number[];
  secondCheckMs: number[];
}

export function readExpected(): ChecksExpected {
  return JSON.parse(readFileSync(CHECKS_EXPECTED, 'utf8')) as ChecksExpected;
}

const BASE = `global
    nbthread 1
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

/** The first request each configuration's check sends. */
export async function recordRequests(kind: ProxyKind): Promise<Record<string, string>> {
  const names = Object.keys(REQUEST_CASES);
  const [fe, ...ports] = await freePorts(names.length + 1);
  const targets: CheckTarget[] = [];
  for (const p of ports) targets.push(await startCheckTarget(p, { kind: 'http', status: 200 }));
  let cfg = `${BASE}frontend fe\n    bind 127.0.0.1:${fe}\n    default_backend ${names[0]}\n`;
  names.forEach((n, i) => {
    cfg += `backend ${n}\n    ${REQUEST_CASES[n]}\n    server s 127.0.0.1:${ports[i]} check inter 200\n`;
  });
  const proxy = await startProxy(kind, cfg, [fe]);
  try {
    // every target has a whole check request (head and declared body)
    const whole = (t: CheckTarget) => t.probes.some((p) => splitRequests(p.bytes)[0]?.complete === true);
    await waitFor(() => targets.every(whole), 10_000, 20);
    return Object.fromEntries(names.map((n, i) => [n, targets[i].probes.find((p) => p.bytes)?.bytes ?? '']));
  } finally {
    await proxy.stop();
    for (const t of targets) await t.close();
  }
}

export async function recordMonitor(kind: ProxyKind): Promise<ChecksExpected['monitor']> {
  const [fe, srv] = await freePorts(2);
  const target = await startCheckTarget(srv, { kind: 'http', status: 200, body: 'from server' });
  const cfg = `${BASE}frontend fe\n    bind 127.0.0.1:${fe}\n    monitor-uri /alive\n    default_backend be\nbackend be\n    server s 127.0.0.1:${srv}\n`;
  const proxy = await startProxy(kind, cfg, [fe]);
  try {
    const out: ChecksExpected['monitor'] = {};
    for (const [name, req] of Object.entries(MONITOR_CASES)) {
      const r = await exchange(fe, req, { ms: 1500 });
      out[name] = { response: r.text, closed: r.closed };
    }
    return out;
  } finally {
    await proxy.stop();
    await target.close();
  }
}

async function serverState(sock: string, backend: string, server: string) {
  const state = await statsCommand(sock, 'show servers state');
  const cols = state.split('\n').find((l) => l.split(' ')[1] === backend && l.split(' ')[3] === server);
  const stat = await statsCommand(sock, 'show stat');
  const header = stat.split('\n')[0].replace(/^# /, '').split(',');
  const row = stat
    .split('\n')
    .map((l) => l.split(','))
    .find((r) => r[0] === backend && r[1] === server);
  if (!cols || !row) throw new Error(`no state for ${backend}/${server}:\n${state}\n${stat}`);
  const c = cols.split(' ');
  return {
    opState: Number(c[5]),
    health: Number(c[12]),
    checkStatus: row[header.indexOf('check_status')],
    status: row[header.indexOf('status')],
  };
}

/**
 * The second of two servers (inter 2s) gets its first check about 1 s after start-up (the spread), so
 * its initial state can be read; it is not listening, so that first check fails.
 */
export async function recordInitialState(): Promise<ChecksExpected['initialState']> {
  const [fe, a, b] = await freePorts(3);
  const target = await startCheckTarget(a, { kind: 'accept' });
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  const sock = join(dir, 'stats.sock');
  const cfg = `global\n    nbthread 1\n    stats socket ${sock} level admin\n${BASE.slice(BASE.indexOf('defaults'))}frontend fe\n    bind 127.0.0.1:${fe}\n    default_backend be\nbackend be\n    server a 127.0.0.1:${a} check rise 2 fall 3\n    server b 127.0.0.1:${b} check rise 2 fall 3\n`;
  const proxy = await startProxy('haproxy', cfg, [fe]);
  try {
    const before = await serverState(sock, 'be', 'b');
    await waitFor(() => proxy.output().includes('Server be/b is DOWN'), 5000, 20);
    const afterFirstFailure = await serverState(sock, 'be', 'b');
    return { rise: 2, fall: 3, before, afterFirstFailure };
  } finally {
    await proxy.stop();
    await target.close();
  }
}

/** When each server's first checks arrive (4 servers, HTTP checks so every probe reaches the target). */
export async function recordSpread(kind: ProxyKind, inter: number): Promise<SpreadRun> {
  const n = 4;
  const [fe, ...ports] = await freePorts(n + 1);
  const targets: CheckTarget[] = [];
  for (const p of ports) targets.push(await startCheckTarget(p, { kind: 'http', status: 200 }));
  const servers = ports.map((p, i) => `    server s${i} 127.0.0.1:${p} check inter ${inter}\n`).join('');
  const cfg = `${BASE}frontend fe\n    bind 127.0.0.1:${fe}\n    default_backend be\nbackend be\n    option httpchk\n${servers}`;
  const proxy = await startProxy(kind, cfg, [fe]);
  try {
    await waitFor(() => targets.every((t) => t.probes.length >= 2), inter * 3 + 5000);
    const t0 = Math.min(...targets.map((t) => t.probes[0]?.at ?? Number.POSITIVE_INFINITY));
    return {
      inter,
      servers: n,
      firstCheckMs: targets.map((t) => (t.probes[0]?.at ?? Number.NaN) - t0),
      secondCheckMs: targets.map((t) => (t.probes[1]?.at ?? Number.NaN) - t0),
    };
  } finally {
    await proxy.stop();
    for (const t of targets) await t.close();
  }
}

export async function recordAll(): Promise<ChecksExpected> {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const out: ChecksExpected = {
    recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
    recordedAt: new Date().toISOString(),
    scenarios: {},
    requests: await recordRequests('haproxy'),
    monitor: await recordMonitor('haproxy'),
    initialState: await recordInitialState(),
    spread: [await recordSpread('haproxy', 1000), await recordSpread('haproxy', 500)],
  };
  for (const sc of SCENARIOS) {
    const run = await runScenario('haproxy', sc);
    out.scenarios[sc.name] = { what: sc.what, steps: run.steps };
    process.stderr.write(`recorded ${sc.name}\n`);
  }
  return out;
}

if (import.meta.main) {
  const fresh = await recordAll();
  if (process.argv.includes('--check')) {
    const old = readExpected();
    const norm = (e: ChecksExpected) =>
      Object.fromEntries(
        Object.entries(e.scenarios).map(([k, v]) => [k, v.steps.map((s) => s.map(normalize))]),
      );
    const same =
      isDeepStrictEqual(norm(old), norm(fresh)) &&
      isDeepStrictEqual(old.requests, fresh.requests) &&
      isDeepStrictEqual(old.monitor, fresh.monitor);
    process.stdout.write(same ? 'haproxy matches checks-expected.json\n' : 'haproxy differs from the file\n');
    process.exit(same ? 0 : 1);
  }
  writeFileSync(CHECKS_EXPECTED, `${JSON.stringify(fresh, null, 2)}\n`);
  process.stdout.write(`wrote ${CHECKS_EXPECTED}\n`);
}
