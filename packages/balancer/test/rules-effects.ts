/**
 * Behaviour tests of the rule keywords marked applied in src/config/in-effect.ts (in-effect.test.ts
 * runs them with its other EFFECTS): `acl`, `use_backend`, `redirect` and each http-request /
 * http-response / http-after-response action. Each loads haproxy.cfg text as start-up does, runs the
 * engine in front of two upstreams (`a`, the default backend, and `b`) and observes the effect on
 * what the client gets or what the server received. rules.test.ts compares the same actions with
 * HAProxy 2.6 row by row; these show the keyword is in effect on a running engine.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { quiet, startUpstream, type Upstream } from './support/harness.ts';
import { freePortSync } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';
import { startSyslogListener } from './support/syslog-listener.ts';
import { waitFor } from './support/wait-for.ts';

const DEFAULTS = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

function named(name: string) {
  return (_req: string, socket: net.Socket) => {
    socket.write(
      `HTTP/1.1 200 OK\r\nx-resp: a, b\r\nset-cookie: s=1; path=/\r\nContent-Length: ${name.length}\r\nConnection: keep-alive\r\n\r\n${name}`,
    );
  };
}

interface Seen {
  /** the response the client got (head and body, latin1) */
  text: string;
  status: number;
  /** the request heads servers a and b received */
  a: string[];
  b: string[];
}

/** Runs frontend `fe` lines (and backend `a` lines) and sends one request (`extra`: header lines). */
async function run(
  fe: string[],
  /** `raw`: the bytes to send instead of one request (several, pipelined, the last with Connection: close) */
  req: { target?: string; method?: string; extra?: string; raw?: string } = {},
  be: string[] = [],
): Promise<Seen> {
  const ups: Upstream[] = [await startUpstream(named('a')), await startUpstream(named('b'))];
  // the upstreams are closed whatever fails below (a finding in the configuration included), or the
  // test process would never exit
  let engine: Awaited<ReturnType<typeof startEngine>> | null = null;
  try {
    const port = freePortSync();
    const text = `${DEFAULTS}frontend f\n    bind 127.0.0.1:${port}\n${fe.map((l) => `    ${l}\n`).join('')}    default_backend a\nbackend a\n${be.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${ups[0].port}\nbackend b\n    server s 127.0.0.1:${ups[1].port}\nbackend empty\n`;
    const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
    assert.deepEqual(
      // `declare capture` warns that the access log does not show captures yet (in-effect.ts)
      loaded.diagnostics.filter((d) => !d.message.startsWith("'declare' is parsed")),
      [],
      'the configuration loads without a finding',
    );
    engine = await startEngine(loaded.engine!, quiet);
    const r = await exchange(
      port,
      req.raw ??
        `${req.method ?? 'GET'} ${req.target ?? '/'} HTTP/1.1\r\nHost: ex.com\r\nConnection: close\r\n${req.extra ?? ''}\r\n`,
      { ms: 4000 },
    );
    return {
      text: r.text,
      status: Number(/^HTTP\/1\.1 (\d{3})/.exec(r.text)?.[1] ?? 0),
      a: [...ups[0].requests],
      b: [...ups[1].requests],
    };
  } finally {
    await engine?.stop(0);
    for (const u of ups) await u.close();
  }
}

/**
 * Runs frontend `fe` lines with `log … local0` and `option httplog` to a syslog listener, sends a
 * request for each path in turn and returns the access lines once the last path's has arrived.
 */
