/**
 * What `balancer -c` says is in effect is what the engine applies (packages/balancer/src/config/in-effect.ts):
 * - every feature key the parser can record has a decided effect (none falls through to the default);
 * - every key marked `applied` has a test here that configures it in haproxy.cfg text, loads it through
 *   the same loader as `-c` and start-up, runs the engine and observes the keyword's effect;
 * - every `refuse` key stops start-up unless `unsafe-ignore-unimplemented` is set.
 * The expectations are HAProxy's documented behaviour, not the table: a wrong `applied` entry fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { keywordCatalog } from '@ha-lb/shared-config/haproxy';
import { setServerUp } from '../src/backend/backend.ts';
import { effectOfKey, inEffectRules, UNLISTED } from '../src/config/in-effect.ts';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { CHECK_EFFECTS } from './checks-effects.ts';
import { H2_EFFECTS } from './h2-effects.ts';
import { LOGGING_EFFECTS } from './logging-effects.ts';
import { QUEUE_EFFECTS } from './queue-effects.ts';
import { RULE_EFFECTS } from './rules-effects.ts';
import { STATS_EFFECTS } from './stats-effects.ts';
import { startBlackhole } from './support/blackhole.ts';
import { okResponder, quiet, startUpstream, type Upstream } from './support/harness.ts';
import { freePort, freePortSync } from './support/ports.ts';
import { runCli as spawnCli } from './support/proc.ts';
import { exchange, openClient } from './support/raw-client.ts';
import { startRawServer } from './support/raw-server.ts';
import { synCounter } from './support/syn-counter.ts';
import { waitFor } from './support/wait-for.ts';
import { TCP_CONTENT_EFFECTS } from './tcp-content-effects.ts';
import { TLS_EFFECTS } from './tls-effects.ts';
import { WORKER_EFFECTS } from './workers-effects.ts';

const CERT = new URL('../../shared-config/test/fixtures/haproxy/certs/site.pem', import.meta.url).pathname;
const DEFAULTS = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** `bind …:0` in these texts means "a free port" (haproxy.cfg itself refuses port 0). */
function withPorts(text: string): string {
  return text.replace(/(bind \S*?):0\b/g, (_m, head: string) => `${head}:${freePortSync()}`);
}

function load(text: string) {
  return loadBalancerConfigText([{ path: 't.cfg', text: withPorts(text) }], { env: {} });
}

/** Loads haproxy.cfg text exactly as start-up does and runs the engine on it (binds on port 0). */
async function serve(text: string): Promise<{ engine: Engine; ports: number[] }> {
  const loaded = load(text);
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert');
  assert.deepEqual(alerts, [], 'the configuration must load');
  assert.ok(loaded.engine);
  const engine = await startEngine(loaded.engine, quiet);
  cleanups.push(() => engine.stop(0));
  return { engine, ports: engine.listenSockets.map((s) => (s.address() as net.AddressInfo).port) };
}

async function upstream(responder = okResponder): Promise<Upstream> {
  const up = await startUpstream(responder);
  cleanups.push(() => up.close());
  return up;
}

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
const get = (port: number, path = '/', extra = '') =>
  exchange(port, GET(path, `Connection: close\r\n${extra}`), { ms: 4000 });

/** A connection with a helper to send a request and wait for its complete (Content-Length) response. */
function client(port: number) {
  const c = openClient(port);
  cleanups.push(() => c.sock.destroy());
  return {
    sock: c.sock,
    text: c.text,
    closed: c.closed,
    async request(path: string): Promise<string> {
      const from = c.text().length;
      c.write(GET(path));
      assert.ok(await c.until((t) => t.slice(from).includes(`ok ${path}`), 4000), `no answer to ${path}`);
      return c.text().slice(from);
    },
  };
}

/** The backlog of a listening socket, as the kernel reports it (`ss -ltn`: Send-Q). */
function listenBacklog(port: number): number | null {
  const r = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  const cols = r.stdout.trim().split(/\s+/);
  return r.status === 0 && cols.length >= 3 ? Number(cols[2]) : null;
}

/** A TCP port whose SYNs are never answered; null without python3. */
async function blackhole(): Promise<{ port: number } | null> {
  const hole = await startBlackhole().catch(() => null);
  if (hole) cleanups.push(() => hole.close());
  return hole;
}

/** A port nothing listens on: connections to it are refused. */
const closedPort = freePort;

/** Runs the CLI on a config file in a temp dir; returns the child and its collected output. */
function runCli(text: string, args: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'lb-in-effect-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, text.replaceAll('%DIR%', dir));
  const { child, out } = spawnCli(['-f', cfg, ...args]);
  cleanups.push(() => child.kill('SIGKILL'));
  return { child, out, dir };
}

