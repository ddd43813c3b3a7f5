/**
 * Health-check scenarios run the same way against HAProxy 2.6 and the balancer: a configuration whose
 * servers are CheckTargets (test/support/check-target.ts), then steps that switch a target's behaviour
 * and wait for the proxy's stderr to say what it saw. `checks-record.ts` records HAProxy's lines into
 * `checks-expected.json`; `checks.test.ts` runs the balancer through the same steps and compares, and
 * (when haproxy is installed) runs both live side by side.
 */
import { type CheckTarget, startCheckTarget, type TargetMode } from './support/check-target.ts';
import { freePorts } from './support/ports.ts';
import { type Managed, type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

export interface Step {
  /** targets to switch before waiting */
  set?: Record<string, TargetMode>;
  /** a request sent through the frontend after `set` (for `observe layer7`) */
  request?: string;
  /** substrings that must each appear in a new health line (the step ends at the last of them) */
  until: string[];
}

export interface Scenario {
  name: string;
  what: string;
  /** backend sections (and extra defaults lines); `{{NAME}}` is the port of target NAME */
  backends: string;
  /** extra `defaults` lines */
  defaults?: string;
  /** the frontend's mode (that of the first backend) */
  feMode?: 'tcp';
  targets: Record<string, TargetMode>;
  steps: Step[];
}

const UP: TargetMode = { kind: 'accept' };
const DOWN: TargetMode = { kind: 'down' };
const OK: TargetMode = { kind: 'http', status: 200 };
const S503: TargetMode = { kind: 'http', status: 503 };

export const SCENARIOS: Scenario[] = [
  {
    name: 'tcp-basic',
    what: 'TCP connect checks: each server goes DOWN after fall failures and UP after rise successes; the last one down is an alert',
    backends: `backend be
    server web1 127.0.0.1:{{web1}} check inter 100 rise 2 fall 3
    server web2 127.0.0.1:{{web2}} check inter 100 rise 2 fall 3
`,
    targets: { web1: UP, web2: UP },
    steps: [
      { set: { web1: DOWN }, until: ['Server be/web1 is DOWN'] },
      { set: { web2: DOWN }, until: ['Server be/web2 is DOWN', "backend 'be' has no server available!"] },
      { set: { web1: UP }, until: ['Server be/web1 is UP'] },
      { set: { web2: UP }, until: ['Server be/web2 is UP'] },
    ],
  },
  {
    name: 'log-health-checks',
    what: 'option log-health-checks reports every change of the health counter, and the UP/DOWN lines then carry no reason',
    backends: `backend be
    option log-health-checks
    server web1 127.0.0.1:{{web1}} check inter 100 rise 2 fall 3
    server web2 127.0.0.1:{{web2}} check inter 100 rise 3 fall 2
`,
    targets: { web1: UP, web2: UP },
    steps: [
      { until: ['server be/web1 succeeded', 'server be/web2 succeeded'] },
      { set: { web1: DOWN }, until: ['Server be/web1 is DOWN'] },
      { set: { web1: UP }, until: ['Server be/web1 is UP'] },
      { set: { web2: DOWN }, until: ['Server be/web2 is DOWN'] },
      { set: { web2: UP }, until: ['Server be/web2 is UP'] },
    ],
  },
  {
    name: 'initial-down',
    what: 'a checked server starts UP with its health at rise: its first failed check takes it DOWN at once',
    backends: `backend be
    server web1 127.0.0.1:{{web1}} check inter 100 rise 2 fall 3
    server web2 127.0.0.1:{{web2}} check inter 100 rise 2 fall 3
`,
    targets: { web1: DOWN, web2: UP },
    steps: [{ until: ['Server be/web1 is DOWN'] }, { set: { web1: UP }, until: ['Server be/web1 is UP'] }],
  },
  {
    name: 'http-status',
    what: 'option httpchk: a 5xx is "Layer7 wrong status" with the reason phrase, a 2xx/3xx passes',
    backends: `backend be
    option httpchk GET /health
    option log-health-checks
    server web1 127.0.0.1:{{web1}} check inter 100 rise 2 fall 2
    server web2 127.0.0.1:{{web2}} check inter 100 rise 2 fall 2
`,
    targets: { web1: OK, web2: OK },
    steps: [
      { until: ['server be/web1 succeeded', 'server be/web2 succeeded'] },
      { set: { web1: S503 }, until: ['Server be/web1 is DOWN'] },
      { set: { web1: { kind: 'http', status: 302, reason: 'Found' } }, until: ['Server be/web1 is UP'] },
      {
        set: { web1: { kind: 'http', status: 404, reason: 'Not Found' } },
        until: ['Server be/web1 is DOWN'],
      },
      { set: { web1: OK }, until: ['Server be/web1 is UP'] },
    ],
  },
  {
    name: 'backup',
    what: 'backup servers: "Backup Server", "Running on backup." and the alert when the last backup goes',
    backends: `backend be
    server web1 127.0.0.1:{{web1}} check inter 100 rise 1 fall 1
    server bak1 127.0.0.1:{{bak1}} check inter 100 rise 1 fall 1 backup
    server bak2 127.0.0.1:{{bak2}} check inter 100 rise 1 fall 1 backup
`,
    targets: { web1: UP, bak1: UP, bak2: UP },
    steps: [
      { set: { web1: DOWN }, until: ['Server be/web1 is DOWN'] },
      { set: { bak1: DOWN }, until: ['Backup Server be/bak1 is DOWN'] },
      {
        set: { bak2: DOWN },
        until: ['Backup Server be/bak2 is DOWN', "backend 'be' has no server available!"],
      },
      { set: { bak1: UP }, until: ['Backup Server be/bak1 is UP'] },
      { set: { web1: UP }, until: ['Server be/web1 is UP'] },
    ],
  },
  {
    name: 'timeouts',
    what: 'Layer4 timeout (SYN unanswered: min(inter, timeout connect) when timeout check is set) and Layer7 timeout (timeout check once connected)',
    defaults: '    timeout check 300ms\n',
    backends: `backend l4
    server web1 127.0.0.1:{{l4}} check inter 500 rise 1 fall 1
backend l7
    option httpchk
    server web1 127.0.0.1:{{l7}} check inter 1000 rise 1 fall 1
backend l7b
    timeout check 0
    option httpchk
    server web1 127.0.0.1:{{l7b}} check inter 700 rise 1 fall 1
`,
    targets: { l4: UP, l7: OK, l7b: OK },
    steps: [
      {
        set: { l4: { kind: 'blackhole' } },
        until: ['Server l4/web1 is DOWN', "backend 'l4' has no server available!"],
      },
      { set: { l4: UP }, until: ['Server l4/web1 is UP'] },
      {
        set: { l7: { kind: 'silent' } },
        until: ['Server l7/web1 is DOWN', "backend 'l7' has no server available!"],
      },
      { set: { l7: OK }, until: ['Server l7/web1 is UP'] },
      {
        set: { l7b: { kind: 'silent' } },
        until: ['Server l7b/web1 is DOWN', "backend 'l7b' has no server available!"],
      },
      { set: { l7b: OK }, until: ['Server l7b/web1 is UP'] },
    ],
  },
  {
    name: 'http-expect',
    what: 'http-check expect status / ! status / rstatus / string / rstring, a closed connection and a non-HTTP answer',
    backends: `backend st
    option httpchk
    http-check expect status 200
    server s 127.0.0.1:{{st}} check inter 100 rise 1 fall 1
backend nst
    option httpchk
    http-check expect ! status 500
    server s 127.0.0.1:{{nst}} check inter 100 rise 1 fall 1
backend rst
    option httpchk
    http-check expect rstatus ^2
    server s 127.0.0.1:{{rst}} check inter 100 rise 1 fall 1
backend str
    option httpchk
    http-check expect string alive
    server s 127.0.0.1:{{str}} check inter 100 rise 1 fall 1
backend rstr
    option httpchk
    http-check expect rstring ^ok
    server s 127.0.0.1:{{rstr}} check inter 100 rise 1 fall 1
backend cls
    option httpchk
    server s 127.0.0.1:{{cls}} check inter 100 rise 1 fall 1
backend junk
    option httpchk
    server s 127.0.0.1:{{junk}} check inter 100 rise 1 fall 1
`,
    targets: {
      st: OK,
      nst: OK,
      rst: OK,
      str: { kind: 'http', status: 200, body: 'i am alive' },
      rstr: { kind: 'http', status: 200, body: 'ok then' },
      cls: OK,
      junk: OK,
    },
    steps: [
      {
        set: { st: { kind: 'http', status: 201, reason: 'Created' } },
        until: ['Server st/s is DOWN', "'st'"],
      },
      { set: { st: OK }, until: ['Server st/s is UP'] },
      {
        set: { nst: { kind: 'http', status: 500, reason: 'Internal Server Error' } },
        until: ['Server nst/s is DOWN', "'nst'"],
      },
      { set: { nst: S503 }, until: ['Server nst/s is UP'] },
      {
        set: { rst: { kind: 'http', status: 404, reason: 'Not Found' } },
        until: ['Server rst/s is DOWN', "'rst'"],
      },
      { set: { rst: OK }, until: ['Server rst/s is UP'] },
      { set: { str: { kind: 'http', status: 200, body: 'dead' } }, until: ['Server str/s is DOWN', "'str'"] },
      { set: { str: { kind: 'http', status: 200, body: 'alive' } }, until: ['Server str/s is UP'] },
      {
        set: { rstr: { kind: 'http', status: 200, body: 'not ok' } },
        until: ['Server rstr/s is DOWN', "'rstr'"],
      },
      { set: { rstr: { kind: 'http', status: 200, body: 'ok' } }, until: ['Server rstr/s is UP'] },
      { set: { cls: { kind: 'close' } }, until: ['Server cls/s is DOWN', "'cls'"] },
      { set: { cls: OK }, until: ['Server cls/s is UP'] },
      {
        set: { junk: { kind: 'raw', reply: 'hello there\r\n\r\n' } },
        until: ['Server junk/s is DOWN', "'junk'"],
      },
      { set: { junk: OK }, until: ['Server junk/s is UP'] },
    ],
  },
  {
    name: 'tcp-check',
    feMode: 'tcp',
    what: 'option tcp-check with connect / send / expect string|rstring, and a banner read without sending',
    backends: `backend ping
    mode tcp
    option tcp-check
    tcp-check connect
    tcp-check send PING\\r\\n
    tcp-check expect string +PONG
    server s 127.0.0.1:{{ping}} check inter 100 rise 1 fall 1
backend banner
    mode tcp
    option tcp-check
    tcp-check expect rstring ^SSH-2\\.0
    server s 127.0.0.1:{{banner}} check inter 100 rise 1 fall 1
`,
    targets: {
      ping: { kind: 'raw', reply: '+PONG\r\n' },
      banner: { kind: 'raw', reply: 'SSH-2.0-OpenSSH\r\n', onConnect: true },
    },
    steps: [
      {
        set: { ping: { kind: 'raw', reply: '-ERR unknown\r\n' } },
        until: ['Server ping/s is DOWN', "'ping'"],
      },
      { set: { ping: { kind: 'raw', reply: '+PONG\r\n' } }, until: ['Server ping/s is UP'] },
      { set: { ping: { kind: 'close' } }, until: ['Server ping/s is DOWN', "'ping'"] },
      { set: { ping: { kind: 'raw', reply: '+PONG\r\n' } }, until: ['Server ping/s is UP'] },
      {
        set: { banner: { kind: 'raw', reply: 'SSH-1.99-old\r\n', onConnect: true } },
        until: ['Server banner/s is DOWN', "'banner'"],
      },
      {
        set: { banner: { kind: 'raw', reply: 'SSH-2.0-x\r\n', onConnect: true } },
        until: ['Server banner/s is UP'],
      },
      { set: { banner: DOWN }, until: ['Server banner/s is DOWN', "'banner'"] },
    ],
  },
  {
    name: 'observe-layer7',
    what: 'observe layer7 error-limit 1 on-error mark-down: a 500 answered to traffic takes the server DOWN; TCP checks bring it back',
    backends: `backend be
    server web1 127.0.0.1:{{web1}} check inter 100 rise 2 fall 3 observe layer7 error-limit 1 on-error mark-down
    server web2 127.0.0.1:{{web2}} check inter 100 rise 2 fall 3
`,
    targets: { web1: OK, web2: OK },
    steps: [
      {
        set: { web1: { kind: 'http', status: 500, reason: 'Internal Server Error' } },
        request: '/',
        until: ['Server be/web1 is DOWN'],
      },
      { until: ['Server be/web1 is UP'] },
    ],
  },
];

/** A health line as the proxies print it on stderr. */
export const HEALTH_LINE =
  /^\[(?:WARNING|ALERT)\] +\(\d+\) : (?:Server |Backup Server |Health check |backend '[^']*' has no server available!)/;

export function healthLines(output: string): string[] {
  return output.split('\n').filter((l) => HEALTH_LINE.test(l));
}

/** pid and durations vary from run to run. */
export function normalize(line: string): string {
  return line
    .replace(/^(\[\w+\] +)\(\d+\)/, '$1(PID)')
    .replace(/check duration: \d+ms/, 'check duration: Nms');
}

export function durationOf(line: string): number | null {
  const m = /check duration: (\d+)ms/.exec(line);
  return m ? Number(m[1]) : null;
}

export interface ScenarioRun {
  /** the health lines that appeared during each step, as printed */
  steps: string[][];
}

function configText(sc: Scenario, fePort: number, ports: Record<string, number>): string {
  const backends = sc.backends.replace(/\{\{(\w+)\}\}/g, (_m, n: string) => String(ports[n]));
  const first = /^backend (\S+)/m.exec(backends)![1];
  return `global
    nbthread 1
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
${sc.defaults ?? ''}frontend fe
    mode ${sc.feMode ?? 'http'}
    bind 127.0.0.1:${fePort}
    default_backend ${first}
${backends}`;
}

async function request(port: number, path: string): Promise<void> {
  await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 3000 });
}

