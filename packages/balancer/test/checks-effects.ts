/**
 * The behaviour tests of the health-check keywords marked `applied` in src/config/in-effect.ts
 * (in-effect.test.ts runs them with its other EFFECTS): each configures the keyword in haproxy.cfg
 * text, loads it as start-up does, runs the engine against CheckTargets and observes the effect.
 * Waits are on the event itself with generous bounds; timing claims are bounds, not sleeps.
 */
import assert from 'node:assert/strict';
import type { StateChange } from '../src/backend/state-events.ts';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { runSlowstart } from './slowstart-scenario.ts';
import { type CheckTarget, startCheckTarget, type TargetMode } from './support/check-target.ts';
import { quiet } from './support/harness.ts';
import { freePorts } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

export interface Checked {
  engine: Engine;
  port: number;
  lines: string[];
  changes: StateChange[];
  targets: Record<string, CheckTarget>;
  /** resolves with the first new line containing `sub` (bounded) */
  line(sub: string, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

const HEAD = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

/**
 * Runs `backends` (`{{NAME}}` = the port of target NAME) behind a frontend `fe` on a free port.
 * `global` lines go first.
 */
export async function runChecked(
  backends: string,
  targets: Record<string, TargetMode>,
  global = '',
): Promise<Checked> {
  const names = Object.keys(targets);
  const [fe, ...ports] = await freePorts(names.length + 1);
  const byName = Object.fromEntries(names.map((n, i) => [n, ports[i]]));
  const t: Record<string, CheckTarget> = {};
  for (const n of names) t[n] = await startCheckTarget(byName[n], targets[n]);
  const be = backends.replace(/\{\{(\w+)\}\}/g, (_m, n: string) => String(byName[n]));
  const first = /^backend (\S+)/m.exec(be)![1];
  const feMode = /^\s+mode tcp$/m.test(be) ? '    mode tcp\n' : '';
  const text = `${global ? `global\n${global}` : ''}${HEAD}frontend fe\n${feMode}    bind 127.0.0.1:${fe}\n    default_backend ${first}\n${be}`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'alert'),
    [],
  );
  const lines: string[] = [];
  const sink = {
    alert: (s: string) => lines.push(`ALERT ${s}`),
    warning: (s: string) => lines.push(s),
    notice() {},
  };
  const engine = await startEngine(loaded.engine!, sink);
  const changes: StateChange[] = [];
  engine.events.on((c) => changes.push(c));
  let seen = 0;
  return {
    engine,
    port: fe,
    lines,
    changes,
    targets: t,
    async line(sub, ms = 5000) {
      const at = () => lines.findIndex((l, k) => k >= seen && l.includes(sub));
      if (!(await waitFor(() => at() >= 0, ms, 5)))
        throw new Error(`no line with ${JSON.stringify(sub)} in ${ms} ms:\n${lines.join('\n')}`);
      const i = at();
      seen = i + 1;
      return lines[i];
    },
    async stop() {
      await engine.stop(0);
      for (const x of Object.values(t)) await x.close();
    },
  };
}

/** GET path through the frontend (Connection: close); the response text. */
export async function get(port: number, path = '/'): Promise<string> {
  return (await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 3000 }))
    .text;
}

const gaps = (t: CheckTarget, from = 0) =>
  t.probes
    .slice(from)
    .map((p, i, a) => (i === 0 ? 0 : p.at - a[i - 1].at))
    .slice(1);

async function withChecked(
  backends: string,
  targets: Record<string, TargetMode>,
  body: (c: Checked) => Promise<void>,
  global = '',
) {
  const c = await runChecked(backends, targets, global);
  try {
    await body(c);
  } finally {
    await c.stop();
  }
}

const OK: TargetMode = { kind: 'http', status: 200, body: 'ok' };

async function serverCheck() {
  await withChecked(
    'backend be\n    server a 127.0.0.1:{{a}} check inter 50\n    server b 127.0.0.1:{{b}} check inter 50\n',
    { a: OK, b: OK },
    async (c) => {
      await c.targets.a.set({ kind: 'down' });
      await c.line('Server be/a is DOWN');
      const change = c.changes.at(-1);
      assert.ok(change?.kind === 'server' && change.server === 'a' && !change.up);
      assert.match(
        change.reason,
        /^reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms$/,
      );
      // the balancer stops picking it at once
      for (let i = 0; i < 3; i++) assert.match(await get(c.port), /200 OK/);
      assert.equal(c.targets.b.probes.filter((p) => p.bytes.startsWith('GET / ')).length, 3);
    },
  );
}

