/**
 * One HTTP/2 client connection (`alpn h2` after TLS, or `bind … proto h2` in clear text): Node's
 * `http2` core module does the framing, HPACK, flow control and RFC 9113 checks on the accepted socket
 * (`performServerHandshake`); each stream becomes one HttpSession over an H2StreamClient, so it goes
 * through the same request path as an HTTP/1.1 request — rules, backend choice, persistence, queues,
 * retries, counters, one log line per stream.
 *
 * This object is the frontend's session for the connection (counters of connections, the gate slot,
 * graceful stop): `tune.h2.max-concurrent-streams` and `tune.h2.initial-window-size` are its SETTINGS;
 * while no stream is open, `timeout http-request` (before the first), `timeout http-keep-alive` (after)
 * or `timeout client` end it with a GOAWAY, as HAProxy's h2 mux; a stop or a reload sends GOAWAY
 * (NO_ERROR) and lets the open streams finish.
 */
import type http2 from 'node:http2';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProxyRuntime, Session } from '../engine/proxy-runtime.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import { normalizeClientAddress } from './forwardfor.ts';
import { H2_CONNECT, h1RequestOf } from './h2-request.ts';
import { H2StreamClient } from './h2-stream-client.ts';
import { HttpSession } from './http-session.ts';

// node:http2 at its first use (process.getBuiltinModule): a configuration without h2 never loads it (it
// brings node:tls too: about 20 ms of CPU in every start-up, bench/startup.ts). The RST_STREAM codes
// are RFC 9113's (section 7), not read from http2.constants for the same reason.
const NGHTTP2_PROTOCOL_ERROR = 0x1;
const NGHTTP2_REFUSED_STREAM = 0x7;

/** `tune.h2.*` (HAProxy 2.6's defaults: 100 streams, a 65535-byte window, a 4096-byte HPACK table). */
export interface H2Tuning {
  maxConcurrentStreams: number;
  initialWindowSize: number;
  headerTableSize: number;
}

export const H2_DEFAULTS: H2Tuning = Object.freeze({
  maxConcurrentStreams: 100,
  initialWindowSize: 65535,
  headerTableSize: 4096,
});

export class H2Connection implements Session {
  private readonly px: ProxyRuntime;
  private readonly socket: net.Socket;
  private readonly gate: ConnGate;
  private readonly h2: http2.ServerHttp2Session;
  private readonly streams = new Set<HttpSession>();
  private requests = 0;
  private closed = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  /** when the idle deadline expires (ms since the epoch), 0: none (a stream is open) */
  private idleAt = 0;

  /**
   * `upgraded`: the connection began as HTTP/1 (h2-preface.ts) and was counted then; HTTP/2 is read
   * from this stream, which replays the preface already read, instead of the socket.
   */
  constructor(px: ProxyRuntime, socket: net.Socket, gate: ConnGate, tuning: H2Tuning, upgraded?: Duplex) {
    this.px = px;
    this.socket = socket;
    this.gate = gate;
    px.sessions.add(this);
    if (upgraded === undefined) px.frontend.counters.accept(Date.now());
    const lg = px.frontend.logger;
    if (lg !== null && upgraded === undefined)
      lg.connect(
        normalizeClientAddress(socket.remoteAddress),
        socket.remotePort ?? 0,
        normalizeClientAddress(socket.localAddress),
        socket.localPort ?? 0,
        px.fe.name,
        'http',
      );
    socket.setNoDelay(true);
    this.h2 = process.getBuiltinModule('node:http2').performServerHandshake(upgraded ?? socket, {
      settings: {
        maxConcurrentStreams: tuning.maxConcurrentStreams,
        initialWindowSize: tuning.initialWindowSize,
        headerTableSize: tuning.headerTableSize,
        // RFC 8441: WebSocket over HTTP/2, advertised as HAProxy 2.6 does (recorded)
        enableConnectProtocol: true,
      },
      // tune.http.maxhdr bounds the fields of a request (the pseudo-headers come on top)
      maxHeaderListPairs: px.maxHeaders + 4,
    });
    this.h2.on('stream', (stream, _headers, _flags, raw) =>
      this.onStream(stream, raw as unknown as string[]),
    );
    this.h2.on('error', () => {});
    this.h2.on('close', () => this.cleanup());
    socket.on('error', () => {});
    socket.on('close', () => this.close());
    if (px.tClient) {
      socket.setTimeout(px.tClient);
      // HAProxy's h2 mux times the connection out only while no stream is open
      socket.on('timeout', () => {
        if (this.streams.size === 0) this.goaway();
      });
    }
    this.armIdle();
    socket.resume();
  }