/** Upstreams that answer with their name; `seen` lists who served each request, in order. */
async function namedUpstreams(names: string[]) {
  const seen: string[] = [];
  const ups: Upstream[] = [];
  for (const name of names)
    ups.push(
      await upstream((_req, s) => {
        seen.push(name);
        s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${name.length}\r\n\r\n${name}`);
      }),
    );
  const lines = (extra: string[] = []) =>
    names
      .map((n, i) => `    server ${n} 127.0.0.1:${ups[i].port}${extra[i] ? ` ${extra[i]}` : ''}`)
      .join('\n');
  return { seen, ups, lines };
}

const counts = (seen: string[]) => {
  const out: Record<string, number> = {};
  for (const x of seen) out[x] = (out[x] ?? 0) + 1;
  return out;
};

/** mode tcp servers that say their name on connect and hold the connection; close() waits for them to see it end. */
async function tcpNamed(names: string[]) {
  const closed = new Set<string>();
  const ports: number[] = [];
  let seq = 0;
  for (const name of names) {
    const srv = net.createServer((sock) => {
      const id = `${name}#${seq++}`;
      sock.on('error', () => {});
      sock.on('end', () => sock.end());
      sock.on('close', () => closed.add(id));
      sock.write(`${name} ${id}\n`);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => srv.close(r)));
    ports.push((srv.address() as net.AddressInfo).port);
  }
  return {
    lines: (extra: string[] = []) =>
      names
        .map((n, i) => `    server ${n} 127.0.0.1:${ports[i]}${extra[i] ? ` ${extra[i]}` : ''}`)
        .join('\n'),
    async open(port: number) {
      const sock = net.connect(port, '127.0.0.1');
      sock.on('error', () => {});
      cleanups.push(() => sock.destroy());
      let line = '';
      sock.on('data', (d) => {
        line += d;
      });
      assert.ok(await waitFor(() => line.includes('\n'), 4000), 'the server says its name');
      const [name, id] = line.trim().split(' ');
      return { sock, name, id };
    },
    async close(c: { sock: net.Socket; id: string }) {
      c.sock.end();
      assert.ok(await waitFor(() => closed.has(c.id), 4000), 'the server sees the connection end');
    },
  };
}

