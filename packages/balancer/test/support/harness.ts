/**
 * The in-process harness of the engine's tests: an EngineConfig in a few lines, the engine started on
 * it, and an HTTP/1 upstream that counts its connections and keeps every request it got. Talking to the
 * engine is raw-client.ts (`exchange`, `openClient`); waiting is wait-for.ts.
 */
import type net from 'node:net';
import { type Engine, startEngine } from '../../src/engine/engine.ts';
import type {
  BackendSpec,
  EngineConfig,
  FrontendSpec,
  HttpOptions,
  Timeouts,
} from '../../src/engine/engine-config.ts';
import { DEFAULT_TUNE, NO_TIMEOUTS } from '../../src/engine/engine-config.ts';
import { splitRequests } from './http1.ts';
import { startRawServer } from './raw-server.ts';
import { serverSpec } from './server-spec.ts';

export { serverSpec };

export const quiet = { alert() {}, warning() {}, notice() {} };

export interface ProxyOpts {
  mode?: 'http' | 'tcp';
  servers: { host?: string; port: number }[];
  timeouts?: Partial<Timeouts>;
  options?: Partial<HttpOptions>;
  forwardfor?: FrontendSpec['forwardfor'];
  httpReuse?: BackendSpec['httpReuse'];
  retries?: number;
  maxconn?: number | null;
  globalMaxconn?: number | null;
  errorfiles?: Map<number, Buffer>;
  maxHeaders?: number;
}

export function proxyConfig(o: ProxyOpts): EngineConfig {
  const timeouts = { ...NO_TIMEOUTS, connect: 1000, client: 5000, server: 5000, ...o.timeouts };
  const options = { httpServerClose: false, httpClose: false, ...o.options };
  const mode = o.mode ?? 'http';
  const fe: FrontendSpec = {
    name: 'fe',
    mode,
    binds: [
      {
        address: { kind: 'inet', family: 4, host: '127.0.0.1', portMin: 0, portMax: 0 },
        text: '127.0.0.1:0',
        file: 'test',
        line: 1,
      },
    ],
    maxconn: o.maxconn ?? null,
    timeouts,
    options,
    forwardfor: o.forwardfor ?? null,
    defaultBackend: 'be',
    errorfiles: o.errorfiles ?? new Map(),
  };
  const be: BackendSpec = {
    name: 'be',
    mode,
    servers: o.servers.map((s, i) => serverSpec({ name: `s${i + 1}`, host: s.host, port: s.port })),
    timeouts,
    retries: o.retries ?? 3,
    httpReuse: o.httpReuse ?? 'safe',
    options,
    forwardfor: null,
    balance: null,
    errorfiles: new Map(),
  };
  return {
    global: {
      maxconn: o.globalMaxconn ?? null,
      pidfile: null,
      healthSocket: null,
      ...DEFAULT_TUNE,
      maxHeaders: o.maxHeaders ?? DEFAULT_TUNE.maxHeaders,
    },
    frontends: [fe],
    backends: new Map([['be', be]]),
  };
}

export async function startProxy(o: ProxyOpts): Promise<{ engine: Engine; port: number }> {
  const engine = await startEngine(proxyConfig(o), quiet);
  const addr = engine.listenSockets[0].address() as net.AddressInfo;
  return { engine, port: addr.port };
}

/** One connection an upstream accepted. */
export interface UpstreamConn {
  acceptedAt: number;
  /** everything received on it, as latin1 */
  data: string;
  /** complete requests received on it so far */
  requests: number;
  closed: boolean;
  socket: net.Socket;
}

/** A raw upstream: `onRequest` gets each complete request's bytes (head + body) and writes a reply. */
export interface Upstream {
  port: number;
  /** connections accepted so far */
  accepted: number;
  /** every request head+body received, in order */
  requests: string[];
  /** the connections accepted, in order (an owner may drain it) */
  conns: UpstreamConn[];
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

export type Responder = (req: string, socket: net.Socket, up: Upstream, conn?: UpstreamConn) => void;

/** Responds `HTTP/1.1 200 OK` with a body naming the request path, after each full request. */
export const okResponder: Responder = (req, socket) => {
  const path = req.split(' ')[1];
  const body = `ok ${path}`;
  socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
};

/**
 * An HTTP/1 upstream on node:net that cuts what it receives into requests (test/support/http1.ts:
 * Content-Length and chunked bodies), so it can answer pipelined / keep-alive traffic.
 */
export async function startUpstream(
  responder: Responder = okResponder,
  opts: { host?: string; port?: number } = {},
): Promise<Upstream> {
  const raw = await startRawServer((socket) => {
    const conn: UpstreamConn = { acceptedAt: Date.now(), data: '', requests: 0, closed: false, socket };
    up.accepted++;
    up.conns.push(conn);
    socket.on('close', () => {
      conn.closed = true;
    });
    let from = 0;
    socket.on('data', (d) => {
      conn.data += d.toString('latin1');
      for (const r of splitRequests(conn.data.slice(from))) {
        if (!r.complete) break;
        const req = conn.data.slice(from, from + r.end);
        from += r.end;
        conn.requests++;
        up.requests.push(req);
        responder(req, socket, up, conn);
      }
    });
  }, opts);
  const up: Upstream = {
    port: raw.port,
    accepted: 0,
    requests: [],
    conns: [],
    sockets: raw.sockets,
    close: raw.close,
  };
  return up;
}
