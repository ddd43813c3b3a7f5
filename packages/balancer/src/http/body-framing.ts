/**
 * Tracks where a message body ends while its bytes are forwarded untouched. The engine never re-encodes
 * a body: it only needs to know how many bytes of each incoming chunk belong to the current message.
 *
 * `consume(buf, start, end)` returns how many bytes from `start` belong to the body (the rest is the next
 * message), or -1 on a framing error (bad chunk size, oversized chunk line or trailers). `done` turns true
 * when the body is complete. Close-delimited bodies never complete; the caller ends them on EOF.
 */

export const FRAMING_NONE = 0;
export const FRAMING_LENGTH = 1;
export const FRAMING_CHUNKED = 2;
export const FRAMING_CLOSE = 3;

// chunked states
const S_SIZE = 0;
const S_SIZE_WS = 1;
const S_EXT = 2;
const S_SIZE_LF = 3;
const S_DATA = 4;
const S_DATA_CR = 5;
const S_DATA_LF = 6;
const S_TRAILER_START = 7;
const S_TRAILER_LINE = 8;
const S_TRAILER_LF = 9;
const S_LAST_LF = 10;

/** Longest accepted chunk-size line (size + extensions) and trailer section. */
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILERS = 16384;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

export class BodyFraming {
  kind = FRAMING_NONE;
  done = true;
  /** bytes left in a Content-Length body or in the current chunk */
  remaining = 0;
  state = S_SIZE;
  digits = 0;
  lineLen = 0;
  trailerBytes = 0;

  reset(kind: number, length: number): void {
    this.kind = kind;
    this.remaining = length;
    this.state = S_SIZE;
    this.digits = 0;
    this.lineLen = 0;
    this.trailerBytes = 0;
    this.done = kind === FRAMING_NONE || (kind === FRAMING_LENGTH && length === 0);
  }

  consume(buf: Uint8Array, start: number, end: number): number {
    if (this.done) return 0;
    const kind = this.kind;
    if (kind === FRAMING_LENGTH) {
      const n = end - start;
      if (n < this.remaining) {
        this.remaining -= n;
        return n;
      }
      const take = this.remaining;
      this.remaining = 0;
      this.done = true;
      return take;
    }
    if (kind === FRAMING_CLOSE) return end - start;
    return this.chunked(buf, start, end);
  }

  private chunked(buf: Uint8Array, start: number, end: number): number {
    let i = start;
    let state = this.state;
    while (i < end) {
      const c = buf[i];
      switch (state) {
        case S_SIZE: {
          const v = HEX[c];
          if (v >= 0) {
            if (++this.digits > 15) return -1;
            this.remaining = this.remaining * 16 + v;
            i++;
            if (++this.lineLen > MAX_CHUNK_LINE) return -1;
            continue;
          }
          if (this.digits === 0) return -1;
          if (c === 0x0d) state = S_SIZE_LF;
          else if (c === 0x0a) {
            state = this.afterSizeLine();
          } else if (c === 0x3b) state = S_EXT;
          else if (c === 0x20 || c === 0x09) state = S_SIZE_WS;
          else return -1;
          i++;
          continue;
        }
        case S_SIZE_WS:
          if (c === 0x20 || c === 0x09) {
            if (++this.lineLen > MAX_CHUNK_LINE) return -1;
          } else if (c === 0x3b) state = S_EXT;
          else if (c === 0x0d) state = S_SIZE_LF;
          else if (c === 0x0a) state = this.afterSizeLine();
          else return -1;
          i++;
          continue;
        case S_EXT:
          if (c === 0x0d) state = S_SIZE_LF;
          else if (c === 0x0a) state = this.afterSizeLine();
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return -1;
          else if (++this.lineLen > MAX_CHUNK_LINE) return -1;
          i++;
          continue;
        case S_SIZE_LF:
          if (c !== 0x0a) return -1;
          state = this.afterSizeLine();
          i++;
          continue;
        case S_DATA: {
          const n = end - i;
          if (n < this.remaining) {
            this.remaining -= n;
            i = end;
            continue;
          }
          i += this.remaining;
          this.remaining = 0;
          state = S_DATA_CR;
          continue;
        }
        case S_DATA_CR:
          if (c === 0x0d) state = S_DATA_LF;
          else if (c === 0x0a) state = S_SIZE;
          else return -1;
          i++;
          continue;
        case S_DATA_LF:
          if (c !== 0x0a) return -1;
          state = S_SIZE;
          i++;
          continue;
        case S_TRAILER_START:
          // either the final empty line or a trailer field
          if (c === 0x0d) state = S_LAST_LF;
          else if (c === 0x0a) {
            this.state = S_SIZE;
            this.done = true;
            return i + 1 - start;
          } else state = S_TRAILER_LINE;
          if (++this.trailerBytes > MAX_TRAILERS) return -1;
          i++;
          continue;
        case S_TRAILER_LINE:
          if (c === 0x0a) state = S_TRAILER_START;
          else if (c === 0x0d) state = S_TRAILER_LF;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) return -1;
          if (++this.trailerBytes > MAX_TRAILERS) return -1;
          i++;
          continue;
        case S_TRAILER_LF:
          if (c !== 0x0a) return -1;
          state = S_TRAILER_START;
          i++;
          continue;
        case S_LAST_LF:
          if (c !== 0x0a) return -1;
          this.state = S_SIZE;
          this.done = true;
          return i + 1 - start;
      }
    }
    this.state = state;
    return end - start;
  }

  private afterSizeLine(): number {
    this.digits = 0;
    this.lineLen = 0;
    if (this.remaining === 0) return S_TRAILER_START;
    return S_DATA;
  }
}
