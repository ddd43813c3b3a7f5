/**
 * A lease on an HTTP/2 server connection (h2-server-mux.ts) that looks like a socket to the session:
 * the session writes an HTTP/1.1 request and reads an HTTP/1.1 response, as it does with an HTTP/1.1
 * server (one request path, two framings — the mirror of http/h2-stream-client.ts). Each request
 * written is one stream: its head becomes the header list HAProxy 2.6 sends (recorded in
 * test/h2-server-expected.json) —
 * - `:method`, `:scheme`, `:path`; an origin-form target keeps its `host` field and goes out with
 *   `:scheme https` (HAProxy's default when the request named no scheme); an absolute-form one, or an
 *   HTTP/2 client's request (scheme and authority given by the session), gets `:scheme` and
 *   `:authority` from it and loses `host`;
 * - the other fields in order, names lower-case, without the connection-specific ones (RFC 9113
 *   §8.2.2); `te` becomes `trailers` when it lists it, else goes; a request with neither host nor
 *   authority cannot be sent (HAProxy answers 502);
 * - the body as DATA (a chunked one unchunked); the response is rebuilt as an HTTP/1.1 head with its
 *   fields in order, chunked when no content-length sizes it;
 * - an Upgrade (WebSocket) as an extended CONNECT (RFC 8441) once the server's SETTINGS allow it, its
 *   200 as a 101 with the accept of the client's key, then the stream's DATA as the tunnel.
 * The lease outlives its stream: the session may keep it for the next request of its client (a new
 * stream on the same connection), or hand it back (the connection stays for others).
 */
import { EventEmitter } from 'node:events';
import type http2 from 'node:http2';
import { ChunkDecoder } from '../http/chunk-decoder.ts';
import { wsAcceptOf } from '../http/ws-key.ts';
import {
  type H2Mux,
  type H2MuxUser,
  type H2Target,
  H2Mux as Mux,
  poolOf,
  type ReuseMode,
} from './h2-server-mux.ts';

// RFC 9113's codes and flags (section 7, 6.2), not http2.constants: node:http2 is loaded at the first
// HTTP/2 connection (h2-server-mux.ts), as on the client side
const NGHTTP2_NO_ERROR = 0x0;
const NGHTTP2_CANCEL = 0x8;
const FLAG_END_STREAM = 0x1;

const DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);
const CRLF = Buffer.from('\r\n', 'latin1');
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/** The scheme and authority of a request that came over HTTP/2 (its `:scheme` and `:authority`). */
export interface RequestOrigin {
  scheme: string;
  authority: string;
}

// request body kinds
const Q_NONE = 0;
const Q_LENGTH = 1;
const Q_CHUNKED = 2;
/** an HTTP/1.1 Upgrade sent as an extended CONNECT: after the head, bytes are the tunnel's */
const Q_TUNNEL = 3;

export class H2LeaseSocket extends EventEmitter implements H2MuxUser {
  readonly mux: H2Mux;
  destroyed = false;
  /** set by the session before it writes a request that came over HTTP/2 */
  origin: RequestOrigin | null = null;
  private stream: http2.ClientHttp2Stream | null = null;
  private head: Buffer | null = null;
  private qKind = Q_NONE;
  private qRemaining = 0;
  private decoder: ChunkDecoder | null = null;
  private resChunked = false;
  /** the client's Sec-WebSocket-Key of an Upgrade sent as an extended CONNECT (null: none) */
  private wsKey: string | null = null;
  private tunnel = false;
  /** bytes written while an extended CONNECT waits for the server's SETTINGS */
  private waiting: Buffer[] | null = null;
  private paused = false;
  private timeoutMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly sendPart = (part: Buffer) => {
    if (part.length > 0) this.stream?.write(part);
  };

  constructor(mux: H2Mux) {
    super();
    this.mux = mux;
    mux.attach(this);
  }

  get localAddress(): string | undefined {
    return this.mux.socket.localAddress;
  }

  get localPort(): number | undefined {
    return this.mux.socket.localPort;
  }

  // ------------------------------------------------------------ the connection's events

  onMuxConnect(): void {
    if (!this.destroyed) this.emit('connect');
  }

  onMuxError(err: Error): void {
    if (this.destroyed) return;
    this.emit('error', err);
    this.finish();
  }

  onMuxClose(): void {
    if (!this.destroyed) this.finish();
  }

  // ------------------------------------------------------------ the session's side (a socket's)

  write(data: Buffer): boolean {
    if (this.destroyed) return false;
    this.touch();
    if (this.waiting !== null) {
      this.waiting.push(data);
      return true;
    }
    if (this.stream === null || this.head !== null) return this.headBytes(data);
    return this.bodyBytes(data);
  }

  end(data?: Buffer): void {
    if (data !== undefined) this.write(data);
    if (this.stream !== null && !this.stream.writableEnded) this.stream.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    const s = this.stream;
    if (s !== null && !s.closed) s.close(NGHTTP2_CANCEL);
    this.finish();
  }

