/**
 * WebSocket over HTTP/2 (RFC 8441 extended CONNECT) to an HTTP/1.1 WebSocket server, run against the
 * real haproxy 2.6 (h2-ws-record.ts → h2-ws-expected.json) and the balancer (h2-ws.test.ts). A client
 * on node:http2 opens `:method CONNECT` + `:protocol` streams, one after the other on one connection, to
 * a clear-text `proto h2` bind and to a TLS bind (ALPN h2); the server is the raw echo server of
 * support/ws-echo.ts. An outcome is what the client got (status and fields, the echo of one masked text
 * frame or the body, or the RST_STREAM code) and the HTTP/1.1 handshake the server read.
 */
import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import type { TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import { wsAccept, wsFrame, wsParse } from './support/ws-echo.ts';

export interface WsProbe {
  name: string;
  path: string;
  protocol: string;
  headers?: [string, string][];
}

export interface WsOutcome {
  status: number | null;
  /** response fields the client got, in order, `date` left out */
  headers: [string, string][];
  /** the echoed text frame after a 2xx, else the response body */
  body: string;
  rst: number;
  /**
   * the handshake head the server read ('' when none reached it); a key the proxy made up is
   * `<generated>`, and an accept the client got that matches the key the server read `<accept of it>`
   */
  upstream: string;
}

export interface WsRecording {
  /** SETTINGS_ENABLE_CONNECT_PROTOCOL as the proxy's SETTINGS frame says it, per bind */
  enableConnectProtocol: { clear: boolean; tls: boolean };
  clear: Record<string, WsOutcome>;
  tls: Record<string, WsOutcome>;
}

export const WS_DEFAULTS = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
    timeout tunnel 5s
`;

/** {{clear}} {{tls}} {{crt}} {{echo}} */
export const WS_CONFIG = `frontend fe
    bind 127.0.0.1:{{clear}} proto h2
    bind 127.0.0.1:{{tls}} ssl crt {{crt}} alpn h2,http/1.1
    option forwardfor
    default_backend ws
backend ws
    server echo 127.0.0.1:{{echo}}
`;

export function renderWs(certs: TestCerts, p: Record<'clear' | 'tls' | 'echo', number>): string {
  return WS_CONFIG.replaceAll('{{clear}}', String(p.clear))
    .replaceAll('{{tls}}', String(p.tls))
    .replaceAll('{{crt}}', certs.crtDir)
    .replaceAll('{{echo}}', String(p.echo));
}

const CLIENT_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export const WS_PROBES: WsProbe[] = [
  {
    name: 'echo',
    path: '/chat',
    protocol: 'websocket',
    headers: [
      ['sec-websocket-version', '13'],
      ['origin', 'http://h2.test'],
      ['cookie', 'a=1'],
      ['cookie', 'b=2'],
    ],
  },
  {
    name: 'client-key',
    path: '/chat-key',
    protocol: 'websocket',
    headers: [
      ['sec-websocket-version', '13'],
      ['sec-websocket-key', CLIENT_KEY],
    ],
  },
  {
    name: 'wrong-accept',
    path: '/wrong-accept',
    protocol: 'websocket',
    headers: [['sec-websocket-version', '13']],
  },
  {
    name: 'client-key-wrong-accept',
    path: '/wrong-accept-key',
    protocol: 'websocket',
    headers: [
      ['sec-websocket-version', '13'],
      ['sec-websocket-key', CLIENT_KEY],
    ],
  },
  { name: 'refused', path: '/refuse', protocol: 'websocket', headers: [['sec-websocket-version', '13']] },
  {
    name: 'other-protocol',
    path: '/chat-other',
    protocol: 'foo',
    headers: [['sec-websocket-version', '13']],
  },
];

/** The server's head with a key the client did not send replaced by `<generated>` (it is random). */
function normalizeUpstream(head: string): string {
  return head.replace(/^(sec-websocket-key:\s*)(\S+)(\r?)$/im, (m, pre: string, key: string, cr: string) =>
    key === CLIENT_KEY ? m : `${pre}${/^[A-Za-z0-9+/]{22}==$/.test(key) ? '<generated>' : key}${cr}`,
  );
}

/** Header fields as node:http2 takes them: a repeated name as an array (sent as repeated fields). */
function fieldsOf(list: [string, string][]): http2.OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of list) {
    const had = out[k];
    out[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
  }
  return out;
}

function oneProbe(session: http2.ClientHttp2Session, p: WsProbe, authority: string): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const out: WsOutcome = { status: null, headers: [], body: '', rst: 0, upstream: '' };
    let st: http2.ClientHttp2Stream;
    try {
      st = session.request(
        {
          ':method': 'CONNECT',
          ':protocol': p.protocol,
          ':scheme': 'http',
          ':path': p.path,
          ':authority': authority,
          ...fieldsOf(p.headers ?? []),
        },
        { endStream: false },
      );
    } catch (e) {
      out.body = `client refused: ${(e as { code?: string }).code}`;
      resolve(out);
      return;
    }
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!st.closed) st.close();
      resolve(out);
    };
    const timer = setTimeout(() => {
      out.body += '<timeout>';
      finish();
    }, 4000);
    st.on('response', (h, _flags, raw) => {
      out.status = Number(h[':status']);
      const r = raw as unknown as string[];
      for (let i = 0; i < r.length; i += 2)
        if (r[i] !== ':status' && r[i] !== 'date') out.headers.push([r[i], r[i + 1]]);
      if (out.status >= 200 && out.status < 300)
        st.write(wsFrame(0x1, Buffer.from('hello over h2'), randomBytes(4)));
    });
    st.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (out.status !== null && out.status >= 200 && out.status < 300) {
        const { frames } = wsParse(buf);
        if (frames.length > 0) {
          out.body = frames[0].payload.toString('latin1');
          finish();
        }
      } else out.body = buf.toString('latin1');
    });
    st.on('error', () => {});
    st.on('close', () => {
      out.rst = st.rstCode ?? 0;
      finish();
    });
  });
}

/** Connects, reads the proxy's SETTINGS, then runs the probes one after the other on that connection. */
export async function runWsProbes(
  url: string,
  ca: string | null,
  heads: string[],
): Promise<{ enableConnectProtocol: boolean; outcomes: Record<string, WsOutcome> }> {
  const session = http2.connect(url, ca === null ? {} : { ca, servername: 'default.test' });
  session.on('error', () => {});
  await new Promise<void>((ok, ko) => {
    session.once('remoteSettings', () => ok());
    session.once('error', ko);
  });
  const enableConnectProtocol = session.remoteSettings.enableConnectProtocol === true;
  const outcomes: Record<string, WsOutcome> = {};
  try {
    for (const p of WS_PROBES) {
      const before = heads.length;
      const o = await oneProbe(session, p, 'h2.test');
      // the server read its handshake before answering: it is there once the answer is
      await waitFor(() => heads.length > before || o.status === null, 1000);
      const head = heads.slice(before).find((h) => h.split(' ')[1] === p.path);
      o.upstream = head === undefined ? '' : normalizeUpstream(head);
      const key = head?.match(/^sec-websocket-key:\s*(\S+)\r?$/im)?.[1];
      for (const f of o.headers)
        if (
          f[0] === 'sec-websocket-accept' &&
          key !== undefined &&
          f[1] === wsAccept(key) &&
          key !== CLIENT_KEY
        )
          f[1] = '<accept of it>';
      outcomes[p.name] = o;
    }
  } finally {
    session.destroy();
  }
  return { enableConnectProtocol, outcomes };
}