async function interval() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 80\n',
    { a: OK },
    async (c) => {
      const t = c.targets.a;
      await waitFor(() => t.probes.length >= 6, 3000);
      const g = gaps(t, 1);
      assert.ok(g.length >= 4, `probes: ${t.probes.length}`);
      for (const x of g) assert.ok(x >= 70 && x < 400, `gap ${x} ms for inter 80`);
    },
  );
}

async function fastinter() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 700 fastinter 60 rise 1 fall 4\n',
    { a: OK },
    async (c) => {
      const t = c.targets.a;
      // fully UP after the first check; then failures put it in transition: fastinter between them
      assert.ok(await waitFor(() => t.probes.length >= 1, 5000), 'a first check');
      await t.set({ kind: 'http', status: 503 });
      await c.line('Server be/a is DOWN', 5000);
      const failed = t.probes.filter((_, i) => i > 0);
      const g = failed.map((p, i) => (i === 0 ? 0 : p.at - failed[i - 1].at)).slice(1);
      assert.equal(g.length, 3, 'fall 4: four failed checks');
      for (const x of g) assert.ok(x < 350, `gap ${x} ms, fastinter 60 (inter 700)`);
    },
  );
}

async function downinter() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 60 downinter 600 rise 2 fall 1\n',
    { a: { kind: 'http', status: 503 } },
    async (c) => {
      const t = c.targets.a;
      await c.line('Server be/a is DOWN');
      const n = t.probes.length;
      await waitFor(() => t.probes.length >= n + 2, 4000);
      const g = gaps(t, n - 1);
      assert.ok(g.length >= 2);
      for (const x of g) assert.ok(x >= 500, `gap ${x} ms while fully DOWN (downinter 600, inter 60)`);
    },
  );
}

async function rise() {
  await withChecked(
    'backend be\n    option httpchk\n    option log-health-checks\n    server a 127.0.0.1:{{a}} check inter 50 rise 3 fall 1\n',
    { a: { kind: 'http', status: 503 } },
    async (c) => {
      await c.line('Server be/a is DOWN');
      await c.targets.a.set(OK);
      await c.line('Server be/a is UP');
      const ok = c.lines.filter((l) => l.includes('Health check for server be/a succeeded'));
      assert.deepEqual(
        ok.map((l) => /status: (.*)\.$/.exec(l)![1]),
        ['1/3 DOWN', '2/3 DOWN', '1/1 UP'],
      );
    },
  );
}

async function fall() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 50 rise 1 fall 2\n',
    { a: OK },
    async (c) => {
      const t = c.targets.a;
      assert.ok(await waitFor(() => t.probes.length >= 1, 5000), 'a first check');
      await t.set({ kind: 'http', status: 503 });
      const n = t.probes.length;
      await c.line('Server be/a is DOWN');
      assert.equal(t.probes.length - n, 2, 'fall 2: DOWN on the second failed check');
    },
  );
}

async function port() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{traffic}} check inter 50 port {{health}}\n',
    { traffic: { kind: 'http', status: 503 }, health: OK },
    async (c) => {
      await waitFor(() => c.targets.health.probes.length >= 2, 2000);
      assert.ok(c.targets.health.probes.length >= 2, 'checks go to the port');
      assert.equal(c.targets.traffic.probes.length, 0, 'not to the server');
      assert.ok(c.engine.backends[0].servers[0].up);
    },
  );
}

async function addr() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{traffic}} check inter 50 addr 127.0.0.1:{{health}}\n',
    { traffic: OK, health: { kind: 'http', status: 503 } },
    async (c) => {
      await c.line('Server be/a is DOWN, reason: Layer7 wrong status, code: 503');
      assert.ok(c.targets.health.probes.length >= 1);
      assert.equal(c.targets.traffic.probes.length, 0);
    },
  );
}

