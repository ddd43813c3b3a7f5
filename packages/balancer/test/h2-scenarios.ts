/**
 * The HTTP/2 scenarios run against the real haproxy 2.6 (h2-record.ts → h2-expected.json) and against
 * the balancer (h2.test.ts): one frontend with a TLS bind offering `alpn h2,http/1.1` and a clear-text
 * `proto h2` bind, rules routing by path to two HTTP/1.1 backends, a persistence cookie and an
 * http-response rule. Every probe is one stream; all the probes of a bind share one HTTP/2 connection
 * and are sent at once (concurrent streams). An outcome is what the client got (status, response
 * headers, body, or the RST_STREAM code) and the HTTP/1.1 request the server read.
 */
import http2 from 'node:http2';
import { startUpstream, type Upstream } from './support/harness.ts';
import type { TestCerts } from './support/tls-certs.ts';

export interface H2Probe {
  name: string;
  method?: string;
  path: string;
  /** :authority (absent: none is sent, a `host` header may be) */
  authority?: string;
  /** extra header fields, in order (names lower-case, as HTTP/2 requires) */
  headers?: [string, string][];
  body?: string;
}

export interface H2Outcome {
  status: number | null;
  /** response header fields the client got, in order, `date` left out */
  headers: [string, string][];
  body: string;
  /** RST_STREAM error code the stream ended with (0 = none / NO_ERROR) */
  rst: number;
  /** the request as the server read it (head and body), '' when it reached no server */
  upstream: string;
}

export const H2_DEFAULTS = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`;

/** {{tls}} {{clear}} {{plain}} {{crt}} {{up1}} {{up2}} {{syslog}}; {{plain}} is an HTTP/1 bind */
export const H2_CONFIG = `frontend fe
    log 127.0.0.1:{{syslog}} local0
    option httplog
    bind 127.0.0.1:{{tls}} ssl crt {{crt}} alpn h2,http/1.1
    bind 127.0.0.1:{{clear}} proto h2
    bind 127.0.0.1:{{plain}}
    option forwardfor
    acl to_b path_beg /b
    http-request set-header X-Seen-Path %[path]
    http-response set-header X-Fe fe
    use_backend be2 if to_b
    default_backend be1
backend be1
    cookie SRV insert indirect nocache
    server s1 127.0.0.1:{{up1}} cookie s1
backend be2
    server s2 127.0.0.1:{{up2}}
`;

export function renderH2(
  cfg: string,
  certs: TestCerts,
  p: Record<'tls' | 'clear' | 'plain' | 'up1' | 'up2' | 'syslog', number>,
) {
  return cfg
    .replaceAll('{{syslog}}', String(p.syslog))
    .replaceAll('{{crt}}', certs.crtDir)
    .replaceAll('{{tls}}', String(p.tls))
    .replaceAll('{{clear}}', String(p.clear))
    .replaceAll('{{plain}}', String(p.plain))
    .replaceAll('{{up1}}', String(p.up1))
    .replaceAll('{{up2}}', String(p.up2));
}

/** the probes sent with prior knowledge to the HTTP/1 bind (HAProxy upgrades on the preface) */
export const UPGRADE_PROBES = ['get', 'get-b', 'post-unsized'];

export const H2_PROBES: H2Probe[] = [
  { name: 'get', path: '/a?x=1', authority: 'h2.test' },
  { name: 'get-b', path: '/b/page', authority: 'h2.test' },
  { name: 'head', method: 'HEAD', path: '/a', authority: 'h2.test' },
  {
    name: 'cookie-crumbs',
    path: '/a',
    authority: 'h2.test',
    headers: [
      ['cookie', 'a=1'],
      ['x-one', '1'],
      ['cookie', 'SRV=s1'],
      ['cookie', 'b=2'],
    ],
  },
  { name: 'host-and-authority', path: '/a', authority: 'h2.test', headers: [['host', 'h2.test']] },
  { name: 'no-authority', path: '/a', headers: [['host', 'other.test']] },
  { name: 'authority-over-host', path: '/a', authority: 'h2.test', headers: [['host', 'other.test']] },
  { name: 'te-trailers', path: '/a', authority: 'h2.test', headers: [['te', 'trailers']] },
  {
    name: 'post-length',
    method: 'POST',
    path: '/a',
    authority: 'h2.test',
    headers: [['content-length', '5']],
    body: 'hello',
  },
  { name: 'post-unsized', method: 'POST', path: '/b/up', authority: 'h2.test', body: 'abcdef' },
  { name: 'chunked-response', path: '/chunked', authority: 'h2.test' },
  { name: 'hop-by-hop-response', path: '/b/hop', authority: 'h2.test' },
  { name: 'xff-present', path: '/a', authority: 'h2.test', headers: [['x-forwarded-for', '192.0.2.1']] },
  {
    name: 'content-length-mismatch',
    method: 'POST',
    path: '/a',
    authority: 'h2.test',
    headers: [['content-length', '10']],
    body: 'abc',
  },
];

const ID = 'x-probe';

/**
 * Two HTTP/1.1 servers; each answers by path: `/chunked` in chunks, `/b/hop` with hop-by-hop headers,
 * others with a Content-Length body naming the server and path, plus `Connection: keep-alive` and
 * `Keep-Alive` (which an HTTP/2 client must not get).
 */
export async function startH2Upstreams(): Promise<{
  up1: Upstream;
  up2: Upstream;
  close: () => Promise<void>;
}> {
  const responder = (name: string) => (req: string, socket: import('node:net').Socket) => {
    const path = req.split(' ')[1] ?? '';
    const body = `${name} ${path}`;
    if (path === '/chunked') {
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n${body.slice(0, 3)}\r\n${(body.length - 3).toString(16)}\r\n${body.slice(3)}\r\n0\r\n\r\n`,
      );
      return;
    }
    const extra =
      path === '/b/hop'
        ? 'Connection: keep-alive, x-hop\r\nKeep-Alive: timeout=5\r\nX-Hop: 1\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\n'
        : '';
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nX-Up: ${name}\r\n${extra}\r\n${req.startsWith('HEAD') ? '' : body}`,
    );
  };
  const up1 = await startUpstream(responder('s1'));
  const up2 = await startUpstream(responder('s2'));
  return {
    up1,
    up2,
    close: async () => {
      await up1.close();
      await up2.close();
    },
  };
}

/** The request the upstreams read for probe `name` (found by its x-probe header), or ''. */
function seenBy(ups: Upstream[], name: string): string {
  for (const u of ups) for (const r of u.requests) if (r.includes(`\r\n${ID}: ${name}\r\n`)) return r;
  return '';
}

/**
 * All probes at once on one HTTP/2 connection to `url` (`https://…` negotiates h2 by ALPN,
 * `http://…` is prior knowledge); each outcome once every stream has ended.
 */