  /** (the frames are written as the stream goes: nothing to batch) */
  cork(): void {}

  uncork(): void {}

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  isPaused(): boolean {
    return this.paused;
  }

  /** `timeout connect`/`timeout server`: inactivity of this lease (no bytes either way). */
  setTimeout(ms: number): void {
    this.timeoutMs = ms;
    this.touch();
  }

  // ------------------------------------------------------------ request

  private headBytes(data: Buffer): boolean {
    const buf = this.head === null ? data : Buffer.concat([this.head, data]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      this.head = buf;
      return true;
    }
    this.head = null;
    const rest = buf.subarray(end + 4);
    const headers = this.h2Headers(buf.toString('latin1', 0, end));
    if (headers === null) {
      // nothing HTTP/2 can carry (no authority): the exchange fails as a server that closed
      this.finish();
      return false;
    }
    const noBody = this.qKind === Q_NONE || (this.qKind === Q_LENGTH && this.qRemaining === 0);
    if (this.tunnel && !this.mux.settingsKnown) {
      // whether the server takes an extended CONNECT is in its first SETTINGS (bytes wait till then)
      const waiting: Buffer[] = [rest];
      this.waiting = waiting;
      this.mux.session.once('remoteSettings', () => {
        this.waiting = null;
        if (!this.destroyed) this.open(headers, noBody, Buffer.concat(waiting));
      });
      return true;
    }
    return this.open(headers, noBody, rest);
  }

  private open(headers: http2.OutgoingHttpHeaders, noBody: boolean, rest: Buffer): boolean {
    if (this.tunnel && this.mux.session.remoteSettings?.enableConnectProtocol !== true) {
      // RFC 8441 needs the server's SETTINGS_ENABLE_CONNECT_PROTOCOL: without it, a 502 (HAProxy 2.6)
      this.finish();
      return false;
    }
    let s: http2.ClientHttp2Stream;
    try {
      s = this.mux.session.request(headers, { endStream: noBody });
    } catch {
      this.finish();
      return false;
    }
    this.stream = s;
    this.mux.streamOpened();
    this.listen(s);
    if (this.paused) s.pause();
    if (!noBody && rest.length > 0) return this.bodyBytes(rest);
    return true;
  }