/** observe layer7 error-limit 2 on-error mark-down: the second 5xx answer in a row takes it DOWN. */
async function observe() {
  await withChecked(
    'backend be\n    server a 127.0.0.1:{{a}} check inter 2000 rise 1 fall 3 observe layer7 error-limit 2 on-error mark-down\n',
    { a: { kind: 'http', status: 500, reason: 'Internal Server Error' } },
    async (c) => {
      // the start-up check (a passing TCP check) resets the error count: let it land first, so it
      // cannot fall between the two requests (CI saw that race)
      const monitor = c.engine.checks.monitors[0];
      assert.ok(await waitFor(() => monitor.last !== null, 5000, 5), 'the first check ran');
      assert.match(await get(c.port), /500 Internal/);
      // observed as the response head is forwarded, before the client has it
      assert.ok(c.engine.backends[0].servers[0].up, 'one error is below the limit');
      assert.match(await get(c.port), /500 Internal/);
      const down = await c.line('Server be/a is DOWN');
      assert.match(
        down,
        /reason: Health analyze, info: "Detected 2 consecutive errors, last one was: Wrong http response"\. 0 active/,
      );
    },
  );
}

async function timeoutCheck() {
  await withChecked(
    'backend be\n    timeout check 150\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 3000 rise 1 fall 1\n',
    { a: { kind: 'silent' } },
    async (c) => {
      const line = await c.line('Server be/a is DOWN', 5000);
      const ms = Number(/check duration: (\d+)ms/.exec(line)![1]);
      assert.match(line, /reason: Layer7 timeout/);
      assert.ok(ms >= 140 && ms < 1500, `read timeout ${ms} ms (timeout check 150, inter 3000)`);
    },
  );
}

async function httpchk() {
  await withChecked(
    'backend be\n    option httpchk GET /health\n    server a 127.0.0.1:{{a}} check inter 50 rise 1 fall 1\n',
    { a: { kind: 'http', status: 503 } },
    async (c) => {
      assert.match(
        await c.line('Server be/a is DOWN'),
        /reason: Layer7 wrong status, code: 503, info: "Service Unavailable"/,
      );
      assert.equal(c.targets.a.probes[0].bytes, 'GET /health HTTP/1.0\r\n\r\n');
    },
  );
}

async function httpCheckRules() {
  await withChecked(
    'backend be\n    option httpchk\n    http-check send meth GET uri /status hdr Host h\n    http-check expect string alive\n    server a 127.0.0.1:{{a}} check inter 50 rise 1 fall 1\n',
    { a: { kind: 'http', status: 200, body: 'dead' } },
    async (c) => {
      assert.match(
        await c.line('Server be/a is DOWN'),
        /Layer7 invalid response, info: "HTTP content check did not match"/,
      );
      assert.equal(c.targets.a.probes[0].bytes, 'GET /status HTTP/1.0\r\nhost: h\r\n\r\n');
      await c.targets.a.set({ kind: 'http', status: 200, body: 'still alive' });
      await c.line('Server be/a is UP');
    },
  );
}

async function tcpCheck() {
  await withChecked(
    'backend be\n    mode tcp\n    option tcp-check\n    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG\n    server a 127.0.0.1:{{a}} check inter 50 rise 1 fall 1\n',
    { a: { kind: 'raw', reply: '-ERR\r\n' } },
    async (c) => {
      assert.match(
        await c.line('Server be/a is DOWN'),
        /info: "TCPCHK did not match content '\+PONG' at step 2"/,
      );
      assert.equal(c.targets.a.probes[0].bytes, 'PING\r\n');
      await c.targets.a.set({ kind: 'raw', reply: '+PONG\r\n' });
      assert.match(await c.line('Server be/a is UP'), /Layer7 check passed, code: 0, info: "\(tcp-check\)"/);
    },
  );
}

async function logHealthChecks() {
  await withChecked(
    'backend be\n    option log-health-checks\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 50 rise 2 fall 2\n',
    { a: OK },
    async (c) => {
      await c.line('Health check for server be/a succeeded, reason: Layer7 check passed, code: 200');
      await c.targets.a.set({ kind: 'http', status: 503 });
      await c.line('Health check for server be/a failed, reason: Layer7 wrong status, code: 503');
      // the transition line then names no reason
      assert.match(await c.line('Server be/a is DOWN'), /^Server be\/a is DOWN\. 0 active/);
    },
  );
}

