/**
 * One scenario run against the real haproxy (stats-record.ts writes what it answers into
 * stats-expected.json) and against the balancer (stats.test.ts compares): the seed's `listen
 * statistics` section, a frontend and a backend with two servers and a backup, a stats socket; a few
 * requests, then the stats page (401s, CSV) and runtime API commands, in this order.
 */
import { existsSync } from 'node:fs';
import { startUpstream, type Upstream } from '../support/harness.ts';
import { freePorts } from '../support/ports.ts';
import { type Managed, type ProxyKind, startProxy } from '../support/proc.ts';
import { exchange } from '../support/raw-client.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { waitFor } from '../support/wait-for.ts';

export const CONFIG = `global
    maxconn 1000
    stats socket {{sock}} mode 600 level admin
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend proxy
    bind 127.0.0.1:{{fe}}
    default_backend dynamic
backend dynamic
    balance roundrobin
    cookie SESSION_ID insert indirect nocache
    server web1 127.0.0.1:{{web1}} weight 3 cookie A
    server web2 127.0.0.1:{{web2}} check inter 10s rise 2 fall 3 cookie B
    server web3 127.0.0.1:{{web3}} backup
listen statistics
    mode http
    bind 127.0.0.1:{{stats}}
    stats enable
    stats auth admin:admin
    stats uri /admin?stats
    stats hide-version
    stats refresh 5s
listen adminstats
    mode http
    bind 127.0.0.1:{{admin}}
    stats enable
    stats uri /st
    stats admin if TRUE
`;

/** Runtime API commands, in order, after the traffic; each reply is recorded. */
export const COMMANDS = [
  'show servers state',
  'show servers state dynamic',
  'show backend',
  'get weight dynamic/web1',
  'set weight dynamic/web1 5',
  'get weight dynamic/web1',
  'set server dynamic/web1 weight 50%',
  'get weight dynamic/web1',
  'set server dynamic/web1 weight 3',
  'get weight nope/web1',
  'get weight dynamic/nope',
  'get weight dynamic',
  'set weight dynamic/web1 300',
  'set weight dynamic/web1 abc',
  'disable server dynamic/web2',
  'show stat',
  'show servers state dynamic',
  'enable server dynamic/web2',
  'set server dynamic/web2 state drain',
  'show servers state dynamic',
  'set server dynamic/web2 state maint',
  'set server dynamic/web2 state ready',
  'set server dynamic/web2 state bogus',
  'set server dynamic/nope state ready',
  'disable health dynamic/web1',
  'disable health dynamic/web2',
  'enable health dynamic/web2',
  'shutdown sessions server dynamic/web1',
  'show stat -1 -1 -1',
  'show stat typed',
  'show stat json',
  'show stat dynamic 4 -1',
  'show stat 3 -1 -1',
  'clear counters',
  'show stat',
  'clear counters all',
  'show stat',
  'foo',
  'show foo',
];

export interface StatsRun {
  unauth: string;
  badauth: string;
  csv: string;
  /** the admin form's POSTs (`stats admin if TRUE`): drain the backup, then a bad action */
  adminPosts: string[];
  /** [command, reply] in order */
  replies: [string, string][];
  info: string;
  help: string;
}

export interface Scenario {
  kind: ProxyKind;
  proxy: Managed;
  ports: { fe: number; web1: number; web2: number; web3: number; stats: number; admin: number };
  sock: string;
  upstreams: Upstream[];
  stop(): Promise<void>;
}

/** 200 `ok` for any path but /missing (404), keep-alive. */
function responder(req: string, socket: import('node:net').Socket): void {
  const path = req.split(' ')[1];
  const [status, body] = path === '/missing' ? ['404 Not Found', 'no'] : ['200 OK', 'ok'];
  socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
}

