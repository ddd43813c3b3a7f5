/**
 * HTTP/2 to servers (`server … proto h2` in clear text, `server … ssl alpn h2` over TLS), run against
 * the real haproxy 2.6 (h2-server-record.ts → h2-server-expected.json) and the balancer
 * (h2-server.test.ts). Two parts:
 * - requests: HTTP/1.1 clients (and one HTTP/2 client) send assorted requests; an outcome is what the
 *   client got and the header list the HTTP/2 server read (pseudo-headers included, in order) with
 *   the body;
 * - reuse: per `http-reuse` mode, how many new server connections three patterns opened — two clients
 *   whose streams overlap (the first one held by the server), three clients one request each, one
 *   client with three requests on its connection.
 */
import http2 from 'node:http2';
import { startH2Origin } from './support/h2-origin.ts';
import type { ParsedResponse } from './support/http1.ts';
import { freePort } from './support/ports.ts';
import { exchange, openClient } from './support/raw-client.ts';
import type { TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import { wsFrame, wsParse } from './support/ws-echo.ts';

export const H2S_DEFAULTS = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`;

/** {{h1}} {{h2}} {{clear}} {{tls}} {{reuse}} */
export const H2S_CONFIG = `frontend fe
    bind 127.0.0.1:{{h1}}
    bind 127.0.0.1:{{h2}} proto h2
    option forwardfor
    use_backend be_tls if { path_beg /tls }
    default_backend be_clear
backend be_clear
    http-reuse {{reuse}}
    server s1 127.0.0.1:{{clear}} proto h2
backend be_tls
    http-reuse {{reuse}}
    server s2 127.0.0.1:{{tls}} ssl verify none alpn h2
`;

export interface H2sOutcome {
  status: number | null;
  /** response fields the client got, in order (names lower-cased, `date` left out) */
  headers: [string, string][];
  body: string;
  /** the header list the server read, as [name, value] pairs, in order */
  upstream: [string, string][];
  upstreamBody: string;
}

/** An HTTP/1.1 WebSocket client to an HTTP/2 server (RFC 8441 the other way). */
export interface H2sWsOutcome {
  /** the head the client got, lines in order (`date` left out) */
  head: string[];
  /** the echo of one masked text frame, '' when none */
  echo: string;
  /** the header list the server read, '' pairs when none */
  upstream: [string, string][];
}

export interface H2sRecording {
  requests: Record<string, H2sOutcome>;
  /** `connect`: the server advertises SETTINGS_ENABLE_CONNECT_PROTOCOL; `plain`: it does not */
  websocket: { connect: H2sWsOutcome; plain: H2sWsOutcome };
  /** per http-reuse mode: new server connections per pattern */
  reuse: Record<string, { overlap: number; oneEach: number; keepAlive: number }>;
}

interface H1Probe {
  name: string;
  request: string;
}

export const H1_PROBES: H1Probe[] = [
  {
    name: 'get',
    request:
      'GET /a?x=1 HTTP/1.1\r\nHost: h2.test\r\nUser-Agent: t/1\r\nAccept: */*\r\nCookie: a=1; b=2\r\nX-Custom: v\r\n\r\n',
  },
  { name: 'post-length', request: 'POST /p HTTP/1.1\r\nHost: h2.test\r\nContent-Length: 5\r\n\r\nhello' },
  {
    name: 'post-chunked',
    request:
      'POST /c HTTP/1.1\r\nHost: h2.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n',
  },
  { name: 'head', request: 'HEAD /h HTTP/1.1\r\nHost: h2.test\r\n\r\n' },
  { name: 'http10', request: 'GET /old HTTP/1.0\r\n\r\n' },
  {
    name: 'connection-fields',
    request:
      'GET /cf HTTP/1.1\r\nHost: h2.test\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers, deflate\r\nProxy-Connection: x\r\n\r\n',
  },
  { name: 'absolute-uri', request: 'GET http://abs.test/abs?q HTTP/1.1\r\nHost: abs.test\r\n\r\n' },
  { name: 'options-star', request: 'OPTIONS * HTTP/1.1\r\nHost: h2.test\r\n\r\n' },
  { name: 'tls-get', request: 'GET /tls/x HTTP/1.1\r\nHost: h2.test\r\nX-Custom: tls\r\n\r\n' },
];

export function renderH2s(
  cfg: string,
  p: Record<'h1' | 'h2' | 'clear' | 'tls', number>,
  reuse: string,
): string {
  return cfg
    .replaceAll('{{h1}}', String(p.h1))
    .replaceAll('{{h2}}', String(p.h2))
    .replaceAll('{{clear}}', String(p.clear))
    .replaceAll('{{tls}}', String(p.tls))
    .replaceAll('{{reuse}}', reuse);
}

const pairs = (raw: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i], raw[i + 1]]);
  return out;
};

function fromH1(r: ParsedResponse | undefined): Pick<H2sOutcome, 'status' | 'headers' | 'body'> {
  if (r === undefined) return { status: null, headers: [], body: '' };
  return { status: r.status, headers: r.head.headers.filter(([n]) => n !== 'date'), body: r.body };
}

type Start = (cfg: string, ports: number[]) => Promise<() => Promise<unknown>>;

/** Both parts through a proxy started by `start` (haproxy or the balancer). */
export async function runH2sRecording(certs: TestCerts, start: Start): Promise<H2sRecording> {
  const requests = await runRequests(certs, start);
  const websocket = { connect: await runWebSocket(start, true), plain: await runWebSocket(start, false) };
  const reuse: H2sRecording['reuse'] = {};
  for (const mode of ['never', 'safe', 'aggressive', 'always']) reuse[mode] = await runReuse(start, mode);
  return { requests, websocket, reuse };
}

async function runRequests(certs: TestCerts, start: Start): Promise<Record<string, H2sOutcome>> {
  const clear = await startH2Origin();
  const tls = await startH2Origin({ pem: certs.backend });
  const p = { h1: await freePort(), h2: await freePort(), clear: clear.port, tls: tls.port };
  const stop = await start(renderH2s(H2S_CONFIG, p, 'safe'), [p.h1, p.h2]);
  const out: Record<string, H2sOutcome> = {};
  try {
    for (const probe of H1_PROBES) {
      const origin = probe.name.startsWith('tls') ? tls : clear;
      const before = origin.streams.length;
      const ex = await exchange(p.h1, probe.request, {
        ms: 5000,
        idleMs: 200,
        slowIdleMs: 4000,
        headRequests: [probe.name === 'head'],
      });
      const s = origin.streams[before];
      out[probe.name] = {
        ...fromH1(ex.responses[0]),
        upstream: s === undefined ? [] : pairs(s.raw),
        upstreamBody: s?.body ?? '',
      };
    }
    out['h2-client'] = await h2ClientProbe(p.h2, clear);
  } finally {
    await stop();
    await clear.close();
    await tls.close();
  }
  return out;
}

async function h2ClientProbe(
  port: number,
  origin: Awaited<ReturnType<typeof startH2Origin>>,
): Promise<H2sOutcome> {
  const before = origin.streams.length;
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  try {
    return await new Promise<H2sOutcome>((resolve) => {
      const st = session.request({
        ':method': 'POST',
        ':path': '/h2?y=2',
        ':authority': 'h2.test',
        'user-agent': 't/2',
        cookie: ['a=1', 'b=2'],
        'x-custom': 'from-h2',
      });
      const o: H2sOutcome = { status: null, headers: [], body: '', upstream: [], upstreamBody: '' };
      st.on('response', (_h, _f, raw) => {
        const r = raw as unknown as string[];
        o.status = Number(r[r.indexOf(':status') + 1]);
        o.headers = pairs(r).filter(([n]) => n !== ':status' && n !== 'date');
      });
      st.on('data', (d: Buffer) => {
        o.body += d.toString('latin1');
      });
      st.on('error', () => {});
      st.on('close', () => {
        const s = origin.streams[before];
        o.upstream = s === undefined ? [] : pairs(s.raw);
        o.upstreamBody = s?.body ?? '';
        resolve(o);
      });
      st.end('body!');
    });
  } finally {
    session.destroy();
  }
}

async function runReuse(start: Start, mode: string) {
  const clear = await startH2Origin();
  const p = { h1: await freePort(), h2: await freePort(), clear: clear.port, tls: await freePort() };
  const stop = await start(renderH2s(H2S_CONFIG, p, mode), [p.h1, p.h2]);
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h2.test\r\n\r\n`;
  try {
    // overlap: the first client's stream is held by the server while a second client's comes
    let n = clear.conns();
    const held = exchange(p.h1, get('/hold'), { until: (t) => t.includes('stream'), ms: 4000 });
    await waitFor(() => clear.streams.length === 1, 3000);
    await exchange(p.h1, get('/second'), { until: (t) => t.includes('stream'), ms: 3000 });
    clear.release();
    await held;
    const overlap = clear.conns() - n;
    // three clients, one request each (the client closes after its response)
    n = clear.conns();
    for (let i = 0; i < 3; i++)
      await exchange(p.h1, get(`/one-${i}`), { until: (t) => t.includes('stream'), ms: 3000 });
    const oneEach = clear.conns() - n;
    // one client, three requests one after the other on its connection (-1: not all answered)
    n = clear.conns();
    const keepAlive = (await keepAliveThree(p.h1)) ? clear.conns() - n : -1;
    return { overlap, oneEach, keepAlive };
  } finally {
    await stop();
    await clear.close();
  }
}