export async function runH2Probes(
  url: string,
  ca: string | null,
  probes: H2Probe[],
  ups: Upstream[],
): Promise<Record<string, H2Outcome>> {
  const session = http2.connect(url, ca === null ? {} : { ca, servername: 'default.test' });
  session.on('error', () => {});
  try {
    const outcomes = await Promise.all(probes.map((p) => runOne(session, p)));
    const out: Record<string, H2Outcome> = {};
    // the server side is read once every stream has ended
    probes.forEach((p, i) => {
      out[p.name] = { ...outcomes[i], upstream: maskUpstream(seenBy(ups, p.name)) };
    });
    return out;
  } finally {
    await new Promise<void>((r) => session.close(() => r()));
  }
}

/** Header names lower-cased, as HAProxy forwards them (the HTTP/1 tables compare the same way). */
function maskUpstream(req: string): string {
  const end = req.indexOf('\r\n\r\n');
  if (end < 0) return req;
  const lines = req.slice(0, end).split('\r\n');
  const head = lines.map((l, i) => {
    const colon = l.indexOf(':');
    return i === 0 || colon < 0 ? l : `${l.slice(0, colon).toLowerCase()}${l.slice(colon)}`;
  });
  return `${head.join('\r\n')}${req.slice(end)}`;
}

function runOne(session: http2.ClientHttp2Session, p: H2Probe): Promise<Omit<H2Outcome, 'upstream'>> {
  return new Promise((resolve) => {
    const headers: http2.OutgoingHttpHeaders = {
      ':method': p.method ?? 'GET',
      ':path': p.path,
      ':scheme': 'https',
    };
    if (p.authority !== undefined) headers[':authority'] = p.authority;
    // repeated names (cookie crumbs) travel as separate fields: an array value
    for (const [n, v] of [...(p.headers ?? []), [ID, p.name] as [string, string]]) {
      const had = headers[n];
      headers[n] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [String(had), v];
    }
    const hasBody = p.body !== undefined;
    const req = session.request(headers, { endStream: !hasBody });
    const got: Omit<H2Outcome, 'upstream'> = { status: null, headers: [], body: '', rst: 0 };
    req.on('response', (h, _flags, raw: string[]) => {
      got.status = Number(h[':status']);
      for (let i = 0; i < raw.length; i += 2)
        if (raw[i] !== ':status' && raw[i] !== 'date') got.headers.push([raw[i], raw[i + 1]]);
    });
    req.setEncoding('latin1');
    req.on('data', (d: string) => {
      got.body += d;
    });
    req.on('error', () => {});
    req.on('close', () => {
      got.rst = req.rstCode ?? 0;
      resolve(got);
    });
    if (hasBody) req.end(p.body);
  });
}

/**
 * What an access line says of an exchange, without times, dates, ports and counts of concurrent
 * connections: `backend/server status termination-state "request line"`.
 */
export function logEssentials(line: string): string {
  const m = / (\S+\/\S+) \S+ (-?\d+) \S+ \S+ \S+ (\S{4}) \S+ \S+ "(.*)"$/.exec(line.trim());
  return m === null ? `unparsed: ${line}` : `${m[1]} ${m[2]} ${m[3]} "${m[4]}"`;
}
