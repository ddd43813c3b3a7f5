import { writevSync } from 'node:fs';
import net from 'node:net';
import type { ObservedEvent } from '../checks/observe.ts';
import { fdOf } from '../listen/socket-fd.ts';
import { connectTls, forgetSession } from '../tls/server-tls.ts';
import type { ServerTlsSpec } from '../tls/tls-spec.ts';
import type { H2Mux, ReuseMode } from './h2-server-mux.ts';
import { type H2LeaseSocket, leaseOn } from './h2-server-stream.ts';

const READ_BUFFER = Buffer.allocUnsafe(65536);

/** Who currently drives a server connection (an HTTP or TCP session). Idle pooled ones have none. */
export interface ServerConnOwner {
  onServerConnect(conn: ServerConn): void;
  onServerConnectError(conn: ServerConn, err: Error): void;
  onServerData(conn: ServerConn, chunk: Buffer): void;
  onServerEnd(conn: ServerConn): void;
  onServerClose(conn: ServerConn): void;
  onServerDrain(conn: ServerConn): void;
  onServerTimeout(conn: ServerConn): void;
}

/**
 * What a connection needs of the server it goes to (a ServerState is one): where it is, the count of
 * open connections, and the pool idle connections return to. Declared here so that this module does
 * not depend on the backend modules that depend on it.
 */
export interface ConnTarget {
  readonly spec: {
    readonly host: string;
    readonly port: number;
    readonly path: string | null;
    /** `ssl`: connect with TLS (tls/server-tls.ts) */
    readonly tls?: ServerTlsSpec | null;
    /** `proto h2` / `alpn h2`: HTTP/2, each request a stream (backend/h2-server-stream.ts) */
    readonly proto?: 'h2' | null;
  };
  conns: number;
  readonly idle: ServerConn[];
  /** `observe`: told of connection outcomes (and, by the HTTP session, of response statuses) */
  observe?: ((event: ObservedEvent) => void) | undefined;
  /** early writes (ServerConn.writeEarly) that found the connection not yet up, in a row */
  earlyMisses?: number;
}

/** After this many early writes in a row found the connection still being made, only one in 1024 tries. */
const EARLY_MISS_LIMIT = 8;

/** The timeouts a server connection applies itself (the backend's `timeout connect` and `timeout server`). */
export interface ConnTimeouts {
  readonly connect: number | null;
  readonly server: number | null;
}

/**
 * One connection to a server. Its socket listeners are installed once and dispatch to the current
 * owner, so handing a pooled connection to another session costs no listener churn.
 */
export class ServerConn {
  readonly socket: net.Socket;
  readonly server: ConnTarget;
  owner: ServerConnOwner | null;
  connected = false;
  closed = false;
  /** requests served after the first one (http-reuse aggressive only reuses proven connections) */
  reused = 0;
  /** false once the server said close, sent garbage, or the exchange was cut */
  reusable = true;
  /** `timeout server`, armed once connected (0: none) */
  readonly serverTimeout: number;
  /** `ssl`: its TLS settings (a failed handshake forgets their session) */
  readonly tlsSpec: ServerTlsSpec | null;

