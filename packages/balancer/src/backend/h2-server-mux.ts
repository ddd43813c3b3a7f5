/**
 * HTTP/2 connections to a server (`server … proto h2`, or `ssl alpn h2`): Node's `http2` client
 * session over a socket of ours (net or TLS), the streams of many requests multiplexed on it. Each
 * request rides a lease (h2-server-stream.ts, the `socket` of a ServerConn); this module owns the
 * connections and decides, per `http-reuse`, which one a request may share — as HAProxy 2.6 does
 * (recorded in test/h2-server-expected.json):
 * - `never`: a connection is its session's only (private), closed with it;
 * - a connection busy with streams is shared while it has free ones once it is "available": at once
 *   under `always`, otherwise after one of its streams ended while others remain (HAProxy's avail list);
 * - an idle connection (no stream) is taken by a session's second and later requests (`safe`), also by
 *   first requests under `aggressive` (it has proven itself: it served a stream) and `always`.
 */
import type http2 from 'node:http2';
import net from 'node:net';
import { connectTls } from '../tls/server-tls.ts';
import type { ServerTlsSpec } from '../tls/tls-spec.ts';

export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/** What a connection needs of its server (ServerConn's ConnTarget.spec). */
export interface H2Target {
  readonly host: string;
  readonly port: number;
  readonly path: string | null;
  readonly tls?: ServerTlsSpec | null;
}

/** A lease's view of its connection (h2-server-stream.ts implements it). */
export interface H2MuxUser {
  onMuxConnect(): void;
  onMuxError(err: Error): void;
  onMuxClose(): void;
}

/** SETTINGS_MAX_CONCURRENT_STREAMS assumed until the server's SETTINGS say (HAProxy's h2 default) */
const DEFAULT_MAX_STREAMS = 100;

export class H2Mux {
  readonly session: http2.ClientHttp2Session;
  readonly socket: net.Socket;
  readonly private: boolean;
  connected = false;
  closed = false;
  /** the server's first SETTINGS arrived (SETTINGS_ENABLE_CONNECT_PROTOCOL is known) */
  settingsKnown = false;
  /** open streams */
  streams = 0;
  /** streams that ended */
  served = 0;
  /** may be shared while busy (HAProxy's avail list) */
  avail: boolean;
  private draining = false;
  private readonly users = new Set<H2MuxUser>();
  private readonly pool: H2Mux[];

  constructor(target: H2Target, mode: ReuseMode, pool: H2Mux[], connectMs: number | null) {
    this.private = mode === 'never';
    this.avail = mode === 'always';
    this.pool = pool;
    const tlsSpec = target.tls ?? null;
    const socket = tlsSpec
      ? connectTls(tlsSpec, target, { noDelay: true })
      : target.path
        ? net.connect({ path: target.path })
        : net.connect({ host: target.host, port: target.port, noDelay: true });
    this.socket = socket;
    if (connectMs) socket.setTimeout(connectMs, () => socket.destroy(new Error('connect timeout')));
    const authority = target.path ? 'localhost' : `${target.host}:${target.port}`;
    // (node:http2 at its first use: a configuration without HTTP/2 never loads it)
    this.session = process
      .getBuiltinModule('node:http2')
      .connect(`${tlsSpec ? 'https' : 'http'}://${authority}`, {
        createConnection: () => socket,
      });
    this.session.on('connect', () => {
      this.connected = true;
      socket.setTimeout(0);
      if (tlsSpec && (socket as unknown as { alpnProtocol?: string | false }).alpnProtocol !== 'h2') {
        // the server chose another protocol: this connection cannot speak HTTP/2
        this.fail(new Error('the server did not choose h2 by ALPN'));
        return;
      }
      for (const u of [...this.users]) u.onMuxConnect();
    });
    this.session.once('remoteSettings', () => {
      this.settingsKnown = true;
    });
    this.session.on('error', (err) => this.fail(err));
    socket.on('error', (err) => this.fail(err));
    this.session.on('goaway', () => this.retire());
    this.session.on('close', () => this.fail(new Error('connection closed')));
    pool.push(this);
  }

  /** Free stream slots (the server's SETTINGS_MAX_CONCURRENT_STREAMS, else HAProxy's default). */
  freeStreams(): number {
    const max = this.session.remoteSettings?.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS;
    return Math.min(max, DEFAULT_MAX_STREAMS) - this.streams;
  }

  /** A lease rides this connection (told when it is up, unless it is already). */
  attach(u: H2MuxUser): void {
    this.users.add(u);
  }

  /** The lease is done with the connection; a private one closes with its last lease. */
  detach(u: H2MuxUser): void {
    if (!this.users.delete(u)) return;
    if ((this.private || this.draining) && this.users.size === 0) this.close();
  }

  /** No new stream; closes once its leases are done (the server's address changed, it was deleted). */
  drain(): void {
    this.retire();
    this.draining = true;
    if (this.users.size === 0) this.close();
  }

  streamOpened(): void {
    this.streams++;
  }

  streamEnded(): void {
    this.streams--;
    this.served++;
    // HAProxy's h2 detach: a connection with streams left becomes available to others
    if (this.streams > 0) this.avail = true;
  }

  close(): void {
    this.retire();
    if (!this.session.destroyed) this.session.destroy();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** No new stream (GOAWAY, or closing). */
  private retire(): void {
    const i = this.pool.indexOf(this);
    if (i >= 0) this.pool.splice(i, 1);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.retire();
    const users = [...this.users];
    this.users.clear();
    for (const u of users) {
      if (this.connected) u.onMuxClose();
      else u.onMuxError(err);
    }
    if (!this.session.destroyed) this.session.destroy();
    if (!this.socket.destroyed) this.socket.destroy();
  }
}

const POOLS = new WeakMap<object, H2Mux[]>();

/** The HTTP/2 connections of one server (keyed by its state object). */
export function poolOf(server: object): H2Mux[] {
  let p = POOLS.get(server);
  if (p === undefined) {
    p = [];
    POOLS.set(server, p);
  }
  return p;
}

/**
 * A connection of `server` a request may use under `mode` (`nth`: the request's rank in its session,
 * 1 for the first), or null when it needs a new one. A taken idle connection becomes available to
 * other requests while busy.
 */
export function shareableMux(server: object, mode: ReuseMode, nth: number): H2Mux | null {
  if (mode === 'never') return null;
  const pool = poolOf(server);
  // busy and available first (HAProxy looks at its avail list before the idle ones), newest first
  for (let i = pool.length - 1; i >= 0; i--) {
    const m = pool[i];
    if (!m.closed && !m.private && m.streams > 0 && m.avail && m.freeStreams() > 0) return m;
  }
  const idleOk = mode === 'always' || mode === 'aggressive' || nth > 1;
  if (!idleOk) return null;
  for (let i = pool.length - 1; i >= 0; i--) {
    const m = pool[i];
    if (!m.closed && !m.private && m.connected && m.streams === 0 && m.freeStreams() > 0) {
      // aggressive: a first request only on a connection that proved itself (it served a stream)
      if (mode === 'aggressive' && nth <= 1 && m.served === 0) continue;
      m.avail = true;
      return m;
    }
  }
  return null;
}

/** Closes every HTTP/2 connection of `server` (the engine stops, the server is deleted). */
export function closeMuxes(server: object): void {
  for (const m of [...poolOf(server)]) m.close();
}

/** Retires every HTTP/2 connection of `server`: idle ones close now, busy ones after their streams. */
export function drainMuxes(server: object): void {
  for (const m of [...poolOf(server)]) m.drain();
}