  private onStream(stream: http2.ServerHttp2Stream, raw: string[]): void {
    if (this.closed || this.stopping) {
      stream.close(NGHTTP2_REFUSED_STREAM);
      return;
    }
    const req = h1RequestOf(raw, stream.endAfterHeaders);
    if (typeof req === 'number') {
      // a plain CONNECT over HTTP/2 is not tunnelled yet: refused, the client may retry (an extended
      // CONNECT, RFC 8441, goes on as an HTTP/1.1 Upgrade: h2-request.ts);
      // a malformed request is a stream error (RFC 9113 §8.1.1), as HAProxy answers it
      stream.close(req === H2_CONNECT ? NGHTTP2_REFUSED_STREAM : NGHTTP2_PROTOCOL_ERROR);
      return;
    }
    this.disarmIdle();
    let session: HttpSession | null = null;
    const client = new H2StreamClient(stream, this.socket, req, this.requests, this.px.maxHeaders, () => {
      if (session !== null) this.streamEnded(session);
    });
    this.requests++;
    session = new HttpSession(this.px, client, this.gate, client);
    this.streams.add(session);
    client.start();
  }

  private streamEnded(s: HttpSession): void {
    if (!this.streams.delete(s)) return;
    if (this.streams.size === 0 && !this.stopping) this.armIdle();
  }

  /**
   * The idle deadline while no stream is open (see the file comment). Streams come and go in bursts:
   * the deadline moves, the one timer stays and re-arms itself for the rest when it fires early.
   */
  private armIdle(): void {
    const px = this.px;
    const ms = this.requests === 0 ? px.tHttpRequest : px.tKeepAlive || px.tHttpRequest;
    if (!ms || this.closed) return;
    this.idleAt = Date.now() + ms;
    if (this.timer === null) this.timer = setTimeout(this.onIdleTimer, ms);
  }

  private readonly onIdleTimer = (): void => {
    this.timer = null;
    if (this.idleAt === 0 || this.streams.size > 0 || this.closed) return;
    const left = this.idleAt - Date.now();
    if (left > 0) this.timer = setTimeout(this.onIdleTimer, left);
    else this.goaway();
  };

  /** No idle deadline while a stream is open (the timer, if any, finds none when it fires). */
  private disarmIdle(): void {
    this.idleAt = 0;
  }

  private clearIdle(): void {
    this.idleAt = 0;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /**
   * GOAWAY (NO_ERROR): no new stream; Node's session ends the socket once the open streams are done
   * (after their last frames are written). A peer that keeps the connection open past that is cut.
   */
  private goaway(): void {
    if (this.closed || this.stopping) return;
    this.stopping = true;
    this.clearIdle();
    this.h2.close();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearIdle();
    if (this.px.sessions.delete(this)) {
      this.px.frontend.counters.close();
      this.gate.release();
    }
  }

  /** Closes now: the open streams are cut (each session counts and logs its abort). */
  close(): void {
    if (!this.h2.destroyed) this.h2.destroy();
    if (!this.socket.destroyed) this.socket.destroy();
    for (const s of [...this.streams]) s.close();
    this.cleanup();
  }

  /** Graceful stop: GOAWAY, the streams in flight finish. */
  shutdown(): void {
    this.goaway();
  }

  /** A reload retires this engine: GOAWAY now (HAProxy's old process does the same). */
  retiring(): void {
    this.goaway();
  }

  idle(): boolean {
    return this.streams.size === 0;
  }

  closeOn(server: unknown): number {
    let n = 0;
    for (const s of [...this.streams])
      if (s.usesServer(server)) {
        s.close();
        n++;
      }
    return n;
  }

  usesServer(server: unknown): boolean {
    for (const s of this.streams) if (s.usesServer(server)) return true;
    return false;
  }
}