/** Waits until every one of `subs` appears in a distinct new health line; returns the lines up to the last. */
async function waitForAll(
  proxy: Managed,
  from: number,
  subs: string[],
  ms: number,
): Promise<{ lines: string[]; end: number }> {
  let lines: string[] = [];
  let used = new Set<number>();
  const found = () => {
    lines = healthLines(proxy.output()).slice(from);
    used = new Set<number>();
    for (const sub of subs) {
      const k = lines.findIndex((l, i) => !used.has(i) && l.includes(sub));
      if (k < 0) break;
      used.add(k);
    }
    return used.size === subs.length;
  };
  if (!(await waitFor(() => found() || !proxy.alive(), ms)) || !found())
    throw new Error(
      `waited ${ms} ms for ${JSON.stringify(subs)}; saw:\n${lines.join('\n')}\n--- output:\n${proxy.output()}`,
    );
  const end = subs.length === 0 ? 0 : Math.max(...used) + 1;
  return { lines: lines.slice(0, end), end: from + end };
}

/** The server (`be/web1`) or backend a health line is about. */
export function subjectOf(line: string): string {
  const m =
    / (?:server|Server) (\S+?)(?: is |,| succeeded| failed)/.exec(line) ?? /backend '([^']*)'/.exec(line);
  return m ? (m[1].split('/')[0] === m[1] ? `backend ${m[1]}` : m[1]) : line;
}