  private h2Headers(text: string): http2.OutgoingHttpHeaders | null {
    const lines = text.split('\r\n');
    const [method, target] = lines[0].split(' ');
    const out: http2.OutgoingHttpHeaders = { ':method': method };
    let scheme = 'https';
    let authority: string | null = null;
    let path = target;
    const abs = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(target);
    if (abs !== null) {
      scheme = abs[1].toLowerCase();
      authority = abs[2];
      path = abs[3] === '' ? '/' : abs[3];
    } else if (this.origin !== null) {
      scheme = this.origin.scheme;
      authority = this.origin.authority;
    }
    out[':scheme'] = scheme;
    if (authority !== null) out[':authority'] = authority;
    out[':path'] = path;
    this.qKind = Q_NONE;
    this.tunnel = false;
    this.wsKey = null;
    let host = false;
    let hostValue = '';
    let upgrade: string | null = null;
    const fields: [string, string][] = [];
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      const c = l.indexOf(':');
      const name = l.slice(0, c).trim().toLowerCase();
      const value = l.slice(c + 1).trim();
      if (name === 'transfer-encoding') {
        if (/(^|,)\s*chunked\s*$/i.test(value)) this.qKind = Q_CHUNKED;
        continue;
      }
      if (name === 'upgrade') upgrade = value;
      if (DROP.has(name)) continue;
      if (name === 'host') {
        host = true;
        hostValue = value;
        if (authority !== null) continue;
      } else if (name === 'te') {
        if (!/(^|,)\s*trailers\s*(;|,|$)/i.test(value)) continue;
        fields.push(['te', 'trailers']);
        continue;
      } else if (name === 'content-length' && this.qKind !== Q_CHUNKED) {
        this.qKind = Q_LENGTH;
        this.qRemaining = Number(value);
      }
      fields.push([name, value]);
    }
    if (authority === null && !host) return null;
    if (upgrade !== null && method === 'GET') {
      // an HTTP/1.1 Upgrade becomes an extended CONNECT (RFC 8441 §5, as HAProxy 2.6 sends it): the
      // authority from `host`, `:protocol` after `:path`; the 200 comes back as a 101
      out[':method'] = 'CONNECT';
      if (authority === null) {
        delete out[':path'];
        out[':authority'] = hostValue;
        out[':path'] = path;
      }
      out[':protocol'] = upgrade.toLowerCase();
      this.tunnel = true;
      this.qKind = Q_TUNNEL;
    }
    for (const [n, v] of fields) {
      if (this.tunnel && n === 'host') continue;
      if (this.tunnel && n === 'sec-websocket-key') this.wsKey = v;
      const had = out[n];
      out[n] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [String(had), v];
    }
    if (this.qKind === Q_CHUNKED) this.decoder = new ChunkDecoder();
    return out;
  }

  private bodyBytes(data: Buffer): boolean {
    const s = this.stream!;
    if (this.qKind === Q_LENGTH) {
      const take = Math.min(this.qRemaining, data.length);
      this.qRemaining -= take;
      if (take > 0) s.write(take === data.length ? data : data.subarray(0, take));
      if (this.qRemaining === 0) s.end();
    } else if (this.qKind === Q_CHUNKED) {
      if (this.decoder!.feed(data, this.sendPart)) s.end();
    } else if (this.qKind === Q_TUNNEL) s.write(data);
    return !s.writableNeedDrain;
  }

  // ------------------------------------------------------------ response

  private listen(s: http2.ClientHttp2Stream): void {
    const method = s.sentHeaders?.[':method'];
    s.on('headers', (_h, _f, raw) => this.emitHead(raw as unknown as string[], false));
    s.on('response', (h, flags, raw) => {
      const status = Number(h[':status']);
      const bodiless =
        method === 'HEAD' || status === 204 || status === 304 || (flags & FLAG_END_STREAM) !== 0;
      this.emitHead(raw as unknown as string[], bodiless);
    });
    s.on('data', (d: Buffer) => {
      this.touch();
      if (this.resChunked)
        this.emit('data', Buffer.concat([Buffer.from(`${d.length.toString(16)}\r\n`), d, CRLF]));
      else this.emit('data', d);
    });
    s.on('end', () => {
      // the server ended its side of a tunnel: the session half-closes the client's
      if (this.tunnel) this.emit('end');
      if (this.resChunked) {
        this.resChunked = false;
        this.emit('data', LAST_CHUNK);
      }
    });
    s.on('drain', () => this.emit('drain'));
    s.on('error', () => {});
    s.on('close', () => {
      if (this.stream === s) this.stream = null;
      this.mux.streamEnded();
      // a stream cut before its response ended fails the exchange, as a server closing would
      // (and a tunnel ends with its stream)
      if (this.tunnel || s.rstCode !== NGHTTP2_NO_ERROR || !s.readableEnded) this.finish();
    });
  }

  private emitHead(raw: string[], bodiless: boolean): void {
    let status = 0;
    let lines = '';
    let sized = false;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i];
      if (n === ':status') status = Number(raw[i + 1]);
      else if (n.charCodeAt(0) !== 0x3a) {
        if (n === 'content-length') sized = true;
        lines += `${n}: ${raw[i + 1]}\r\n`;
      }
    }
    const final = status >= 200;
    if (this.tunnel && status >= 200 && status < 300) {
      // the extended CONNECT succeeded: the client's Upgrade gets its 101 (HAProxy's wording, the
      // accept computed from the client's key), and DATA is the tunnel from now on
      const accept = this.wsKey !== null ? `Sec-Websocket-Accept: ${wsAcceptOf(this.wsKey)}\r\n` : '';
      this.qKind = Q_TUNNEL;
      this.resChunked = false;
      this.emit(
        'data',
        Buffer.from(
          `HTTP/1.1 101 \r\nconnection: upgrade\r\nupgrade: ${this.stream?.sentHeaders?.[':protocol'] ?? 'websocket'}\r\n${lines}${accept}\r\n`,
          'latin1',
        ),
      );
      return;
    }
    this.resChunked = final && !bodiless && !sized;
    if (this.resChunked) lines += 'transfer-encoding: chunked\r\n';
    else if (final && !sized && bodiless && status !== 204 && status !== 304)
      lines += 'content-length: 0\r\n';
    this.emit(
      'data',
      Buffer.from(
        `HTTP/1.1 ${status} ${process.getBuiltinModule('node:http').STATUS_CODES[status] ?? ''}\r\n${lines}\r\n`,
        'latin1',
      ),
    );
  }

  // ------------------------------------------------------------ lifetime

  private touch(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.timeoutMs > 0 && !this.destroyed)
      this.timer = setTimeout(() => {
        this.timer = null;
        this.emit('timeout');
      }, this.timeoutMs);
  }

  /** The lease is over (the session's ServerConn sees its 'close'). */
  private finish(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.mux.detach(this);
    queueMicrotask(() => this.emit('close'));
  }

  /** The session handed the lease back: the connection stays for other requests, the lease goes. */
  release(): void {
    this.finish();
  }
}

/**
 * A lease for a new request: on `shared` (a connection http-reuse allows), else on a new connection
 * to `target` (kept in the server's pool unless `never` makes it the session's own).
 */
export function leaseOn(
  server: object,
  target: H2Target,
  mode: ReuseMode,
  connectMs: number | null,
  shared: H2Mux | null,
): H2LeaseSocket {
  return new H2LeaseSocket(shared ?? new Mux(target, mode, poolOf(server), connectMs));
}
