/**
 * `balance uri [whole] [len N] [depth N] [path-only]`: the request target as received, hashed up to
 * the `?` (or whole), at most `len` characters and `depth` directories (backend.c get_server_uh);
 * `path-only` first skips an absolute URI's scheme and authority.
 */
import type { PickContext } from './algorithm.ts';
import { hashAlgorithm } from './hash-based.ts';

const SLASH = 0x2f;
const QUESTION = 0x3f;
const COLON = 0x3a;
const STAR = 0x2a;

/** http_get_path: where the path of a request target starts, or -1 when it has none. */
export function pathStart(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return -1;
  if (buf[start] === SLASH || buf[start] === STAR) return start;
  let p = start;
  while (p < end && buf[p] !== COLON) p++;
  if (p + 3 > end || buf[p + 1] !== SLASH || buf[p + 2] !== SLASH) return -1;
  p += 3;
  while (p < end && buf[p] !== SLASH) p++;
  return p === end ? -1 : p;
}

export const uriHash = hashAlgorithm('uri', (opts) => {
  const b = opts.balance.algorithm === 'uri' ? opts.balance : null;
  const whole = b?.whole === true;
  const pathOnly = b?.pathOnly === true;
  const len = b?.len ?? 0;
  // HAProxy stores depth + 1: the position of the '/' that ends the hashed part
  const depthEnd = b?.depth != null ? b.depth + 1 : 0;
  return (ctx: PickContext, hash) => {
    const r = ctx.request;
    if (r === null) return null;
    const buf = r.buf;
    let start = r.head.uriStart;
    let n = r.head.uriEnd - start;
    if (pathOnly) {
      const p = pathStart(buf, start, start + n);
      if (p < 0) n = 0;
      else {
        n -= p - start;
        start = p;
      }
    }
    if (len > 0 && n > len) n = len;
    let end = start;
    let slashes = 0;
    while (n-- > 0) {
      const c = buf[end];
      if (c === SLASH) {
        slashes++;
        if (slashes === depthEnd) break;
      } else if (c === QUESTION && !whole) break;
      end++;
    }
    return hash(buf, start, end);
  };
});
