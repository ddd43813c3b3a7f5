/**
 * A raw HTTP/2 client for the strictness table: it writes frames byte by byte (HPACK literals without
 * indexing or Huffman, so any name, case or order can be sent) — what Node's http2 client refuses to
 * send — and reports the frames the server answers with, without decoding HPACK beyond the static
 * `:status` entries.
 */
import net from 'node:net';

export const HEADERS = 1;
export const DATA = 0;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const GOAWAY = 7;
export const CONTINUATION = 9;
export const END_STREAM = 0x1;
export const END_HEADERS = 0x4;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export function frame(
  type: number,
  flags: number,
  stream: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

/** HPACK integer with an N-bit prefix (RFC 7541 §5.1), first byte's high bits `high`. */
function int(n: number, bits: number, high: number): number[] {
  const max = (1 << bits) - 1;
  if (n < max) return [high | n];
  const out = [high | max];
  let v = n - max;
  while (v >= 128) {
    out.push((v & 127) | 128);
    v >>= 7;
  }
  out.push(v);
  return out;
}

/** A header block of literal fields without indexing, new names (RFC 7541 §6.2.2), in the given order. */
export function headerBlock(fields: [string, string][]): Buffer {
  const parts: number[] = [];
  for (const [n, v] of fields) {
    parts.push(0x00, ...int(n.length, 7, 0), ...Buffer.from(n, 'latin1'));
    parts.push(...int(v.length, 7, 0), ...Buffer.from(v, 'latin1'));
  }
  return Buffer.from(parts);
}

/** What came back on a stream or the connection, in words: `:status 200`, `RST_STREAM 1`, `GOAWAY 1`, `none`. */
export interface RawOutcome {
  /** the probe's stream (stream 1) */
  probe: string;
  /** a valid GET sent afterwards on the same connection (stream 3 or later): is it still served? */
  after: string;
}

const STATIC_STATUS: Record<number, string> = {
  136: '200',
  137: '204',
  138: '206',
  139: '304',
  140: '400',
  141: '404',
  142: '500',
};

/** The status of a response header block when its first field is a static `:status` or a literal one. */
function statusOf(block: Buffer): string {
  const first = block[0];
  if (STATIC_STATUS[first] !== undefined) return STATIC_STATUS[first];
  // literal with the name of static entry 8 (:status): 0x48 (incremental), 0x08 (without), 0x18 (never)
  if ((first === 0x48 || first === 0x08 || first === 0x18) && (block[1] & 0x80) === 0)
    return block.toString('latin1', 2, 2 + block[1]);
  return '?';
}

/**
 * Sends `frames` (built for stream 1 and beyond) after the preface and SETTINGS, then a valid GET on
 * `nextStream`, and collects what the server said about stream 1 and about `nextStream`.
 */
export function rawExchange(
  port: number,
  frames: Buffer[],
  nextStream: number,
  ms = 3000,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const seen = new Map<number, string>();
    let goaway: string | null = null;
    let buf = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      const word = (id: number) => seen.get(id) ?? (goaway !== null ? goaway : 'none');
      resolve({ probe: word(1), after: word(nextStream) });
    };
    const timer = setTimeout(done, ms);
    sock.on('error', () => {});
    sock.on('close', done);
    sock.on('connect', () => {
      sock.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0), ...frames]));
      const get = headerBlock([
        [':method', 'GET'],
        [':scheme', 'http'],
        [':path', '/after'],
        [':authority', 'h2.test'],
      ]);
      sock.write(frame(HEADERS, END_HEADERS | END_STREAM, nextStream, get));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const type = buf[3];
        const flags = buf[4];
        const id = buf.readUInt32BE(5) & 0x7fffffff;
        const payload = buf.subarray(9, 9 + len);
        buf = buf.subarray(9 + len);
        if (type === SETTINGS && (flags & 1) === 0) sock.write(frame(SETTINGS, 1, 0));
        else if (type === HEADERS && !seen.has(id)) {
          seen.set(id, `:status ${statusOf(payload)}`);
        } else if (type === RST_STREAM && !seen.has(id))
          seen.set(id, `RST_STREAM ${payload.readUInt32BE(0)}`);
        else if (type === GOAWAY && goaway === null) goaway = `GOAWAY ${payload.readUInt32BE(4)}`;
        if (seen.has(1) && seen.has(nextStream)) return done();
      }
    });
  });
}
