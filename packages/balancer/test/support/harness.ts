/**
 * Test helpers shared by the engine's tests: build an EngineConfig in a few lines, run raw upstream
 * servers that count their accepted connections, and talk raw bytes to the balancer.
 */
import net from 'node:net';
import { type Engine, startEngine } from '../../src/engine/engine.ts';
import type {
  BackendSpec,
  EngineConfig,
  FrontendSpec,
  HttpOptions,
  Timeouts,
} from '../../src/engine/engine-config.ts';
import { DEFAULT_TUNE, NO_TIMEOUTS } from '../../src/engine/engine-config.ts';

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
  const options = { httpServerClose: false, httpClose: false, httpKeepAlive: false, ...o.options };
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
    servers: o.servers.map((s, i) => ({
      name: `s${i + 1}`,
      host: s.host ?? '127.0.0.1',
      port: s.port,
      path: null,
      weight: 1,
      maxconn: null,
      disabled: false,
      backup: false,
    })),
    timeouts,
    retries: o.retries ?? 3,
    httpReuse: o.httpReuse ?? 'safe',
    options,
    forwardfor: null,
    balance: { algorithm: 'roundrobin', args: [] },
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

/** A raw upstream: `onRequest` gets each complete request's bytes (head + body) and writes a reply. */
export interface Upstream {
  port: number;
  /** connections accepted so far */
  accepted: number;
  /** every request head+body received, in order */
  requests: string[];
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

export type Responder = (req: string, socket: net.Socket, up: Upstream) => void;

/** Responds `HTTP/1.1 200 OK` with a body naming the request path, after each full request. */
export const okResponder: Responder = (req, socket) => {
  const path = req.split(' ')[1];
  const body = `ok ${path}`;
  socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`);
};

/**
 * Parses requests from a byte stream just enough for tests (Content-Length and chunked bodies), so the
 * upstream can answer pipelined / keep-alive traffic.
 */
export async function startUpstream(responder: Responder = okResponder): Promise<Upstream> {
  const up: Upstream = {
    port: 0,
    accepted: 0,
    requests: [],
    sockets: new Set(),
    close: async () => {
      for (const s of up.sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  const server = net.createServer((socket) => {
    up.accepted++;
    up.sockets.add(socket);
    socket.on('close', () => up.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end + 4);
        let total = head.length;
        const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
          const term = buf.indexOf('\r\n0\r\n', end);
          const term2 = buf.indexOf('\r\n\r\n', term + 3);
          if (term < 0 || term2 < 0) return;
          total = term2 + 4;
        } else if (cl) total += Number(cl[1]);
        if (buf.length < total) return;
        const req = buf.slice(0, total);
        buf = buf.slice(total);
        up.requests.push(req);
        responder(req, socket, up);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  up.port = (server.address() as net.AddressInfo).port;
  return up;
}

/**
 * Sends raw bytes and collects everything until the server closes or `ms` passes. `closed` says whether
 * the connection was closed by the balancer.
 */
export function exchange(
  port: number,
  data: string | Buffer | (string | Buffer)[],
  opts: { ms?: number; until?: (s: string) => boolean; halfClose?: boolean } = {},
): Promise<{ text: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const start = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed, ms: Date.now() - start });
    };
    const timer = setTimeout(() => finish(false), opts.ms ?? 2000);
    sock.on('connect', () => {
      for (const d of Array.isArray(data) ? data : [data]) sock.write(d);
      if (opts.halfClose) sock.end();
    });
    sock.on('data', (d) => {
      text += d.toString('latin1');
      if (opts.until?.(text)) finish(false);
    });
    sock.on('error', () => {});
    sock.on('close', () => finish(true));
  });
}

/** Polls `cond` every 10 ms until true or `ms` elapsed. */
export async function waitFor(cond: () => boolean, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

/** Counts complete HTTP responses in a raw text (status lines). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
}