  /**
   * `reuse`: the backend's http-reuse, which an HTTP/2 server's connections follow; `shared`: an
   * HTTP/2 connection of the server this request may share (h2-server-mux.ts shareableMux).
   */
  constructor(
    server: ConnTarget,
    t: ConnTimeouts,
    owner: ServerConnOwner,
    reuse: ReuseMode = 'safe',
    shared: H2Mux | null = null,
  ) {
    this.server = server;
    this.owner = owner;
    const spec = server.spec;
    this.serverTimeout = t.server ?? 0;
    if (spec.proto === 'h2') {
      // a lease on an HTTP/2 connection: its socket is the stream adapter, and on a shared connection
      // that is up it is established at once (the caller uses it as a pooled one)
      const lease = leaseOn(server, spec, reuse, t.connect, shared);
      this.socket = lease as unknown as net.Socket;
      this.tlsSpec = null;
      (lease as unknown as ConnSocket)[CONN] = this;
      server.conns++;
      this.connected = lease.mux.connected;
      if (this.connected) lease.setTimeout(this.serverTimeout);
      lease.on('data', onTlsData);
      lease.on('connect', onConnect);
      lease.on('end', onEnd);
      lease.on('drain', onDrain);
      lease.on('timeout', onTimeout);
      lease.on('error', onError);
      lease.on('close', onClose);
      return;
    }
    const tlsSpec = spec.tls ?? null;
    this.tlsSpec = tlsSpec;
    // TLS: Node's TLSSocket cannot read with `onread`; it reads with 'data' events, and the connection
    // is established when the handshake is (`timeout connect` covers both, as in HAProxy)
    const socket = tlsSpec
      ? connectTls(tlsSpec, spec, { allowHalfOpen: true, noDelay: true })
      : spec.path
        ? net.connect({ path: spec.path, allowHalfOpen: true, onread: ON_READ })
        : net.connect({
            host: spec.host,
            port: spec.port,
            noDelay: true,
            allowHalfOpen: true,
            onread: ON_READ,
          });
    this.socket = socket;
    (socket as ConnSocket)[CONN] = this;
    server.conns++;
    if (t.connect) socket.setTimeout(t.connect);
    // the listeners are shared functions (Node calls them with the socket as `this`): no closures per connection
    if (tlsSpec) socket.on('data', onTlsData);
    socket.on(tlsSpec ? 'secureConnect' : 'connect', onConnect);
    socket.on('end', onEnd);
    socket.on('drain', onDrain);
    socket.on('timeout', onTimeout);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  /**
   * Writes `bufs` now, with write(2) on the socket itself, before Node reports the connection up; returns
   * the bytes written (0: not possible yet, nothing was written). HAProxy sends the request right after
   * connect(2): to a local server the handshake is complete by then, and the server finds the request
   * when it accepts — instead of being woken a second time for it once the connect event has gone
   * through the event loop (what Node's net does). To a remote server the handshake takes a round trip
   * and the write finds it not done (EAGAIN): after a few such misses in a row the server is only tried
   * again once in a while. Plain TCP and unix sockets only (TLS writes go through the handshake).
   * Call it after connect(2) was made: net makes it in a nextTick for an IP address.
   */
  writeEarly(bufs: readonly Buffer[]): number {
    // (an HTTP/2 server's lease is a stream, not a socket: its bytes go through the multiplexer)
    if (this.tlsSpec !== null || this.connected || this.closed || this.server.spec.proto === 'h2') return 0;
    const target = this.server;
    const misses = target.earlyMisses ?? 0;
    if (misses >= EARLY_MISS_LIMIT) {
      target.earlyMisses = misses + 1;
      if ((misses & 1023) !== 0) return 0;
    }
    const fd = fdOf(this.socket);
    if (fd < 0) return 0;
    try {
      const n = writevSync(fd, bufs as Buffer[]);
      target.earlyMisses = 0;
      return n;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EAGAIN') {
        target.earlyMisses = misses + 1; // still connecting
        return 0;
      }
      // refused or reset: the kernel reports a socket's error once, and this write took it, so it is
      // the connection's connect error now (as Node's connect would have reported it)
      const spec = target.spec;
      const where = spec.path ?? `${spec.host}:${spec.port}`;
      this.socket.destroy(
        Object.assign(new Error(`connect ${e.code} ${where}`), {
          code: e.code,
          errno: e.errno,
          syscall: 'connect',
        }),
      );
      return 0;
    }
  }
}

/** The connection a socket belongs to, for the shared listeners below. */
const CONN = Symbol('ServerConn');
type ConnSocket = net.Socket & { [CONN]: ServerConn };

// `onread` reads into one shared buffer and skips the Readable stream machinery and the 64 KB
// allocation Node makes per read; the bytes are copied out (sized to the read) before dispatch, so
// the shared buffer is free again when the callback returns.
const ON_READ = { buffer: READ_BUFFER, callback: onRead };

