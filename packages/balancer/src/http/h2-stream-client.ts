/**
 * One HTTP/2 stream as the client of an HttpSession (one request path, two framings): the session
 * reads the stream's request as HTTP/1.1 bytes (h2-request.ts; DATA frames as the body, chunked when
 * no content-length sizes it) and writes its HTTP/1.1 response, which is framed back here — the head
 * parsed and sent with `respond()` without HTTP/1-only fields (RFC 9113 §8.2.2), interim heads as
 * 1xx HEADERS, the body as DATA (a chunked body unchunked). Flow control is the backpressure both
 * ways: the session pauses the stream (no WINDOW_UPDATE) while its server is busy, and waits on
 * 'drain' when the client's window is full.
 */
import { EventEmitter } from 'node:events';
import type http2 from 'node:http2';
import type net from 'node:net';
import { shareClientTls } from '../tls/tls-info.ts';
import { ChunkDecoder } from './chunk-decoder.ts';
import type { ClientConn, StreamCarrier } from './client-conn.ts';
import type { H1Request } from './h2-request.ts';
import {
  eqLower,
  findHeadEnd,
  type HttpHead,
  headerName,
  headerValue,
  newHead,
  parseHead,
} from './head-parser.ts';

// RFC 9113 section 7 (not http2.constants: node:http2 is loaded at the first h2 connection, h2-connection.ts)
const NGHTTP2_INTERNAL_ERROR = 0x2;
const NGHTTP2_CANCEL = 0x8;

const lit = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
/** fields an HTTP/2 message must not carry (RFC 9113 §8.2.2); HAProxy drops exactly these */
const HOP_BY_HOP = [
  lit('connection'),
  lit('keep-alive'),
  lit('proxy-connection'),
  lit('transfer-encoding'),
  lit('upgrade'),
];

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

// the response head of the session being framed (parsed synchronously: one shared result)
let RES: HttpHead = newHead(101);

const R_HEAD = 0;
const R_BODY = 1;
const R_DONE = 2;
// response body kinds
const B_NONE = 0;
const B_LENGTH = 1;
const B_CHUNKED = 2;
const B_CLOSE = 3;

export class H2StreamClient extends EventEmitter implements ClientConn, StreamCarrier {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly requestsBefore: number;
  readonly chunkedBody: boolean;
  readonly logLine: string;
  readonly upgradeTo: string | null;
  readonly wsKey: string | null;
  readonly origin: { scheme: string; authority: string } | null;
  destroyed = false;
  private readonly stream: http2.ServerHttp2Stream;
  private readonly req: H1Request;
  private readonly maxHeaders: number;
  private readonly onEnded: () => void;
  private endedOnce = false;
  private timeoutMs = 0;
  private timeoutArmed = false;
  private rState = R_HEAD;
  private resBuf: Buffer | null = null;
  private bodyKind = B_NONE;
  private remaining = 0;
  private decoder: ChunkDecoder | null = null;
  private readonly sendPart = (part: Buffer) => {
    if (part.length > 0) this.stream.write(part);
  };

  constructor(
    stream: http2.ServerHttp2Stream,
    socket: net.Socket,
    req: H1Request,
    requestsBefore: number,
    maxHeaders: number,
    onEnded: () => void,
  ) {
    super();
    this.stream = stream;
    this.req = req;
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.localAddress = socket.localAddress;
    this.localPort = socket.localPort;
    this.requestsBefore = requestsBefore;
    this.chunkedBody = req.chunkedBody;
    this.logLine = req.logLine;
    this.upgradeTo = req.upgradeTo;
    this.wsKey = req.wsKey;
    this.origin = req.origin;
    this.maxHeaders = maxHeaders;
    this.onEnded = onEnded;
    if (RES.drop.length < maxHeaders + 1) RES = newHead(maxHeaders);
    shareClientTls(socket, this);
  }

  /** The session listens: the request head goes in, then the body as it arrives. */
  start(): void {
    const s = this.stream;
    s.on('drain', () => this.emit('drain'));
    s.on('error', () => {});
    s.on('close', () => {
      this.destroyed = true;
      this.emit('close');
    });
    this.emit('data', this.req.head);
    if (s.endAfterHeaders) {
      this.emit('end');
      return;
    }
    const chunked = this.chunkedBody;
    s.on('data', (d: Buffer) => {
      if (!chunked) this.emit('data', d);
      else if (d.length > 0)
        this.emit('data', Buffer.concat([Buffer.from(`${d.length.toString(16)}\r\n`), d, CRLF]));
    });
    s.on('end', () => {
      if (chunked) this.emit('data', LAST_CHUNK);
      this.emit('end');
    });
  }

  get writable(): boolean {
    return !this.destroyed && this.stream.writable;
  }

  get writableNeedDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  write(data: Buffer): boolean {
    if (this.destroyed || this.rState === R_DONE) return true;
    if (this.rState === R_HEAD) this.head(data);
    else this.body(data);
    if (!this.stream.writableNeedDrain) return true;
    this.armTimeout();
    return false;
  }

  end(data?: Buffer): void {
    if (data !== undefined) this.write(data);
    if (this.destroyed) return;
    if (this.rState === R_HEAD) {
      // ended without a complete response head: nothing an HTTP/2 client could read
      this.destroy();
      return;
    }
    this.rState = R_DONE;
    this.stream.end();
    // an extended CONNECT whose client still sends: the rest of its side is cancelled once the
    // response is out (RST_STREAM CANCEL after END_STREAM, as HAProxy 2.6 ends it: recorded)
    if (this.upgradeTo !== null && !this.stream.readableEnded) this.stream.close(NGHTTP2_CANCEL);
  }

