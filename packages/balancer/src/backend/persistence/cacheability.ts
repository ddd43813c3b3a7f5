/**
 * Whether a response may be stored by a shared cache, as HAProxy 2.6 decides it (TX_CACHEABLE):
 * `cookie … nocache` adds `Cache-Control: private` to a response that gets a persistence cookie only
 * when this says yes. Recorded from haproxy 2.6.12 (test/cookie-expected.json): the request method
 * must be safe and the status cacheable by default, then `Pragma: no-cache` says no; each
 * Cache-Control element may say yes (`public`, whatever the method and status) or no (`private`,
 * `no-cache`, `no-store`, `max-age=0`, `s-maxage=0`); and without freshness (`max-age`, `s-maxage`,
 * `Expires`) nor a validator (`ETag`, `Last-Modified`) the answer is no.
 */
import { headerValueEnd, isSpHt } from './cookie-syntax.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]);

/** The response headers the decision reads, lower-case names, values as received. */
export interface CacheHeaders {
  pragma: string | null;
  cacheControl: readonly string[];
  hasExpires: boolean;
  hasValidator: boolean;
}

export function methodMayCache(method: string): boolean {
  return SAFE_METHODS.has(method);
}

export function responseCacheable(methodSafe: boolean, status: number, h: CacheHeaders): boolean {
  let cacheable = methodSafe && CACHEABLE_STATUS.has(status);
  if (h.pragma !== null && h.pragma.toLowerCase() === 'no-cache') return false;
  let fresh = false;
  for (const line of h.cacheControl) {
    forEachElement(line, (el) => {
      const l = el.toLowerCase();
      if (l === 'public') cacheable = true;
      else if (
        l === 'private' ||
        l === 'no-cache' ||
        l === 'no-store' ||
        l === 'max-age=0' ||
        l === 's-maxage=0'
      )
        cacheable = false;
      else if (l.startsWith('no-cache="set-cookie')) {
        // only makes the cookie uncacheable (TX_CACHE_COOK), which nothing here reads
      } else if (l.startsWith('s-maxage') || l.startsWith('max-age')) fresh = true;
    });
  }
  if (!fresh) fresh = h.hasExpires;
  if (!fresh && !h.hasValidator) cacheable = false;
  return cacheable;
}

/** Each comma-separated element of a header value, trimmed (HAProxy's http_find_header(…, 0)). */
function forEachElement(v: string, fn: (el: string) => void): void {
  let s = 0;
  const e = v.length;
  while (s <= e) {
    const end = headerValueEnd(v, s, e);
    let a = s;
    let b = end;
    while (a < b && isSpHt(v.charCodeAt(a))) a++;
    while (b > a && isSpHt(v.charCodeAt(b - 1))) b--;
    if (b > a) fn(v.slice(a, b));
    s = end + 1;
  }
}