export async function startScenario(kind: ProxyKind, sockDir: string): Promise<Scenario> {
  // the upstreams first: a free port picked before them can be the ephemeral one they get (seen in a
  // full run: the frontend's bind then failed with EADDRINUSE)
  const up1 = await startUpstream(responder);
  const up2 = await startUpstream(responder);
  const [fe, web3, stats, admin] = await freePorts(4);
  const ports = { fe, web1: up1.port, web2: up2.port, web3, stats, admin };
  const sock = `${sockDir}/${kind}.sock`;
  const cfg = CONFIG.replace(/\{\{(\w+)\}\}/g, (_m, k: string) =>
    k === 'sock' ? sock : String(ports[k as keyof typeof ports]),
  );
  let proxy: Managed;
  try {
    proxy = await startProxy(kind, cfg, [fe, stats, admin]);
  } catch (err) {
    // a proxy that did not start must not leave the upstreams listening: the test process would
    // never exit (seen once in a full run: the file hung the suite instead of failing)
    await up1.close();
    await up2.close();
    throw err;
  }
  return {
    kind,
    proxy,
    ports,
    sock,
    upstreams: [up1, up2],
    async stop() {
      await proxy.stop();
      await up1.close();
      await up2.close();
    },
  };
}

export const get = (path: string, auth?: string): string =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth ? `Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n` : ''}Connection: close\r\n\r\n`;

async function fetchText(port: number, req: string): Promise<string> {
  const x = await exchange(port, req, { ms: 5000 });
  return x.text;
}

/** The scenario's steps; returns what the proxy answered. */
export async function runScenario(s: Scenario): Promise<StatsRun> {
  const cmd = (c: string) => statsCommand(s.sock, c);
  if (!(await waitFor(() => existsSync(s.sock), 15_000))) throw new Error(`no stats socket at ${s.sock}`);
  // the checked server's first check has run (both start it UP: wait for its result)
  const checked = await waitFor(async () => /\nL4OK|,L4OK,/.test(await cmd('show stat')), 15_000, 50);
  if (!checked) throw new Error(`web2's first check did not complete:\n${await cmd('show stat')}`);
  const unauth = await fetchText(s.ports.stats, get('/admin?stats'));
  const badauth = await fetchText(s.ports.stats, get('/admin?stats', 'admin:nope'));
  for (const p of ['/', '/a', '/b', '/missing']) await fetchText(s.ports.fe, get(p));
  const csv = await fetchText(s.ports.stats, get('/admin?stats;csv', 'admin:admin'));
  const adminPosts: string[] = [];
  for (const body of ['s=web3&action=drain&b=%233', 's=web3&action=nope&b=%233'])
    adminPosts.push(
      await fetchText(
        s.ports.admin,
        `POST /st HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      ),
    );
  const replies: [string, string][] = [];
  for (const c of COMMANDS) replies.push([c, await cmd(c)]);
  const info = await cmd('show info');
  const help = await cmd('help');
  return { unauth, badauth, csv, adminPosts, replies, info, help };
}

/** CSV columns whose values are times or sizes that differ between runs (or between the two pages). */
export const VARIABLE_COLUMNS = new Set([
  // rates over HAProxy's one-second periods, which start where each process's clock says
  'rate',
  'rate_max',
  'req_rate',
  'req_rate_max',
  'conn_rate',
  'conn_rate_max',
  'lastchg',
  'downtime',
  'check_duration',
  'lastsess',
  'qtime',
  'ctime',
  'rtime',
  'ttime',
  'qtime_max',
  'ctime_max',
  'rtime_max',
  'ttime_max',
  'addr',
]);

/** Masks variable columns of CSV text (header line kept): `?` for a value, empty stays empty. */
export function maskCsv(text: string, extra: (row: string[], col: string) => boolean = () => false): string {
  const lines = text.split('\n');
  const header = lines[0]?.replace(/^# /, '').split(',') ?? [];
  return lines
    .map((line, i) => {
      if (i === 0 || line === '' || line.startsWith('#')) return line;
      const cells = line.split(',');
      return cells
        .map((v, j) => {
          const col = header[j] ?? '';
          if (v === '') return v;
          if (VARIABLE_COLUMNS.has(col) || extra(cells, col))
            return col === 'addr' ? v.replace(/:\d+$/, ':P') : '?';
          return v;
        })
        .join(',');
    })
    .join('\n');
}