async function logged(fe: string[], paths: string[]): Promise<string[]> {
  const log = await startSyslogListener();
  const up = await startUpstream(named('a'));
  let engine: Awaited<ReturnType<typeof startEngine>> | null = null;
  try {
    const port = freePortSync();
    const text = `${DEFAULTS}frontend f\n    bind 127.0.0.1:${port}\n    log 127.0.0.1:${log.port} local0\n    option httplog\n${fe.map((l) => `    ${l}\n`).join('')}    default_backend a\nbackend a\n    server s 127.0.0.1:${up.port}\n`;
    const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
    assert.deepEqual(loaded.diagnostics, [], 'the configuration loads without a finding');
    engine = await startEngine(loaded.engine!, quiet);
    for (const p of paths)
      await exchange(port, `GET ${p} HTTP/1.1\r\nHost: ex.com\r\nConnection: close\r\n\r\n`, { ms: 4000 });
    const last = paths.at(-1)!;
    assert.ok(
      await waitFor(() => log.lines.some((l) => l.includes(`GET ${last} `)), 4000),
      'the last request is logged',
    );
    return [...log.lines];
  } finally {
    await engine?.stop(0);
    await up.close();
    await log.close();
  }
}

/** The request took at least `ms` (a tarpit held it). */
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await f();
  return [r, Date.now() - t0];
}

const body = (s: Seen) => s.text.slice(s.text.indexOf('\r\n\r\n') + 4);
const head = (s: Seen) => s.text.slice(0, s.text.indexOf('\r\n\r\n') + 2).toLowerCase();
const sent = (s: Seen) => (s.a[0] ?? s.b[0] ?? '').toLowerCase();

/** Connects and sends one request: did the proxy answer, or close the connection unanswered? */
async function answered(fe: string[]): Promise<boolean> {
  const s = await run(fe);
  return s.status === 200;
}

/** tcp-request STAGE accept|reject on `src` (the tests connect from 127.0.0.1). */
function tcpEffect(stage: string, action: 'accept' | 'reject'): () => Promise<void> {
  return async () => {
    if (action === 'reject') {
      assert.equal(await answered([`tcp-request ${stage} reject if { src 127.0.0.0/8 }`]), false, 'rejected');
      assert.equal(
        await answered([`tcp-request ${stage} reject if { src 10.0.0.0/8 }`]),
        true,
        'others pass',
      );
    } else {
      const fe = [`tcp-request ${stage} accept if { src 127.0.0.1 }`, `tcp-request ${stage} reject`];
      assert.equal(await answered(fe), true, 'accept ends the list');
      assert.equal(
        await answered([`tcp-request ${stage} accept if { src 10.0.0.1 }`, `tcp-request ${stage} reject`]),
        false,
      );
    }
  };
}