/** Three requests in turn on one client connection; true when all three were answered. */
async function keepAliveThree(port: number): Promise<boolean> {
  const c = openClient(port);
  await c.connected;
  try {
    for (let i = 0; i < 3; i++) {
      c.write(`GET /ka-${i} HTTP/1.1\r\nHost: h2.test\r\n\r\n`);
      if (!(await c.until((t) => t.split('x-origin').length > i + 1, 3000))) return false;
    }
    return true;
  } finally {
    c.sock.destroy();
  }
}

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

async function runWebSocket(start: Start, connectProtocol: boolean): Promise<H2sWsOutcome> {
  const origin = await startH2Origin(null, { connectProtocol });
  const p = { h1: await freePort(), h2: await freePort(), clear: origin.port, tls: await freePort() };
  const stop = await start(renderH2s(H2S_CONFIG, p, 'safe'), [p.h1, p.h2]);
  const c = openClient(p.h1);
  try {
    await c.connected;
    c.write(
      `GET /ws HTTP/1.1\r\nHost: h2.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await c.until((t) => t.includes('\r\n\r\n'), 3000);
    const text = c.text();
    const end = text.indexOf('\r\n\r\n');
    const head = text
      .slice(0, end)
      .split('\r\n')
      .filter((l) => !/^date:/i.test(l));
    let echo = '';
    if (head[0]?.startsWith('HTTP/1.1 101')) {
      c.write(wsFrame(0x1, Buffer.from('hello h2 server'), Buffer.from([1, 2, 3, 4])));
      await c.until((t) => wsParse(Buffer.from(t.slice(end + 4), 'latin1')).frames.length > 0, 3000);
      echo =
        wsParse(Buffer.from(c.text().slice(end + 4), 'latin1')).frames[0]?.payload.toString('latin1') ?? '';
    }
    const s = origin.streams[0];
    return { head, echo, upstream: s === undefined ? [] : pairs(s.raw) };
  } finally {
    c.sock.destroy();
    await stop();
    await origin.close();
  }
}