  /** The exchange was cut: RST_STREAM (INTERNAL_ERROR) unless the stream is over already. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.stream.closed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  // A request without a body (END_STREAM on its HEADERS) leaves the stream's readable side alone:
  // set flowing, Node destroys the stream as soon as it closes, before the write of the response's
  // DATA has completed, and that write then fails with an ERR_STREAM_DESTROYED built for nothing
  // (a stack trace per stream); untouched, Node waits for the write as for a plain http2 handler.

  pause(): void {
    if (!this.stream.endAfterHeaders) this.stream.pause();
  }

  resume(): void {
    if (!this.stream.endAfterHeaders) this.stream.resume();
  }

  isPaused(): boolean {
    return !this.stream.endAfterHeaders && this.stream.isPaused();
  }

  /**
   * `timeout client` on the stream: inactivity (no DATA either way) while its request body is awaited
   * or its client's window is full; the session decides (onClientTimeout), a reset of this stream only.
   */
  setTimeout(ms: number): void {
    this.timeoutMs = ms;
    if (ms === 0) {
      if (this.timeoutArmed) this.stream.setTimeout(0);
      this.timeoutArmed = false;
    } else if (!this.stream.endAfterHeaders) this.armTimeout();
  }

  /**
   * A request without a body can only stall on the client's window: its timer (one Node timer per
   * stream, refreshed on every frame) starts when a write finds that window full, not for every stream.
   */
  private armTimeout(): void {
    if (this.timeoutArmed || this.timeoutMs === 0) return;
    this.timeoutArmed = true;
    this.stream.setTimeout(this.timeoutMs, () => this.emit('timeout'));
  }

  setNoDelay(_on: boolean): void {}

  ended(): void {
    if (this.endedOnce) return;
    this.endedOnce = true;
    this.onEnded();
  }

  private head(data: Buffer): void {
    let buf = this.resBuf === null ? data : Buffer.concat([this.resBuf, data]);
    for (;;) {
      const end = findHeadEnd(buf, 0);
      if (end < 0) {
        this.resBuf = buf;
        return;
      }
      this.resBuf = null;
      // the session parsed this head already (it wrote it): it is well-formed
      const h = parseHead(RES, buf, end, false, this.maxHeaders, null);
      const headers = this.fields(h, buf);
      if (h.status === 101 && this.upgradeTo !== null) {
        // the server switched protocols: the extended CONNECT succeeded (RFC 8441 §5: a 200), and
        // DATA frames carry the tunnel both ways from now on
        headers[1] = '200'; // (the raw list: ':status' first)
        try {
          this.stream.respond(headers, {
            endStream: false,
            sendDate: false,
          } as http2.ServerStreamResponseOptions);
        } catch {
          this.destroy();
          return;
        }
        this.bodyKind = B_CLOSE;
        this.rState = R_BODY;
        if (end < buf.length) this.body(buf.subarray(end));
        return;
      }
      if (h.status < 200) {
        if (h.status !== 101) this.stream.additionalHeaders(asObject(headers));
        buf = buf.subarray(end);
        if (buf.length === 0) return;
        continue;
      }
      const st = h.status;
      if (this.req.method === 'HEAD' || st === 204 || st === 304) this.bodyKind = B_NONE;
      else if (h.chunked) this.bodyKind = B_CHUNKED;
      else if (h.contentLength >= 0) {
        this.bodyKind = h.contentLength === 0 ? B_NONE : B_LENGTH;
        this.remaining = h.contentLength;
      } else this.bodyKind = B_CLOSE;
      if (this.bodyKind === B_CHUNKED) this.decoder = new ChunkDecoder();
      const none = this.bodyKind === B_NONE;
      try {
        // (Node adds a `date` field unless told not to; HAProxy passes the server's own, if any)
        this.stream.respond(headers, {
          endStream: none,
          sendDate: false,
        } as http2.ServerStreamResponseOptions);
      } catch {
        // a field Node will not send in HTTP/2: the stream fails, not the connection
        this.destroy();
        return;
      }
      this.rState = none ? R_DONE : R_BODY;
      if (!none && end < buf.length) this.body(buf.subarray(end));
      return;
    }
  }

  private body(data: Buffer): void {
    switch (this.bodyKind) {
      case B_LENGTH: {
        const take = Math.min(this.remaining, data.length);
        this.remaining -= take;
        if (take > 0) this.stream.write(take === data.length ? data : data.subarray(0, take));
        break;
      }
      case B_CHUNKED:
        this.decoder!.feed(data, this.sendPart);
        break;
      case B_CLOSE:
        this.stream.write(data);
        break;
    }
  }

  /**
   * The response head's fields for HTTP/2, as Node's flat raw list [name, value, …] (no per-response
   * object for Node to copy): `:status`, names lower-case, in the server's order, HTTP/1-only fields
   * left out.
   */
  private fields(h: HttpHead, buf: Buffer): string[] {
    const out: string[] = [':status', String(h.status)];
    next: for (let i = 0; i < h.nHeaders; i++) {
      const ns = h.hdr[i * 6];
      const ne = h.hdr[i * 6 + 1];
      for (const hop of HOP_BY_HOP) if (eqLower(buf, ns, ne, hop)) continue next;
      out.push(headerName(h, buf, i).toLowerCase(), headerValue(h, buf, i));
    }
    return out;
  }
}

/** A raw field list as the object `additionalHeaders` takes (a repeated name: its values in order). */
function asObject(list: readonly string[]): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i];
    const value = list[i + 1];
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [String(had), value];
  }
  return out;
}
