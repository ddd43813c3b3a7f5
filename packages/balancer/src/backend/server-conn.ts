import net from 'node:net';
import type { ObservedEvent } from '../checks/observe.ts';
import { connectTls, forgetSession } from '../tls/server-tls.ts';
import type { ServerTlsSpec } from '../tls/tls-spec.ts';

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
  };
  conns: number;
  readonly idle: ServerConn[];
  /** `observe`: told of connection outcomes (and, by the HTTP session, of response statuses) */
  observe?: ((event: ObservedEvent) => void) | undefined;
}

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
  private readonly serverTimeout: number;

  constructor(server: ConnTarget, t: ConnTimeouts, owner: ServerConnOwner) {
    this.server = server;
    this.owner = owner;
    const spec = server.spec;
    this.serverTimeout = t.server ?? 0;
    // `onread` reads into one shared buffer and skips the Readable stream machinery and the 64 KB
    // allocation Node makes per read; the bytes are copied out (sized to the read) before dispatch, so
    // the shared buffer is free again when the callback returns.
    const onread = { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.onRead(n, buf) };
    const tlsSpec = spec.tls;
    // TLS: Node's TLSSocket cannot read with `onread`; it reads with 'data' events, and the connection
    // is established when the handshake is (`timeout connect` covers both, as in HAProxy)
    const socket = tlsSpec
      ? connectTls(tlsSpec, spec, { allowHalfOpen: true, noDelay: true })
      : spec.path
        ? net.connect({ path: spec.path, allowHalfOpen: true, onread })
        : net.connect({ host: spec.host, port: spec.port, noDelay: true, allowHalfOpen: true, onread });
    this.socket = socket;
    server.conns++;
    if (t.connect) socket.setTimeout(t.connect);
    if (tlsSpec) socket.on('data', (chunk: Buffer) => this.onTlsData(chunk));
    socket.on(tlsSpec ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      server.observe?.('l4-ok');
      socket.setTimeout(this.serverTimeout);
      this.owner?.onServerConnect(this);
    });

    socket.on('end', () => {
      this.reusable = false;
      if (this.owner) this.owner.onServerEnd(this);
      else socket.destroy();
    });
    socket.on('drain', () => this.owner?.onServerDrain(this));
    socket.on('timeout', () => {
      if (!this.connected) {
        socket.destroy();
        server.observe?.('l4-err');
        this.owner?.onServerConnectError(this, new Error('connect timeout'));
        this.owner = null;
        return;
      }
      if (this.owner) this.owner.onServerTimeout(this);
      else socket.destroy();
    });
    socket.on('error', (err) => {
      this.reusable = false;
      if (!this.connected) {
        if (tlsSpec) forgetSession(tlsSpec);
        server.observe?.('l4-err');
        const o = this.owner;
        this.owner = null;
        o?.onServerConnectError(this, err);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      this.reusable = false;
      server.conns--;
      const i = server.idle.indexOf(this);
      if (i >= 0) server.idle.splice(i, 1);
      const o = this.owner;
      this.owner = null;
      if (o && this.connected) o.onServerClose(this);
    });
  }

  private onTlsData(chunk: Buffer): void {
    if (this.owner) this.owner.onServerData(this, chunk);
    else {
      this.reusable = false;
      this.socket.destroy();
    }
  }

  private onRead(n: number, buf: Uint8Array): boolean {
    const chunk = Buffer.allocUnsafe(n);
    chunk.set(buf.subarray(0, n));
    if (this.owner) this.owner.onServerData(this, chunk);
    else {
      // an idle connection must stay silent; anything else means it cannot be trusted
      this.reusable = false;
      this.socket.destroy();
    }
    // false pauses the socket (backpressure asked for by the owner through pause())
    return !this.socket.isPaused();
  }
}

/** Puts a finished connection into its server's idle pool (or closes it when it cannot be reused). */
export function releaseToPool(conn: ServerConn): void {
  conn.owner = null;
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
