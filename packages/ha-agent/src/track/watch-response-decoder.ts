import { HaError } from '../errors.ts';

/**
 * Incremental decoder for the response to `GET /health/watch`: HTTP/1.1 status line and headers, then a
 * chunked (or close-delimited / Content-Length) body split into ndjson lines. Pure: feed it bytes, it
 * calls back; the socket is the caller's. Bounded: a head over 16 KiB or a line over 1 MiB is an error,
 * so a confused peer cannot make the agent buffer without limit.
 */
export interface WatchResponseHead {
  status: number;
  headers: Record<string, string>;
}

export interface WatchResponseHandlers {
  head(head: WatchResponseHead): void;
  line(line: string): void;
  /** the body ended cleanly (last chunk / Content-Length reached) */
  end(): void;
}

const MAX_HEAD = 16 * 1024;
const MAX_LINE = 1024 * 1024;

/** The balancer's answer is not an HTTP/1.1 ndjson stream we can read. */
export class WatchResponseError extends HaError {
  constructor(message: string) {
    super('HA_ERR_TRACK', message);
    this.name = 'WatchResponseError';
  }
}

type Phase = 'head' | 'chunk-size' | 'chunk-data' | 'chunk-data-crlf' | 'trailers' | 'body' | 'done';

export class WatchResponseDecoder {
  readonly #h: WatchResponseHandlers;
  #phase: Phase = 'head';
  #buf: Buffer = Buffer.alloc(0);
  #chunkLeft = 0;
  #bodyLeft = -1; // -1: close-delimited
  #line: Buffer[] = [];
  #lineLen = 0;

  constructor(handlers: WatchResponseHandlers) {
    this.#h = handlers;
  }

  get done(): boolean {
    return this.#phase === 'done';
  }

  /** Throws WatchResponseError on a protocol violation; the caller then closes the socket. */
  push(data: Buffer): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
    for (;;) {
      if (!this.#step()) return;
    }
  }

  /** one parsing step; false when more bytes are needed */
  #step(): boolean {
    switch (this.#phase) {
      case 'head': {
        const end = this.#buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.#buf.length > MAX_HEAD) throw new WatchResponseError('response head too large');
          return false;
        }
        const head = this.#parseHead(this.#buf.subarray(0, end).toString('latin1'));
        this.#buf = this.#buf.subarray(end + 4);
        const te = head.headers['transfer-encoding']?.toLowerCase();
        const cl = head.headers['content-length'];
        if (te?.split(',').some((t) => t.trim() === 'chunked')) this.#phase = 'chunk-size';
        else if (cl !== undefined) {
          if (!/^\d+$/.test(cl)) throw new WatchResponseError(`bad Content-Length ${cl}`);
          this.#bodyLeft = Number(cl);
          this.#phase = 'body';
        } else this.#phase = 'body';
        this.#h.head(head);
        if (this.#phase === 'body' && this.#bodyLeft === 0) this.#finish();
        return true;
      }
      case 'chunk-size': {
        const eol = this.#buf.indexOf('\r\n');
        if (eol < 0) {
          if (this.#buf.length > 1024) throw new WatchResponseError('chunk size line too long');
          return false;
        }
        const text = this.#buf.subarray(0, eol).toString('latin1').split(';')[0].trim();
        if (!/^[0-9a-fA-F]{1,8}$/.test(text))
          throw new WatchResponseError(`bad chunk size ${JSON.stringify(text)}`);
        this.#buf = this.#buf.subarray(eol + 2);
        this.#chunkLeft = Number.parseInt(text, 16);
        this.#phase = this.#chunkLeft === 0 ? 'trailers' : 'chunk-data';
        return true;
      }
      case 'chunk-data': {
        if (this.#buf.length === 0) return false;
        const n = Math.min(this.#chunkLeft, this.#buf.length);
        this.#bodyBytes(this.#buf.subarray(0, n));
        this.#buf = this.#buf.subarray(n);
        this.#chunkLeft -= n;
        if (this.#chunkLeft === 0) this.#phase = 'chunk-data-crlf';
        return true;
      }
      case 'chunk-data-crlf': {
        if (this.#buf.length < 2) return false;
        if (this.#buf[0] !== 0x0d || this.#buf[1] !== 0x0a)
          throw new WatchResponseError('missing CRLF after chunk');
        this.#buf = this.#buf.subarray(2);
        this.#phase = 'chunk-size';
        return true;
      }
      case 'trailers': {
        const eol = this.#buf.indexOf('\r\n');
        if (eol < 0) return false;
        this.#buf = this.#buf.subarray(eol + 2);
        if (eol === 0) this.#finish();
        return true;
      }
      case 'body': {
        if (this.#buf.length === 0) return false;
        const n = this.#bodyLeft < 0 ? this.#buf.length : Math.min(this.#bodyLeft, this.#buf.length);
        this.#bodyBytes(this.#buf.subarray(0, n));
        this.#buf = this.#buf.subarray(n);
        if (this.#bodyLeft > 0) {
          this.#bodyLeft -= n;
          if (this.#bodyLeft === 0) this.#finish();
        }
        return true;
      }
      case 'done':
        this.#buf = Buffer.alloc(0);
        return false;
    }
  }

  #parseHead(text: string): WatchResponseHead {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!m) throw new WatchResponseError(`bad status line ${JSON.stringify(lines[0].slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c <= 0) throw new WatchResponseError(`bad header line ${JSON.stringify(l.slice(0, 80))}`);
      headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    return { status: Number(m[1]), headers };
  }

  #bodyBytes(bytes: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = bytes.subarray(start, nl);
      let line: string;
      if (this.#line.length > 0) {
        this.#line.push(piece);
        line = Buffer.concat(this.#line).toString('utf8');
        this.#line = [];
        this.#lineLen = 0;
      } else line = piece.toString('utf8');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > 0) this.#h.line(line);
      start = nl + 1;
    }
    if (start < bytes.length) {
      const rest = Buffer.from(bytes.subarray(start));
      this.#lineLen += rest.length;
      if (this.#lineLen > MAX_LINE) throw new WatchResponseError('watch line too long');
      this.#line.push(rest);
    }
  }

  #finish(): void {
    this.#phase = 'done';
    this.#h.end();
  }
}