export const RULE_EFFECTS: Record<string, () => Promise<void>> = {
  'tcp-request connection accept': tcpEffect('connection', 'accept'),
  'tcp-request connection reject': tcpEffect('connection', 'reject'),
  'tcp-request session accept': tcpEffect('session', 'accept'),
  'tcp-request session reject': tcpEffect('session', 'reject'),
  'tcp-request content accept': tcpEffect('content', 'accept'),
  'tcp-request content reject': tcpEffect('content', 'reject'),
  async acl() {
    const fe = ['acl api path_beg /api', 'acl api path_beg /v2', 'use_backend b if api'];
    assert.equal(body(await run(fe, { target: '/v2/x' })), 'b', 'two lines of one name are OR-ed');
    assert.equal(body(await run(fe, { target: '/web' })), 'a');
  },
  async use_backend() {
    const fe = ['use_backend b if { hdr(host) -i EX.COM } { path_beg /b }'];
    assert.equal(body(await run(fe, { target: '/b/1' })), 'b');
    assert.equal(body(await run(fe, { target: '/a/1' })), 'a', 'else default_backend');
  },
  async redirect() {
    const s = await run(['redirect prefix https://ex.org code 301 if { path_beg /old }']);
    assert.equal(s.status, 200, 'no redirect when the condition is false');
    const r = await run(['redirect prefix https://ex.org code 301 if { path_beg /old }'], {
      target: '/old/x?q',
    });
    assert.equal(r.status, 301);
    assert.match(head(r), /\r\nlocation: https:\/\/ex\.org\/old\/x\?q\r\n/);
    assert.deepEqual(r.a, [], 'the server never sees it');
  },
  async 'http-request allow'() {
    const s = await run(['http-request allow if { path /ok }', 'http-request deny'], { target: '/ok' });
    assert.equal(s.status, 200);
    assert.equal(
      (await run(['http-request allow if { path /ok }', 'http-request deny'], { target: '/x' })).status,
      403,
    );
  },
  async 'http-request deny'() {
    const s = await run(['http-request deny if { path_beg /admin }'], { target: '/admin' });
    assert.equal(s.status, 403);
    assert.deepEqual(s.a, []);
  },
  async 'http-request reject'() {
    const s = await run(['http-request reject if { path_beg /admin }'], { target: '/admin' });
    assert.equal(s.text, '', 'closed without a response');
    assert.deepEqual(s.a, []);
  },
  async 'http-request return'() {
    const s = await run(['http-request return status 200 content-type text/plain lf-string "hi %[path]"'], {
      target: '/x',
    });
    assert.equal(body(s), 'hi /x');
    assert.deepEqual(s.a, []);
    // logged as haproxy 2.6 logs its answers: return LR whatever the status, deny PR whatever the status
    const lines = await logged(
      [
        'http-request return status 404 if { path /r }',
        'http-request deny deny_status 200 if { path /d }',
        'http-response return status 202 if { status 200 }',
      ],
      ['/r', '/d', '/s'],
    );
    const state = (p: string) => / - - (\S{4}) /.exec(lines.find((l) => l.includes(`GET ${p} `)) ?? '')?.[1];
    assert.deepEqual([state('/r'), state('/d'), state('/s')], ['LR--', 'PR--', 'LH--'], lines.join('\n'));
  },
  async 'http-request redirect'() {
    const s = await run(['http-request redirect scheme https'], { target: '/p' });
    assert.equal(s.status, 302);
    assert.match(head(s), /\r\nlocation: https:\/\/ex\.com\/p\r\n/);
  },
  async 'http-request set-header'() {
    const s = await run(['http-request set-header X-Id "%[path]"'], { extra: 'X-Id: forged\r\n' });
    assert.match(sent(s), /\r\nx-id: \/\r\n/);
    assert.doesNotMatch(sent(s), /forged/);
  },
  async 'http-request add-header'() {
    const s = await run(['http-request add-header X-Id two'], { extra: 'X-Id: one\r\n' });
    assert.match(sent(s), /\r\nx-id: one\r\nx-id: two\r\n/);
  },
  async 'http-request del-header'() {
    const s = await run(['http-request del-header x-secret- -m beg'], {
      extra: 'X-Secret-A: 1\r\nX-Keep: 2\r\n',
    });
    assert.doesNotMatch(sent(s), /x-secret/);
    assert.match(sent(s), /x-keep: 2/);
  },
  async 'http-request replace-header'() {
    const s = await run(['http-request replace-header X-A ^(.*)-old$ \\1-new'], { extra: 'X-A: v-old\r\n' });
    assert.match(sent(s), /\r\nx-a: v-new\r\n/);
  },
  async 'http-request replace-value'() {
    const s = await run(['http-request replace-value X-A ^a$ A'], { extra: 'X-A: a, b\r\n' });
    const raw = (s.a[0] ?? '').match(/X-A: (.*)\r\n/)?.[1];
    assert.equal(raw, 'A, b');
  },
  async 'http-request set-path'() {
    const s = await run(['http-request set-path /new%[path]'], { target: '/p?q=1' });
    assert.match(sent(s), /^get \/new\/p\?q=1 http\/1\.1/);
  },
  async 'http-request set-pathq'() {
    const s = await run(['http-request set-pathq /n?z=1'], { target: '/p?q=1' });
    assert.match(sent(s), /^get \/n\?z=1 http\/1\.1/);
  },
  async 'http-request set-query'() {
    const s = await run(['http-request set-query z=%[url_param(q)]'], { target: '/p?q=1' });
    assert.match(sent(s), /^get \/p\?z=1 http\/1\.1/);
  },
  async 'http-request set-uri'() {
    const s = await run(['http-request set-uri /u'], { target: '/p?q=1' });
    assert.match(sent(s), /^get \/u http\/1\.1/);
  },
  async 'http-request set-method'() {
    const s = await run(['http-request set-method PUT']);
    assert.match(sent(s), /^put \/ http\/1\.1/);
  },
  async 'http-request replace-path'() {
    const s = await run(['http-request replace-path /api/(.*) /\\1'], { target: '/api/v1?k' });
    assert.match(sent(s), /^get \/v1\?k http\/1\.1/);
  },
  async 'http-request replace-pathq'() {
    const s = await run(['http-request replace-pathq ^/a\\?(.*) /b?\\1'], { target: '/a?k=1' });
    assert.match(sent(s), /^get \/b\?k=1 http\/1\.1/);
  },
  async 'http-request replace-uri'() {
    const s = await run(['http-request replace-uri ^/old(.*) /new\\1'], { target: '/old/x' });
    assert.match(sent(s), /^get \/new\/x http\/1\.1/);
  },
  async 'http-request set-var'() {
    const s = await run(
      ['http-request set-var(txn.who) req.hdr(x-u)', 'use_backend b if { var(txn.who) -m str bob }'],
      {
        extra: 'X-U: bob\r\n',
      },
    );
    assert.equal(body(s), 'b');
  },
  async 'http-request unset-var'() {
    const fe = [
      'http-request set-var(txn.who) str(bob)',
      'http-request unset-var(txn.who)',
      'use_backend b if { var(txn.who) -m str bob }',
    ];
    assert.equal(body(await run(fe)), 'a');
  },
  async 'http-response allow'() {
    const s = await run(['http-response allow', 'http-response deny']);
    assert.equal(s.status, 200);
  },
  async 'http-response deny'() {
    const s = await run(['http-response deny if { res.hdr(x-resp) b }']);
    assert.equal(s.status, 502);
  },
  async 'http-response return'() {
    const s = await run(['http-response return status 202 content-type text/plain string replaced']);
    assert.equal(s.status, 202);
    assert.equal(body(s), 'replaced');
  },
  async 'http-response set-header'() {
    const s = await run(['http-response set-header x-resp "%[status]"']);
    assert.match(head(s), /\r\nx-resp: 200\r\n/);
  },
  async 'http-response add-header'() {
    const s = await run(['http-response add-header x-srv "%[srv_name]"']);
    assert.match(head(s), /\r\nx-srv: s\r\n/);
  },
  async 'http-response del-header'() {
    const s = await run(['http-response del-header set-cookie']);
    assert.doesNotMatch(head(s), /set-cookie/);
  },
  async 'http-response replace-header'() {
    const s = await run(['http-response replace-header set-cookie ^s=(.*) t=\\1']);
    assert.match(head(s), /\r\nset-cookie: t=1; path=\/\r\n/);
  },
  async 'http-response replace-value'() {
    const s = await run(['http-response replace-value x-resp ^b$ B']);
    assert.match(head(s), /\r\nx-resp: a,b\r\n/i);
  },
  async 'http-response set-status'() {
    const s = await run(['http-response set-status 404 reason Gone']);
    assert.match(s.text, /^HTTP\/1\.1 404 Gone\r\n/);
  },
  async 'http-response set-var'() {
    const s = await run([
      'http-response set-var(txn.s) res.hdr(x-resp,1)',
      'http-response set-header x-v "%[var(txn.s)]"',
    ]);
    assert.match(head(s), /\r\nx-v: a\r\n/);
  },
  async 'http-response unset-var'() {
    const s = await run([
      'http-request set-var(txn.s) str(x)',
      'http-response unset-var(txn.s)',
      'http-response set-header x-v "[%[var(txn.s)]]"',
    ]);
    assert.match(head(s), /\r\nx-v: \[\]\r\n/);
  },
  async 'http-after-response allow'() {
    const s = await run(['http-after-response allow', 'http-after-response set-header x-after 1']);
    assert.doesNotMatch(head(s), /x-after/);
  },
  async 'http-after-response set-header'() {
    const s = await run(['http-after-response set-header x-after 1', 'use_backend empty']);
    // the balancer's own 503 goes through http-after-response too
    assert.equal(s.status, 503);
    assert.match(head(s), /\r\nx-after: 1\r\n/);
  },
  async 'http-after-response add-header'() {
    const s = await run([
      'http-request return status 200',
      'http-after-response add-header x-after "%[status]"',
    ]);
    assert.match(head(s), /\r\nx-after: 200\r\n/);
  },
  async 'http-after-response del-header'() {
    const s = await run(['http-after-response del-header x-resp']);
    assert.doesNotMatch(head(s), /x-resp/);
  },
  async 'http-after-response replace-header'() {
    const s = await run(['http-after-response replace-header x-resp ^a(.*) z\\1']);
    assert.match(head(s), /\r\nx-resp: z, b\r\n/);
  },
  async 'http-after-response replace-value'() {
    const s = await run(['http-after-response replace-value x-resp ^a$ z']);
    assert.match(head(s), /\r\nx-resp: z,\s?b\r\n/);
  },
  async 'http-after-response set-status'() {
    const s = await run(['http-after-response set-status 299']);
    assert.match(s.text, /^HTTP\/1\.1 299 Success\r\n/);
  },
  async 'http-after-response set-var'() {
    const s = await run([
      'http-after-response set-var(txn.s) status',
      'http-after-response set-header x-v "%[var(txn.s)]"',
    ]);
    assert.match(head(s), /\r\nx-v: 200\r\n/);
  },
  async 'http-after-response unset-var'() {
    const s = await run([
      'http-request set-var(txn.s) str(x)',
      'http-after-response unset-var(txn.s)',
      'http-after-response set-header x-v "[%[var(txn.s)]]"',
    ]);
    assert.match(head(s), /\r\nx-v: \[\]\r\n/);
  },
  async 'http-request tarpit'() {
    const fe = ['timeout tarpit 400ms', 'http-request tarpit if { path_beg /admin }'];
    const [s, ms] = await timed(() => run(fe, { target: '/admin' }));
    assert.equal(s.status, 500, "HAProxy's fake server error");
    assert.ok(ms >= 350, `held for timeout tarpit (${ms} ms)`);
    assert.deepEqual(s.a, [], 'the server never sees it');
    const [d] = await timed(() => run([...fe.slice(0, 1), 'http-request tarpit deny_status 429']));
    assert.equal(d.status, 429);
    assert.equal(body(await run(fe, { target: '/web' })), 'a', 'others pass');
    // logged as HAProxy 2.6 logs it: no backend yet, no request time, the wait as Tw, PT
    const [line] = await logged(['timeout tarpit 100ms', 'http-request tarpit'], ['/t']);
    assert.match(line, / f f\/<NOSRV> -1\/\d{3}\/-1\/-1\/\d+ 500 208 - - PT-- /, line);
  },
  async 'timeout tarpit'() {
    // longer than timeout client: the answer still comes, after timeout tarpit (HAProxy 2.6)
    const [held, long] = await timed(() =>
      run(['timeout client 200ms', 'timeout tarpit 600ms', 'http-request tarpit']),
    );
    assert.equal(held.status, 500);
    assert.ok(long >= 550, `held past timeout client (${long} ms)`);
    const [, short] = await timed(() => run(['timeout tarpit 100ms', 'http-request tarpit']));
    assert.ok(short >= 80 && short < 900, `timeout tarpit 100ms (${short} ms)`);
    // unset: the proxy's timeout connect (1s in DEFAULTS)
    const [, fallback] = await timed(() => run(['http-request tarpit']));
    assert.ok(fallback >= 900, `timeout connect when unset (${fallback} ms)`);
  },
  async 'http-request set-src'() {
    const fe = [
      'option forwardfor',
      'http-request set-src hdr(x-real-ip)',
      'use_backend b if { src 10.0.0.0/8 }',
    ];
    const s = await run(fe, { extra: 'X-Real-IP: 10.1.2.3\r\n' });
    assert.equal(body(s), 'b', 'src is the new address');
    assert.match(sent(s), /\r\nx-forwarded-for: 10\.1\.2\.3\r\n/, 'and so is X-Forwarded-For');
    assert.equal(body(await run(fe, { extra: 'X-Real-IP: junk\r\n' })), 'a', 'not an address: unchanged');
    // for that request only: the next one on the connection is the client's own again (HAProxy 2.6)
    const two = await run(['option forwardfor', 'http-request set-src hdr(x-real-ip) if { path /1 }'], {
      raw: 'GET /1 HTTP/1.1\r\nHost: x\r\nX-Real-IP: 10.1.2.3\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    });
    assert.deepEqual(
      two.a.map((r) => /\r\nx-forwarded-for: ([^\r]*)/i.exec(r)?.[1]),
      ['10.1.2.3', '127.0.0.1'],
    );
  },
  async 'http-request set-src-port'() {
    const s = await run(['http-request set-src-port int(4242)', 'http-request set-header x-p %[src_port]']);
    assert.match(sent(s), /\r\nx-p: 4242\r\n/);
  },
  async 'http-request set-dst'() {
    const fe = ['http-request set-dst str(10.9.9.9)', 'use_backend b if { dst 10.9.9.9 }'];
    assert.equal(body(await run(fe)), 'b');
  },
  async 'http-request set-dst-port'() {
    const fe = ['http-request set-dst-port int(81)', 'use_backend b if { dst_port 81 }'];
    assert.equal(body(await run(fe)), 'b');
  },
  async 'http-request capture'() {
    const s = await run(
      ['http-request capture req.hdr(x-a) len 3', 'http-request set-header x-c %[capture.req.hdr(0)]'],
      { extra: 'X-A: abcdef\r\n' },
    );
    assert.match(sent(s), /\r\nx-c: abc\r\n/, 'cut to its length');
  },
  async 'http-response capture'() {
    const s = await run([
      'declare capture response len 4',
      'http-response capture res.fhdr(x-resp) id 0',
      'http-response set-header x-c "[%[capture.res.hdr(0)]]"',
    ]);
    assert.match(head(s), /\r\nx-c: \[a, b\]\r\n/);
  },
  async 'http-response redirect'() {
    const s = await run(['http-response redirect location /moved code 301 if { res.hdr(x-resp) b }']);
    assert.equal(s.status, 301);
    assert.match(head(s), /\r\nlocation: \/moved\r\n/);
    assert.equal(s.a.length, 1, 'after the server answered');
  },
  async 'http-after-response capture'() {
    const s = await run([
      'declare capture response len 3',
      'http-after-response capture status id 0',
      'http-after-response set-header x-c "%[capture.res.hdr(0)]"',
      'use_backend empty',
    ]);
    assert.match(head(s), /\r\nx-c: 503\r\n/, "on the balancer's own 503 too");
  },
  async 'http-request set-log-level'() {
    const lines = await logged(
      [
        'http-request set-log-level silent if { path /quiet }',
        'http-request set-log-level err if { path /e }',
      ],
      ['/quiet', '/e', '/plain'],
    );
    assert.equal(lines.filter((l) => l.includes('GET /quiet ')).length, 0, 'silent: no line');
    // local0 (16): err is <131>, info <134>
    assert.ok(lines.find((l) => l.includes('GET /e '))?.startsWith('<131>'), lines.join('\n'));
    assert.ok(lines.find((l) => l.includes('GET /plain '))?.startsWith('<134>'), lines.join('\n'));
  },
  async 'http-response set-log-level'() {
    const lines = await logged(
      ['http-request set-var(txn.p) path', 'http-response set-log-level notice if { var(txn.p) -m str /n }'],
      ['/n', '/plain'],
    );
    assert.ok(lines.find((l) => l.includes('GET /n '))?.startsWith('<133>'), lines.join('\n'));
    assert.ok(lines.find((l) => l.includes('GET /plain '))?.startsWith('<134>'), lines.join('\n'));
  },
};