/**
 * A step's lines in a comparable form: normalised, and grouped per server in the order printed (two
 * servers' lines within one step may interleave differently from run to run; one server's may not).
 */
export function comparable(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const l of lines) {
    const n = normalize(l);
    const key = subjectOf(l);
    if (out[key] === undefined) out[key] = [];
    out[key].push(n);
  }
  return out;
}

/**
 * In `mode tcp` the start-up probe on the frontend port (connect, close) is a session forwarded to the
 * first backend's server: it counts in "N sessions active" until the server has closed it too. Waits
 * for that connection (no byte sent, then a FIN) to end at the target, so that a server that goes DOWN
 * at the first step reports no session, whatever the machine's load.
 */
async function forwardedProbeDone(sc: Scenario, targets: Record<string, CheckTarget>, ms: number) {
  const firstBackend = /^backend [^\n]*\n(?:(?!backend )[^\n]*\n?)*/m.exec(sc.backends)![0];
  const names = [...firstBackend.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
  const done = () => names.some((n) => targets[n].probes.some((p) => p.ended && p.bytes === ''));
  if (!(await waitFor(done, ms))) throw new Error(`the start-up probe never reached ${names.join(', ')}`);
}

/** Runs one scenario under `kind`; every step is bounded by `stepMs`. */
export async function runScenario(kind: ProxyKind, sc: Scenario, stepMs = 15_000): Promise<ScenarioRun> {
  const names = Object.keys(sc.targets);
  const [fePort, ...tp] = await freePorts(names.length + 1);
  const ports = Object.fromEntries(names.map((n, i) => [n, tp[i]]));
  const targets: Record<string, CheckTarget> = {};
  let proxy: Managed | null = null;
  try {
    for (const n of names) targets[n] = await startCheckTarget(ports[n], sc.targets[n]);
    proxy = await startProxy(kind, configText(sc, fePort, ports), [fePort]);
    if (sc.feMode === 'tcp') await forwardedProbeDone(sc, targets, stepMs);
    const run: ScenarioRun = { steps: [] };
    let seen = 0;
    for (const step of sc.steps) {
      for (const [n, mode] of Object.entries(step.set ?? {})) await targets[n].set(mode);
      if (step.request !== undefined) await request(fePort, step.request);
      const got = await waitForAll(proxy, seen, step.until, stepMs);
      seen = got.end;
      run.steps.push(got.lines);
    }
    return run;
  } finally {
    await proxy?.stop();
    for (const t of Object.values(targets)) await t.close();
  }
}
