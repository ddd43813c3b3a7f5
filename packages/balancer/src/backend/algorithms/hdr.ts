/**
 * `balance hdr(<name>) [use_domain_only]`: the first value of the first <name> header (a comma ends
 * it, outside quotes, as HAProxy's http_find_header), hashed (backend.c get_server_hh). With
 * `use_domain_only`, only the part of a host name before its last dot and after the one before
 * (`www.example.com` → `example`). No such header, or an empty value: round-robin.
 */
import type { PickContext } from './algorithm.ts';
import { hashAlgorithm } from './hash-based.ts';

const DOT = 0x2e;
const COMMA = 0x2c;
const QUOTE = 0x22;
const isSpace = (c: number) => c === 0x20 || c === 0x09;

export const headerHash = hashAlgorithm('hdr', (opts) => {
  const b = opts.balance.algorithm === 'hdr' ? opts.balance : null;
  const name = Buffer.from((b?.header ?? '').toLowerCase(), 'latin1');
  const domainOnly = b?.useDomainOnly === true;
  return (ctx: PickContext, hash) => {
    const r = ctx.request;
    if (r === null) return null;
    const { buf, head } = r;
    const hdr = head.hdr;
    for (let i = 0; i < head.nHeaders; i++) {
      const o = i * 6;
      if (!eqLowerAny(buf, hdr[o], hdr[o + 1], name)) continue;
      let vs = hdr[o + 2];
      const ve = hdr[o + 3];
      while (vs < ve && isSpace(buf[vs])) vs++;
      let e = vs;
      let quoted = false;
      while (e < ve && (quoted || buf[e] !== COMMA)) {
        if (buf[e] === QUOTE) quoted = !quoted;
        e++;
      }
      while (e > vs && isSpace(buf[e - 1])) e--;
      if (e === vs) return null;
      if (!domainOnly) return hash(buf, vs, e);
      // backend.c: walk back from the end; the hashed part ends at the last dot, starts after the previous
      let len = e - vs;
      let p = e;
      let end = p;
      let dohash = false;
      while (len > 0) {
        if (dohash) {
          if (buf[p - 1] === DOT) break;
        } else if (p < e && buf[p] === DOT) {
          end = p;
          dohash = true;
        }
        p--;
        len--;
      }
      return hash(buf, p, end);
    }
    return null;
  };
});

/** Case-insensitive compare of a header name with a lower-case one. */
function eqLowerAny(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = buf[start + i];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower[i]) return false;
  }
  return true;
}