async function monitorUri() {
  const [fe, srv] = await freePorts(2);
  const t = await startCheckTarget(srv, OK);
  const text = `${HEAD}frontend fe\n    bind 127.0.0.1:${fe}\n    monitor-uri /alive\n    default_backend be\nbackend be\n    server a 127.0.0.1:${srv}\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  const engine = await startEngine(loaded.engine!, quiet);
  try {
    const r = await get(fe, '/alive');
    assert.match(r, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n<html><body><h1>200 OK<\/h1>\nService ready\.\n/);
    assert.equal(t.probes.length, 0, 'answered by the balancer, not the server');
    assert.match(await get(fe, '/other'), /\r\n\r\nok$/);
  } finally {
    await engine.stop(0);
    await t.close();
  }
}

/** `monitor fail if COND`: the monitor URI answers 503 while the condition holds (here: no server UP). */
async function monitorFail() {
  const [fe, srv] = await freePorts(2);
  const t = await startCheckTarget(srv, OK);
  const text = `${HEAD}frontend fe\n    bind 127.0.0.1:${fe}\n    monitor-uri /alive\n    monitor fail if { nbsrv(be) lt 1 }\n    default_backend be\nbackend be\n    server a 127.0.0.1:${srv} check inter 100 fall 1 rise 1\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  const engine = await startEngine(loaded.engine!, quiet);
  try {
    assert.match(await get(fe, '/alive'), /^HTTP\/1\.1 200 OK\r\n/, 'a server is up');
    await t.set({ kind: 'down' });
    assert.ok(
      await waitFor(async () => /^HTTP\/1\.1 503 /.test(await get(fe, '/alive')), 5000, 50),
      'no server up: the monitor URI fails',
    );
  } finally {
    await engine.stop(0);
    await t.close();
  }
}

async function spreadChecks() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 100\n',
    { a: OK },
    async (c) => {
      const t = c.targets.a;
      await waitFor(() => t.probes.length >= 12, 4000);
      const g = gaps(t, 1);
      assert.ok(g.length >= 8);
      for (const x of g) assert.ok(x >= 40 && x < 400, `gap ${x} ms (inter 100 ± 50 %)`);
      assert.ok(
        g.some((x) => Math.abs(x - 100) > 8),
        `spread-checks 50 varies the intervals: ${g.join(' ')}`,
      );
    },
    '    spread-checks 50\n',
  );
}

async function maxSpreadChecks() {
  await withChecked(
    'backend be\n    option httpchk\n    server a 127.0.0.1:{{a}} check inter 4000\n    server b 127.0.0.1:{{b}} check inter 4000\n',
    { a: OK, b: OK },
    async (c) => {
      await waitFor(() => c.targets.a.probes.length > 0 && c.targets.b.probes.length > 0, 3000, 5);
      const d = c.targets.b.probes[0].at - c.targets.a.probes[0].at;
      // without the cap b would start 2000 ms after a
      assert.ok(
        d >= 0 && d < 600,
        `second server's first check ${d} ms after the first (max-spread-checks 100)`,
      );
    },
    '    max-spread-checks 100\n',
  );
}

/** Back from DOWN, a roundrobin server runs at 1/16 of its weight (slowstart.test.ts follows the whole period). */
async function slowstart(): Promise<void> {
  const run = await runSlowstart('balancer', { firstRow: true });
  assert.deepEqual(run.dynamic, ['7/6'], 'weight 100 at its first sixteenth: shown 7, throttle 6 %');
}

export const CHECK_EFFECTS: Record<string, () => Promise<void>> = {
  'server slowstart': slowstart,
  'server check': serverCheck,
  'server inter': interval,
  'server fastinter': fastinter,
  'server downinter': downinter,
  'server rise': rise,
  'server fall': fall,
  'server port': port,
  'server addr': addr,
  'server observe': observe,
  'server error-limit': observe,
  'server on-error': observe,
  'timeout check': timeoutCheck,
  'option httpchk': httpchk,
  'http-check': httpCheckRules,
  'option tcp-check': tcpCheck,
  'tcp-check': tcpCheck,
  'option log-health-checks': logHealthChecks,
  'monitor-uri': monitorUri,
  monitor: monitorFail,
  'spread-checks': spreadChecks,
  'max-spread-checks': maxSpreadChecks,
};