/** One behaviour per applied key (the health-check keywords' are in checks-effects.ts). */
const EFFECTS: Record<string, () => Promise<void>> = {
  ...CHECK_EFFECTS,
  ...STATS_EFFECTS,
  ...TLS_EFFECTS,
  ...RULE_EFFECTS,
  ...TCP_CONTENT_EFFECTS,
  ...QUEUE_EFFECTS,
  ...LOGGING_EFFECTS,
  ...H2_EFFECTS,
  ...WORKER_EFFECTS,
  async bind() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}frontend f\n    bind 127.0.0.1:0\n    default_backend b\nbackend b\n    server s 127.0.0.1:${up.port}\n`,
    );
    assert.match((await get(ports[0], '/bound')).text, /ok \/bound/);
  },
  async mode() {
    const { port, close } = await startRawServer((s) => s.on('data', (d) => s.write(d)));
    cleanups.push(close);
    const { ports } = await serve(
      `${DEFAULTS}listen t\n    mode tcp\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${port}\nlisten h\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${port}\n`,
    );
    // tcp passes any bytes; http answers them with a 400
    const t = await exchange(ports[0], 'not http\r\n\r\n', { until: (s) => s.includes('not http') });
    assert.equal(t.text, 'not http\r\n\r\n');
    assert.match((await exchange(ports[1], 'not http\r\n\r\n')).text, /^HTTP\/1\.1 400 /);
  },
  async default_backend() {
    const a = await upstream((_req, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'));
    const b = await upstream((_req, s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'));
    const { ports } = await serve(
      `${DEFAULTS}frontend f\n    bind 127.0.0.1:0\n    default_backend two\nbackend one\n    server s 127.0.0.1:${a.port}\nbackend two\n    server s 127.0.0.1:${b.port}\n`,
    );
    assert.match((await get(ports[0])).text, /\r\n\r\nb$/);
  },
  async server() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server web 127.0.0.1:${up.port}\n`,
    );
    await get(ports[0], '/to-server');
    assert.match(up.requests[0], /^GET \/to-server HTTP\/1\.1\r\n/);
  },
  async 'balance roundrobin'() {
    const seen: string[] = [];
    const mk = (name: string) =>
      upstream((_req, s) => {
        seen.push(name);
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    const [a, b] = [await mk('a'), await mk('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance roundrobin\n    server a 127.0.0.1:${a.port}\n    server b 127.0.0.1:${b.port}\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0]);
    assert.deepEqual(seen, ['a', 'b', 'a', 'b']);
  },
  async 'balance static-rr'() {
    const n = await namedUpstreams(['a', 'b']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance static-rr\n${n.lines(['weight 1', 'weight 2'])}\n`,
    );
    for (let i = 0; i < 6; i++) await get(ports[0]);
    assert.deepEqual(counts(n.seen), { a: 2, b: 4 });
  },
  async 'balance leastconn'() {
    const t = await tcpNamed(['a', 'b']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    mode tcp\n    bind 127.0.0.1:0\n    balance leastconn\n${t.lines()}\n`,
    );
    const c1 = await t.open(ports[0]);
    const c2 = await t.open(ports[0]);
    assert.notEqual(c2.name, c1.name, 'the busy server is not the least loaded');
    await t.close(c1);
    assert.equal((await t.open(ports[0])).name, c1.name, 'the server whose connection ended is');
  },
  async 'balance first'() {
    const t = await tcpNamed(['a', 'b', 'c']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    mode tcp\n    bind 127.0.0.1:0\n    balance first\n${t.lines(['maxconn 1', 'maxconn 1', 'maxconn 1'])}\n`,
    );
    const c1 = await t.open(ports[0]);
    const c2 = await t.open(ports[0]);
    assert.deepEqual([c1.name, c2.name], ['a', 'b'], 'a fills up before b is used, c stays unused');
    await t.close(c1);
    assert.equal((await t.open(ports[0])).name, 'a');
  },
  async 'balance source'() {
    const n = await namedUpstreams(['a', 'b', 'c']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance source\n${n.lines()}\n`,
    );
    for (let i = 0; i < 6; i++) await get(ports[0]);
    assert.equal(new Set(n.seen).size, 1, `one client address, one server: ${n.seen}`);
  },
  async 'balance uri'() {
    const n = await namedUpstreams(['a', 'b', 'c']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance uri\n${n.lines()}\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0], '/same/page?v=' + i);
    assert.equal(new Set(n.seen).size, 1, `one path, one server (the query is not hashed): ${n.seen}`);
    for (let i = 0; i < 12; i++) await get(ports[0], `/page/${i}`);
    assert.ok(new Set(n.seen).size > 1, 'different paths spread');
  },
  async 'balance url_param'() {
    const n = await namedUpstreams(['a', 'b', 'c']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance url_param user\n${n.lines()}\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0], `/p${i}?x=${i}&user=alice`);
    assert.equal(new Set(n.seen).size, 1, `one user, one server: ${n.seen}`);
    n.seen.length = 0;
    for (let i = 0; i < 6; i++) await get(ports[0], '/no-param');
    assert.equal(new Set(n.seen).size, 3, `without the parameter: round-robin: ${n.seen}`);
  },
  async 'balance hdr'() {
    const n = await namedUpstreams(['a', 'b', 'c']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance hdr(X-Tenant)\n${n.lines()}\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0], `/${i}`, 'X-Tenant: acme\r\n');
    assert.equal(new Set(n.seen).size, 1, `one tenant, one server: ${n.seen}`);
    n.seen.length = 0;
    for (let i = 0; i < 6; i++) await get(ports[0], '/');
    assert.equal(new Set(n.seen).size, 3, `without the header: round-robin: ${n.seen}`);
  },
  async 'balance random'() {
    const n = await namedUpstreams(['a', 'b', 'zero']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance random(2)\n${n.lines(['', '', 'weight 0'])}\n`,
    );
    for (let i = 0; i < 30; i++) await get(ports[0]);
    const c = counts(n.seen);
    assert.ok(c.a > 0 && c.b > 0 && c.zero === undefined, JSON.stringify(c));
  },
  async 'hash-type'() {
    // the choices HAProxy 2.6 made for the same paths (test/lb-algorithms-expected.json)
    const recorded = JSON.parse(
      readFileSync(new URL('./lb-algorithms-expected.json', import.meta.url), 'utf8'),
    );
    const paths = ['/', '/index.html', '/a', '/b', '/c', '/img/logo.png', '/img/bg.jpg', '/css/site.css'];
    for (const [method, row] of [
      ['map-based', 'uri-map-based-sdbm'],
      ['consistent sdbm', 'uri-consistent-sdbm'],
    ]) {
      const n = await namedUpstreams(['s1', 's2', 's3']);
      const { ports } = await serve(
        `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    balance uri\n    hash-type ${method}\n${n.lines(['weight 1', 'weight 2', 'weight 3'])}\n`,
      );
      for (const p of paths) await get(ports[0], p);
      assert.deepEqual(n.seen, recorded.cases[row].servers.slice(0, paths.length), method);
    }
  },
  async 'option allbackups'() {
    const run = async (opt: string) => {
      const n = await namedUpstreams(['a', 'bk1', 'bk2']);
      const { ports } = await serve(
        `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n${opt}${n.lines(['disabled', 'backup', 'backup'])}\n`,
      );
      for (let i = 0; i < 4; i++) await get(ports[0]);
      return counts(n.seen);
    };
    assert.deepEqual(await run(''), { bk1: 4 }, 'without it: the first backup only');
    assert.deepEqual(await run('    option allbackups\n'), { bk1: 2, bk2: 2 });
  },
  async dispatch() {
    const n = await namedUpstreams(['d', 's']);
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    dispatch 127.0.0.1:${n.ups[0].port}\n    server s 127.0.0.1:${n.ups[1].port}\nlisten m\n    bind 127.0.0.1:0\n    balance roundrobin\n    dispatch 127.0.0.1:${n.ups[0].port}\n    server s 127.0.0.1:${n.ups[1].port}\n`,
    );
    await get(ports[0]);
    await get(ports[1]);
    assert.deepEqual(
      n.seen,
      ['d', 's'],
      "without 'balance' the dispatch address serves; with it, the servers",
    );
  },
  async 'server weight'() {
    const seen: string[] = [];
    const mk = (name: string) =>
      upstream((_req, s) => {
        seen.push(name);
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    const [a, b] = [await mk('a'), await mk('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server a 127.0.0.1:${a.port} weight 3\n    server b 127.0.0.1:${b.port} weight 1\n`,
    );
    for (let i = 0; i < 8; i++) await get(ports[0]);
    assert.deepEqual([seen.filter((x) => x === 'a').length, seen.filter((x) => x === 'b').length], [6, 2]);
  },
  async 'server backup'() {
    const a = await upstream();
    const bk = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server a 127.0.0.1:${a.port}\n    server bk 127.0.0.1:${bk.port} backup\nlisten m\n    bind 127.0.0.1:0\n    server a 127.0.0.1:${a.port} disabled\n    server bk 127.0.0.1:${bk.port} backup\n`,
    );
    for (let i = 0; i < 3; i++) await get(ports[0]);
    assert.equal(bk.requests.length, 0, 'a backup gets nothing while an active server is usable');
    await get(ports[1], '/via-backup');
    assert.match(bk.requests[0] ?? '', /\/via-backup/, 'the backup serves when no active server is usable');
  },
  async 'server disabled'() {
    const a = await upstream();
    const off = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server a 127.0.0.1:${a.port}\n    server off 127.0.0.1:${off.port} disabled\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0]);
    assert.equal(off.requests.length, 0);
    assert.equal(a.requests.length, 4);
  },
  async 'server enabled'() {
    const a = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    default-server disabled\n    server a 127.0.0.1:${a.port} enabled\n`,
    );
    await get(ports[0], '/enabled');
    assert.match(a.requests[0] ?? '', /\/enabled/);
  },
  async 'default-server'() {
    const a = await upstream();
    const b = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    default-server weight 3\n    server a 127.0.0.1:${a.port}\n    default-server weight 1\n    server b 127.0.0.1:${b.port}\n`,
    );
    for (let i = 0; i < 4; i++) await get(ports[0]);
    assert.deepEqual([a.requests.length, b.requests.length], [3, 1]);
  },
  async maxconn() {
    await maxconnEffect(
      (up) => `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    maxconn 1\n    server s 127.0.0.1:${up}\n`,
    );
  },
  async 'bind maxconn'() {
    await maxconnEffect(
      (up) => `${DEFAULTS}listen l\n    bind 127.0.0.1:0 maxconn 1\n    server s 127.0.0.1:${up}\n`,
    );
  },
  async 'global maxconn'() {
    await maxconnEffect(
      (up) =>
        `global\n    maxconn 1\n${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up}\n`,
    );
  },
  async backlog() {
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    backlog 77\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(listenBacklog(ports[0]), 77);
  },
  async 'bind backlog'() {
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0 backlog 33\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(listenBacklog(ports[0]), 33);
  },
  async 'bind v6only'() {
    const { ports } = await serve(`${DEFAULTS}listen l\n    bind :::0 v6only\n    server s 127.0.0.1:1\n`);
    const v4 = await exchange(ports[0], 'x', { ms: 2000 });
    assert.equal(v4.text, '', 'no IPv4 client reaches a v6only listener');
    assert.equal(v4.closed, true, 'the IPv4 connection is refused');
  },
  async 'bind v4v6'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind :::0 v4v6\n    server s 127.0.0.1:${up.port}\n`,
    );
    assert.match((await get(ports[0], '/v4')).text, /ok \/v4/, 'an IPv4 client reaches a v4v6 listener');
  },
  async disabled() {
    const { ports } = await serve(
      `${DEFAULTS}frontend off\n    bind 127.0.0.1:0\n    disabled\n    default_backend b\nfrontend on\n    bind 127.0.0.1:0\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(ports.length, 1, 'a disabled frontend does not listen');
  },
  async enabled() {
    const { ports } = await serve(
      `defaults base\n    mode http\n    disabled\nfrontend f from base\n    bind 127.0.0.1:0\n    enabled\n    default_backend b\nbackend b from base\n    enabled\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(ports.length, 1, "'enabled' undoes an inherited 'disabled'");
  },
  async 'timeout client'() {
    const { port } = await upstream();
    const { ports } = await serve(
      `defaults\n    mode tcp\n    timeout connect 1s\n    timeout server 10s\n    timeout client 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${port}\n`,
    );
    const c = client(ports[0]);
    assert.ok(await waitFor(() => c.closed(), 4000), 'an idle client is closed');
  },
  async 'timeout server'() {
    const silent = await upstream(() => {});
    const { ports } = await serve(
      `defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${silent.port}\n`,
    );
    assert.match((await get(ports[0])).text, /^HTTP\/1\.1 504 /);
  },
  async 'timeout connect'() {
    const hole = await blackhole();
    assert.ok(hole, 'python3 is needed for a port that never answers');
    const { ports } = await serve(
      `defaults\n    mode http\n    timeout client 10s\n    timeout server 10s\n    timeout connect 100ms\n    retries 0\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${hole.port}\n`,
    );
    assert.match((await get(ports[0])).text, /^HTTP\/1\.1 503 /);
  },
  async 'timeout http-request'() {
    const { ports } = await serve(
      `${DEFAULTS}    timeout http-request 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:1\n`,
    );
    const r = await exchange(ports[0], 'GET / HTTP/1.1\r\nHost: x\r\n', { ms: 4000 });
    assert.match(r.text, /^HTTP\/1\.1 408 /);
  },
  async 'timeout http-keep-alive'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}    timeout http-keep-alive 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    const c = client(ports[0]);
    await c.request('/first');
    assert.ok(await waitFor(() => c.closed(), 4000), 'the idle keep-alive connection is closed');
    assert.doesNotMatch(c.text(), /408/, 'silently');
  },
  async 'timeout tunnel'() {
    const up = await upstream((_req, s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n');
    });
    const { ports } = await serve(
      `${DEFAULTS}    timeout tunnel 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    const r = await exchange(ports[0], GET('/up', 'Connection: upgrade\r\nUpgrade: x\r\n'), { ms: 4000 });
    assert.match(r.text, /^HTTP\/1\.1 101 /);
    assert.equal(r.closed, true, 'the idle tunnel is closed by timeout tunnel');
  },
  async 'timeout client-fin'() {
    await finEffect('client-fin');
  },
  async 'timeout server-fin'() {
    await finEffect('server-fin');
  },
  async 'option http-server-close'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}    option http-server-close\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    const c = client(ports[0]);
    await c.request('/1');
    await c.request('/2');
    assert.equal(up.accepted, 2, 'a server connection per request');
    assert.match(up.requests[0], /\r\nConnection: close\r\n/i);
    assert.equal(c.closed(), false, 'the client connection stays open');
  },
  async 'option httpclose'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}    option httpclose\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    const c = client(ports[0]);
    await c.request('/1');
    assert.ok(await waitFor(() => c.closed(), 4000), 'the client connection closes after the response');
  },
  async 'option http-keep-alive'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}    option http-server-close\nlisten l\n    bind 127.0.0.1:0\n    option http-keep-alive\n    server s 127.0.0.1:${up.port}\n`,
    );
    const c = client(ports[0]);
    await c.request('/1');
    await c.request('/2');
    assert.equal(
      up.accepted,
      1,
      'option http-keep-alive in the section cancels the inherited http-server-close',
    );
  },
  async 'option forwardfor'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}    option forwardfor\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    await get(ports[0]);
    assert.match(up.requests[0], /\r\nx-forwarded-for: 127\.0\.0\.1\r\n/i);
  },
  async 'http-reuse'() {
    const up = await upstream();
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    http-reuse always\n    server s 127.0.0.1:${up.port}\n`,
    );
    const a = client(ports[0]);
    await a.request('/a');
    a.sock.destroy();
    assert.ok(await waitFor(() => a.closed()));
    const b = client(ports[0]);
    await b.request('/b');
    // (the default, safe, gives a client connection's first request a connection of its own)
    assert.equal(
      up.accepted,
      1,
      "always: a new client connection's first request reuses the idle server connection",
    );
  },
  async retries() {
    const port = await closedPort();
    const syns = synCounter(port);
    assert.ok(syns, 'counting connection attempts needs root and nftables');
    const { ports } = await serve(
      `${DEFAULTS}    retries 2\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${port}\n`,
    );
    assert.match((await get(ports[0])).text, /^HTTP\/1\.1 503 /);
    assert.equal(syns.count(), 3, 'one attempt and two retries');
  },
  async errorfile() {
    const dir = mkdtempSync(join(tmpdir(), 'lb-errorfile-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, '503.http'),
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 7\r\n\r\ncustom!',
    );
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    errorfile 503 ${join(dir, '503.http')}\n    server s 127.0.0.1:${await closedPort()}\n`,
    );
    assert.match((await get(ports[0])).text, /\r\n\r\ncustom!$/);
  },
  async errorfiles() {
    const dir = mkdtempSync(join(tmpdir(), 'lb-errorfiles-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, '503.http'),
      'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 6\r\n\r\nfrom-s',
    );
    const { ports } = await serve(
      `http-errors site\n    errorfile 503 ${join(dir, '503.http')}\n${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    errorfiles site\n    server s 127.0.0.1:${await closedPort()}\n`,
    );
    assert.match((await get(ports[0])).text, /\r\n\r\nfrom-s$/);
  },
  async 'tune.bufsize'() {
    const up = await upstream();
    const { ports } = await serve(
      `global\n    tune.bufsize 4096\n${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    // 4096 - maxrewrite 1024 = 3072 bytes of head at most
    assert.match((await get(ports[0], '/', `X-Big: ${'a'.repeat(3200)}\r\n`)).text, /^HTTP\/1\.1 400 /);
    assert.match((await get(ports[0], '/small', `X-Big: ${'a'.repeat(2000)}\r\n`)).text, /ok \/small/);
  },
  async 'tune.maxrewrite'() {
    const up = await upstream();
    const { ports } = await serve(
      `global\n    tune.bufsize 8192\n    tune.maxrewrite 4096\n${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    // 8192 - 4096: a 5000-byte head, fine with the default reserve, is refused
    assert.match((await get(ports[0], '/', `X-Big: ${'a'.repeat(5000)}\r\n`)).text, /^HTTP\/1\.1 400 /);
    assert.match((await get(ports[0], '/small', `X-Big: ${'a'.repeat(3000)}\r\n`)).text, /ok \/small/);
  },
  async 'tune.http.maxhdr'() {
    const up = await upstream();
    const { ports } = await serve(
      `global\n    tune.http.maxhdr 10\n${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${up.port}\n`,
    );
    const many = Array.from({ length: 12 }, (_, i) => `X-H${i}: v\r\n`).join('');
    assert.match((await get(ports[0], '/', many)).text, /^HTTP\/1\.1 400 /);
    assert.match((await get(ports[0], '/few', 'X-A: 1\r\n')).text, /ok \/few/);
  },
  async 'unsafe-ignore-unimplemented'() {
    const rule = `${DEFAULTS}frontend f\n    bind 127.0.0.1:0\n    http-request silent-drop if { path_beg /admin }\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`;
    assert.equal(load(rule).engine, null, 'refused by default');
    const loaded = load(`global\n    unsafe-ignore-unimplemented\n${rule}`);
    assert.ok(loaded.engine, 'starts when the operator says so');
    assert.deepEqual(
      loaded.diagnostics.map((d) => [d.severity, d.code]),
      [['warning', 'CFG_WARN_UNSAFE_IGNORED']],
    );
    assert.match(loaded.diagnostics[0].message, /'http-request silent-drop' is NOT applied/);
  },
  async 'zero-warning'() {
    const loaded = load(
      `global\n    zero-warning\n${DEFAULTS}    option httplog\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(loaded.engine, null, 'a warning is fatal');
    assert.match(loaded.diagnostics.at(-1)?.message ?? '', /zero-warning/);
  },
  async quiet() {
    const { out } = runCli(
      `global\n    quiet\n${DEFAULTS}    option httplog\nlisten l\n    bind 127.0.0.1:${await closedPort()}\n    server s 127.0.0.1:1\n`,
      ['-c'],
    );
    assert.ok(await waitFor(() => out.code !== null, 10_000));
    assert.equal(out.code, 0);
    assert.equal(out.text, '', "'quiet' silences the check as -q does");
  },
  async pidfile() {
    const port = await closedPort();
    const { child, out, dir } = runCli(
      // HAProxy writes the pid file in the background or in master-worker mode (the master's pid), not
      // for a process in the foreground (test/process-mode.test.ts has every mode)
      `global\n    master-worker\n    pidfile %DIR%/lb.pid\n    health-socket %DIR%/h.sock\n${DEFAULTS}listen l\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:1\n`,
    );
    assert.ok(await waitFor(() => existsSync(join(dir, 'lb.pid')), 10_000), out.text);
    assert.equal(readFileSync(join(dir, 'lb.pid'), 'utf8'), `${child.pid}\n`);
  },
  async 'health-socket'() {
    const port = await closedPort();
    const { out, dir } = runCli(
      `global\n    health-socket %DIR%/h.sock\n${DEFAULTS}listen l\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:1\n`,
    );
    const sock = join(dir, 'h.sock');
    assert.ok(await waitFor(() => existsSync(sock), 10_000), out.text);
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ socketPath: sock, path: '/health' }, (res) => {
          let b = '';
          res.on('data', (d) => {
            b += d;
          });
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    assert.equal(JSON.parse(body).status, 'ready');
  },
  // cookie persistence: the whole table of modes and options against HAProxy is test/cookie/
  async cookie() {
    const [a, b] = [await named('a'), await named('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    cookie S insert indirect\n    server a 127.0.0.1:${a.port} cookie A\n    server b 127.0.0.1:${b.port} cookie B\n`,
    );
    assert.match((await get(ports[0])).text, /\r\nset-cookie: S=A; path=\/\r\n/, 'the chosen server is set');
    const again = await get(ports[0], '/', 'Cookie: x=1; S=B\r\n');
    assert.match(again.text, /from b$/, 'the cookie designates the server');
    assert.doesNotMatch(again.text, /set-cookie/i, 'and is not set again');
    assert.match(b.requests[0], /\r\nCookie: x=1\r\n/, 'indirect: the server does not see it');
  },
  async 'server cookie'() {
    const [a, b] = [await named('a'), await named('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    cookie S insert\n    server a 127.0.0.1:${a.port} cookie alpha\n    server b 127.0.0.1:${b.port} cookie beta\n`,
    );
    for (let i = 0; i < 3; i++)
      assert.match((await get(ports[0], '/', 'Cookie: S=beta\r\n')).text, /from b$/);
    assert.match((await get(ports[0], '/', 'Cookie: S=gamma\r\n')).text, /set-cookie: S=alpha; path=\//);
  },
  async 'dynamic-cookie-key'() {
    const [a, b] = [await named('a'), await named('b')];
    const cfg = (key: string) =>
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    dynamic-cookie-key ${key}\n    cookie S insert dynamic\n    server a 127.0.0.1:${a.port}\n    server b 127.0.0.1:${b.port}\n`;
    const one = await serve(cfg('first-secret'));
    const other = await serve(cfg('other-secret'));
    const value = (text: string) => /set-cookie: S=([0-9a-f]{16}); path=\//.exec(text)?.[1];
    const v1 = value((await get(one.ports[0])).text);
    const v2 = value((await get(other.ports[0])).text);
    assert.ok(v1 && v2, 'servers without a value get a hashed one');
    assert.notEqual(v1, v2, 'made from the key');
    assert.match((await get(one.ports[0], '/', `Cookie: S=${v1}\r\n`)).text, /from a$/);
    assert.match((await get(one.ports[0], '/', `Cookie: S=${v1}\r\n`)).text, /from a$/);
  },
  async 'option persist'() {
    const [a, b] = [await named('a'), await named('b')];
    const cfg = (persist: string) =>
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    cookie S insert indirect\n${persist}    server a 127.0.0.1:${a.port} cookie A\n    server b 127.0.0.1:${b.port} cookie B\n`;
    for (const [persist, to] of [
      ['    option persist\n', /from b$/],
      ['', /from a\r?$/],
    ] as const) {
      const { engine, ports } = await serve(cfg(persist));
      const be = engine.backends[0];
      setServerUp(engine.events, be, be.servers[1], false, 'test');
      assert.match((await get(ports[0], '/', 'Cookie: S=B\r\n')).text, to, persist || 'no option persist');
    }
  },
  async 'force-persist'() {
    const [a, b] = [await named('a'), await named('b')];
    const { engine, ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    cookie S insert indirect\n    force-persist if { hdr(x-test) -m found }\n    server a 127.0.0.1:${a.port} cookie A\n    server b 127.0.0.1:${b.port} cookie B\n`,
    );
    const be = engine.backends[0];
    setServerUp(engine.events, be, be.servers[1], false, 'test');
    assert.match(
      (await get(ports[0], '/', 'Cookie: S=B\r\nX-Test: 1\r\n')).text,
      /from b$/,
      'the rule holds',
    );
    assert.match((await get(ports[0], '/', 'Cookie: S=B\r\n')).text, /from a\r?$/, 'it does not');
  },
  async 'use-server'() {
    const [a, b] = [await named('a'), await named('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    use-server b if { hdr(x-test) -m found }\n    server a 127.0.0.1:${a.port}\n    server b 127.0.0.1:${b.port}\n`,
    );
    for (let i = 0; i < 3; i++)
      assert.match((await get(ports[0], '/', 'X-Test: 1\r\n')).text, /from b$/, 'the rule picks b');
    const plain = [];
    for (let i = 0; i < 2; i++) plain.push((await get(ports[0], '/')).text);
    assert.ok(
      plain.some((t) => /from a\r?$/.test(t)),
      'without it: balanced',
    );
    // mode tcp: not built, refused at start-up (it would send traffic elsewhere than written)
    const tcp = load(
      `${DEFAULTS}listen t\n    mode tcp\n    bind 127.0.0.1:0\n    use-server s if TRUE\n    server s 127.0.0.1:1\n`,
    );
    assert.equal(tcp.engine, null);
    assert.ok(
      tcp.diagnostics.some(
        (d) => d.severity === 'alert' && d.message.includes("'use-server' in a 'mode tcp' backend"),
      ),
      JSON.stringify(tcp.diagnostics),
    );
  },
  async 'ignore-persist'() {
    const [a, b] = [await named('a'), await named('b')];
    const { ports } = await serve(
      `${DEFAULTS}listen l\n    bind 127.0.0.1:0\n    cookie S insert indirect\n    ignore-persist if { hdr(x-test) -m found }\n    server a 127.0.0.1:${a.port} cookie A\n    server b 127.0.0.1:${b.port} cookie B\n`,
    );
    const seen = [];
    for (let i = 0; i < 2; i++) seen.push((await get(ports[0], '/', 'Cookie: S=B\r\nX-Test: 1\r\n')).text);
    assert.ok(
      seen.some((t) => /from a\r?$/.test(t)),
      'the cookie does not decide: balanced',
    );
    assert.ok(
      seen.every((t) => !/set-cookie/i.test(t)),
      'and no cookie is set',
    );
    assert.match((await get(ports[0], '/', 'Cookie: S=B\r\n')).text, /from b$/, 'without the header it does');
  },
  async 'option redispatch'() {
    const b = await named('b');
    const refused = await closedPort();
    const cfg = (redispatch: string) =>
      `${DEFAULTS}    retries 1\n${redispatch}listen l\n    bind 127.0.0.1:0\n    cookie S insert indirect\n    server a 127.0.0.1:${refused} cookie A\n    server b 127.0.0.1:${b.port} cookie B\n`;
    const on = await serve(cfg('    option redispatch\n'));
    const r = await get(on.ports[0], '/', 'Cookie: S=A\r\n');
    assert.match(r.text, /from b$/, 'the last retry goes to another server');
    assert.match(r.text, /set-cookie: S=B; path=\//, 'which the client is now bound to');
    const off = await serve(cfg(''));
    assert.match((await get(off.ports[0], '/', 'Cookie: S=A\r\n')).text, /^HTTP\/1\.1 503 /);
  },
  async 'hard-stop-after'() {
    let held = false;
    const up = await upstream(() => {
      held = true; // never answers
    });
    const port = await closedPort();
    const { child, out, dir } = runCli(
      `global\n    hard-stop-after 300ms\n    health-socket %DIR%/h.sock\n${DEFAULTS}listen l\n    bind 127.0.0.1:${port}\n    server s 127.0.0.1:${up.port}\n`,
    );
    assert.ok(await waitFor(() => existsSync(join(dir, 'h.sock')), 10_000), out.text);
    const c = client(port);
    c.sock.write(GET('/held'));
    assert.ok(await waitFor(() => held, 4000));
    child.kill('SIGUSR1');
    // the soft stop would wait for the request forever; hard-stop-after ends it
    assert.ok(await waitFor(() => out.code !== null, 8000), out.text);
    assert.equal(out.code, 0);
    assert.ok(await waitFor(() => c.closed(), 2000), 'the in-flight connection is closed');
  },
};

/** An upstream whose responses say which one it is (`from NAME`). */
async function named(name: string): Promise<Upstream> {
  return upstream((_req, s) =>
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${5 + name.length}\r\n\r\nfrom ${name}`),
  );
}

/** With a limit of 1, a second connection is not served until the first closes. */
async function maxconnEffect(cfg: (upPort: number) => string): Promise<void> {
  const order: string[] = [];
  const up = await upstream((req, s) => {
    order.push(req.split(' ')[1]);
    okResponder(req, s, up);
  });
  const { ports } = await serve(cfg(up.port));
  const first = client(ports[0]);
  await first.request('/first');
  const second = client(ports[0]);
  second.sock.write(GET('/second'));
  // barrier: another request on the first connection is served after the second's bytes arrived
  await first.request('/first-again');
  assert.deepEqual(order, ['/first', '/first-again'], 'the second connection waits while at maxconn');
  first.sock.destroy();
  assert.ok(await waitFor(() => second.text().includes('ok /second'), 4000), 'served once a slot frees');
}

/**
 * Recorded from HAProxy 2.6 here (mode tcp): once the balancer has passed the server's FIN on to the
 * client, an idle client has `timeout client-fin` to finish; once it has passed the client's FIN on to
 * the server, an idle server has `timeout server-fin`. Then the whole connection is closed.
 */
async function finEffect(which: 'client-fin' | 'server-fin'): Promise<void> {
  let serverSide: net.Socket | null = null;
  const srv = await startRawServer((s) => {
    serverSide = s;
  });
  cleanups.push(() => srv.close());
  const { ports } = await serve(
    `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout ${which} 150ms\nlisten l\n    bind 127.0.0.1:0\n    server s 127.0.0.1:${srv.port}\n`,
  );
  const client = openClient(ports[0], { allowHalfOpen: true });
  const c = client.sock;
  cleanups.push(() => c.destroy());
  assert.ok(await waitFor(() => serverSide !== null, 4000));
  const s = serverSide as unknown as net.Socket;
  let serverClosed = false;
  s.on('close', () => {
    serverClosed = true;
  });
  if (which === 'client-fin')
    s.end(); // the server half-closes, the client stays idle
  else c.end(); // the client half-closes, the server stays idle
  // the connection is closed: seen from the side that had not shut down yet
  if (which === 'client-fin') assert.ok(await waitFor(() => serverClosed, 4000), 'the server side is closed');
  else assert.ok(await waitFor(() => client.closed(), 4000), 'the client side is closed');
}

describe('what is in effect', () => {
  test('every feature key the parser records has a decided effect', () => {
    const undecided = keywordCatalog().filter((k) => effectOfKey(k) === UNLISTED);
    assert.deepEqual(undecided, []);
  });

  test('every applied key has a behaviour test here, and every test is for an applied key', () => {
    const applied = inEffectRules()
      .filter(([, e]) => e.status === 'applied')
      .map(([k]) => k)
      .sort();
    assert.deepEqual(Object.keys(EFFECTS).sort(), applied);
  });

  for (const [key, check] of Object.entries(EFFECTS)) test(`applied: ${key}`, check);

  test('every refused key stops start-up: an alert at its file:line naming the keyword', () => {
    // one representative line per refused family; the table walk above covers the rest by key
    const cases: [string, string][] = [
      [
        `frontend f\n    bind 127.0.0.1:0 ssl crt ${CERT} npn http/1.1\n    default_backend b`,
        "option 'npn' is not implemented yet",
      ],
      [
        'frontend f\n    bind 127.0.0.1:0\n    http-request silent-drop if { path_beg /admin }\n    default_backend b',
        "'http-request silent-drop' is not implemented yet",
      ],
      [
        'frontend f\n    bind 127.0.0.1:0\n    http-response cache-store c\n    default_backend b',
        "'http-response cache-store' is not implemented yet",
      ],
      [
        'frontend f\n    bind 127.0.0.1:0\n    tcp-request connection track-sc0 src\n    default_backend b',
        "'tcp-request connection track-sc0' is not implemented yet",
      ],
      [
        'frontend f\n    bind 127.0.0.1:0\n    filter compression\n    default_backend b',
        "'filter' is not implemented yet",
      ],
    ];
    for (const [section, message] of cases) {
      const loaded = load(
        `${DEFAULTS}${section}\nbackend b\n    server s 127.0.0.1:1 ssl verify none curves X25519\n`,
      );
      assert.equal(loaded.engine, null, section);
      const alerts = loaded.diagnostics.filter((d) => d.code === 'CFG_ERR_NOT_IMPLEMENTED');
      assert.ok(
        alerts.some((d) => d.message.includes(message)),
        `${message}\n${JSON.stringify(alerts, null, 1)}`,
      );
      assert.ok(
        alerts.some((d) => d.message.startsWith("'server s' option 'curves' is not implemented yet")),
        'server TLS is refused too',
      );
    }
  });

  test("the seed's configuration keeps loading: its unapplied keywords only tune, log or report", () => {
    const seed = new URL('../../shared-config/test/fixtures/seed/haproxy.cfg', import.meta.url).pathname;
    const loaded = load(readFileSync(seed, 'utf8'));
    assert.ok(loaded.engine);
    assert.deepEqual(
      loaded.diagnostics.filter((d) => d.severity === 'alert'),
      [],
    );
  });
});
