/**
 * Bytes as HAProxy 2.6 counts them for `%B` and the stats' `bout`: not the bytes on the wire but the
 * size of the message in its internal HTX form, counted as it is received (before response rules or
 * cookie insertion). Recorded from the real haproxy (test/logging-expected.json): a response head
 * counts 21 (the start-line block) + the start line without its two spaces and CRLF + name + value of
 * every header (no `: `, no CRLF), except a `Connection` header the H1 layer consumes (only
 * `keep-alive`/`close`); the body counts its bytes.
 *   HTTP/1.1 504 Gateway Time-out + 3 headers + 92-byte body → 198 (195 on the wire)
 */
import { eqLower, type HttpHead } from './head-parser.ts';

const SL_BLOCK = 21;

const CONNECTION = Buffer.from('connection');
const KEEP_ALIVE = Buffer.from('keep-alive');
const CLOSE = Buffer.from('close');

/** A `Connection: keep-alive|close` header the H1 layer consumes (bytes compared: no string per header). */
function consumedConnection(buf: Buffer, ns: number, ne: number, vs: number, ve: number): boolean {
  return (
    eqLower(buf, ns, ne, CONNECTION) && (eqLower(buf, vs, ve, KEEP_ALIVE) || eqLower(buf, vs, ve, CLOSE))
  );
}

/** HTX size of a parsed head (`buf` holds it from offset 0). */
export function htxHeadSize(h: HttpHead, buf: Buffer): number {
  let n = SL_BLOCK + h.startLineEnd - 4 - (buf[h.startLineEnd - 2] === 13 ? 0 : -1);
  const hdr = h.hdr;
  for (let i = 0; i < h.nHeaders; i++) {
    const o = i * 6;
    const ns = hdr[o];
    const ne = hdr[o + 1];
    if (ne - ns === 10 && consumedConnection(buf, ns, ne, hdr[o + 2], hdr[o + 3])) continue;
    n += ne - ns + hdr[o + 3] - hdr[o + 2];
  }
  return n;
}

const RAW = new WeakMap<Buffer, number>();

/** HTX size of a complete raw response the balancer produces itself (error pages), cached per buffer. */
export function htxRawSize(res: Buffer): number {
  let n = RAW.get(res);
  if (n !== undefined) return n;
  n = htxSizeOf(res);
  RAW.set(res, n);
  return n;
}

/**
 * HTX size of raw head bytes (and the body bytes after them). `option logasap` counts the response
 * as forwarded, after the balancer's edits (an inserted cookie counts: recorded, +30 for
 * `set-cookie: SESSION_ID=A; path=/`).
 */
export function htxSizeOf(res: Buffer): number {
  let n: number;
  const text = res.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.split('\r\n');
  n = SL_BLOCK + lines[0].length - 2;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon < 0) continue;
    const name = lines[i].slice(0, colon).trim();
    const value = lines[i].slice(colon + 1).trim();
    if (name.toLowerCase() === 'connection' && (value === 'keep-alive' || value === 'close')) continue;
    n += name.length + value.length;
  }
  n += end < 0 ? 0 : text.length - end - 4;
  return n;
}
