/**
 * The data of a chunked body, for a framing that carries data without chunks (HTTP/2 DATA frames).
 * Its input was already checked chunk by chunk by the session's BodyFraming (a broken body is cut
 * there), so this only splits: sizes, extensions, CRLFs and trailers are skipped, data is handed on.
 */
const SIZE = 0;
const EXT = 1;
const DATA = 2;
const DATA_END = 3;
const TRAILERS = 4;
const DONE = 5;

export class ChunkDecoder {
  private state = SIZE;
  private remaining = 0;
  /** characters on the current trailer line (0 at its start: an empty line ends the body) */
  private lineLen = 0;

  /** Calls `data` with each run of body bytes in `buf`; true once the last chunk and trailers are read. */
  feed(buf: Buffer, data: (part: Buffer) => void): boolean {
    let i = 0;
    const n = buf.length;
    while (i < n && this.state !== DONE) {
      const c = buf[i];
      switch (this.state) {
        case SIZE: {
          const v =
            c >= 0x30 && c <= 0x39
              ? c - 0x30
              : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66
                ? (c | 0x20) - 87
                : -1;
          if (v >= 0) this.remaining = this.remaining * 16 + v;
          else if (c === 0x0a) {
            this.state = this.remaining === 0 ? TRAILERS : DATA;
            this.lineLen = 0;
          } else this.state = EXT;
          i++;
          break;
        }
        case EXT:
          if (c === 0x0a) {
            this.state = this.remaining === 0 ? TRAILERS : DATA;
            this.lineLen = 0;
          }
          i++;
          break;
        case DATA: {
          const take = Math.min(this.remaining, n - i);
          data(buf.subarray(i, i + take));
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = DATA_END;
          break;
        }
        case DATA_END:
          if (c === 0x0a) this.state = SIZE;
          i++;
          break;
        case TRAILERS:
          if (c === 0x0a) {
            if (this.lineLen === 0) this.state = DONE;
            this.lineLen = 0;
          } else if (c !== 0x0d) this.lineLen++;
          i++;
          break;
      }
    }
    return this.state === DONE;
  }
}