function onRead(this: ConnSocket, n: number, buf: Uint8Array): boolean {
  const conn = this[CONN];
  const chunk = Buffer.allocUnsafe(n);
  chunk.set(buf.subarray(0, n));
  if (conn.owner) conn.owner.onServerData(conn, chunk);
  else {
    // an idle connection must stay silent; anything else means it cannot be trusted
    conn.reusable = false;
    this.destroy();
  }
  // false pauses the socket (backpressure asked for by the owner through pause())
  return !this.isPaused();
}

function onTlsData(this: ConnSocket, chunk: Buffer): void {
  const conn = this[CONN];
  if (conn.owner) conn.owner.onServerData(conn, chunk);
  else {
    conn.reusable = false;
    this.destroy();
  }
}

function onConnect(this: ConnSocket): void {
  const conn = this[CONN];
  conn.connected = true;
  conn.server.observe?.('l4-ok');
  this.setTimeout(conn.serverTimeout);
  conn.owner?.onServerConnect(conn);
}

function onEnd(this: ConnSocket): void {
  const conn = this[CONN];
  conn.reusable = false;
  if (conn.owner) conn.owner.onServerEnd(conn);
  else this.destroy();
}

function onDrain(this: ConnSocket): void {
  const conn = this[CONN];
  conn.owner?.onServerDrain(conn);
}

function onTimeout(this: ConnSocket): void {
  const conn = this[CONN];
  if (!conn.connected) {
    this.destroy();
    conn.server.observe?.('l4-err');
    conn.owner?.onServerConnectError(conn, new Error('connect timeout'));
    conn.owner = null;
    return;
  }
  if (conn.owner) conn.owner.onServerTimeout(conn);
  else this.destroy();
}

function onError(this: ConnSocket, err: Error): void {
  const conn = this[CONN];
  conn.reusable = false;
  if (!conn.connected) {
    if (conn.tlsSpec) forgetSession(conn.tlsSpec);
    conn.server.observe?.('l4-err');
    const o = conn.owner;
    conn.owner = null;
    o?.onServerConnectError(conn, err);
  }
}

function onClose(this: ConnSocket): void {
  const conn = this[CONN];
  conn.closed = true;
  conn.reusable = false;
  const server = conn.server;
  server.conns--;
  const idle = server.idle;
  if (idle.length > 0) {
    const i = idle.indexOf(conn);
    if (i >= 0) idle.splice(i, 1);
  }
  const o = conn.owner;
  conn.owner = null;
  if (o && conn.connected) o.onServerClose(conn);
}

/** Puts a finished connection into its server's idle pool (or closes it when it cannot be reused). */
export function releaseToPool(conn: ServerConn): void {
  conn.owner = null;
  const lease = h2LeaseOf(conn);
  if (lease !== null) {
    // HTTP/2: the lease goes, its connection stays in the server's pool for other requests
    if (!conn.reusable) conn.socket.destroy();
    else lease.release();
    return;
  }
  if (!conn.reusable || conn.closed || conn.socket.destroyed) {
    conn.socket.destroy();
    return;
  }
  if (conn.socket.isPaused()) conn.socket.resume();
  conn.server.idle.push(conn);
}

/**
 * An idle connection to `server` allowed by the http-reuse policy: `minReused` 0 takes any idle one,
 * 1 only connections that already served more than one request (aggressive on a first request).
 */
export function takeIdle(server: ConnTarget, minReused: number): ServerConn | null {
  const idle = server.idle;
  for (let i = idle.length - 1; i >= 0; i--) {
    const c = idle[i];
    if (c.reused < minReused) continue;
    idle.splice(i, 1);
    if (c.closed || c.socket.destroyed || !c.reusable) continue;
    return c;
  }
  return null;
}

/** The HTTP/2 lease a connection is, or null for a socket of its own. */
export function h2LeaseOf(conn: ServerConn): H2LeaseSocket | null {
  return conn.server.spec.proto === 'h2' ? (conn.socket as unknown as H2LeaseSocket) : null;
}
