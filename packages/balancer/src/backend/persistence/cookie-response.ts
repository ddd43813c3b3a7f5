/**
 * The server side of cookie persistence, a port of HAProxy 2.6's `http_manage_server_side_cookies()`
 * and of the Set-Cookie insertion in `http_process_res_common()`: what happens to the server's own
 * `Set-Cookie` headers for our cookie, and whether (and which) `Set-Cookie` the balancer adds.
 * Pure: the clock and the request's verdict are inputs.
 */
import type { ServerState } from '../server.ts';
import { DATE_DELIM, encodeDate, s30ToB64 } from './cookie-date.ts';
import type { RequestCookies } from './cookie-request.ts';
import type { CookieSpec } from './cookie-spec.ts';
import {
  cookieValueEnd,
  cutValue,
  headerValueEnd,
  isSpHt,
  withoutSpacesAroundEqual,
} from './cookie-syntax.ts';

/** What the response side knows about the exchange. */
export interface ResponseContext {
  /** the server that answered */
  server: ServerState;
  /** it was the one the cookie designated (not redispatched, not balanced): HAProxy's SF_DIRECT */
  direct: boolean;
  /** an `ignore-persist` rule matched */
  ignore: boolean;
}

/**
 * One `Set-Cookie` (or `Set-Cookie2`) header value from the server: returns it as the client must get
 * it (null = remove the header; the same string when unchanged). Sets `found.seen` when it carried our
 * cookie (HAProxy's TX_SCK_FOUND).
 */
export function processSetCookieHeader(
  value: string,
  cookie2: boolean,
  spec: CookieSpec,
  ctx: ResponseContext,
  found: { seen: boolean },
): string | null {
  const name = spec.name;
  const srv = ctx.server;
  let v = value;
  let hdrEnd = v.length;
  let isFirst = true;
  let next = 0;
  for (let prev = 0; prev < hdrEnd; prev = next) {
    let attBeg = prev;
    if (!isFirst) attBeg++;
    isFirst = false;
    while (attBeg < hdrEnd && isSpHt(v.charCodeAt(attBeg))) attBeg++;
    let equal = attBeg;
    let attEnd = attBeg;
    while (equal < hdrEnd) {
      const c = v.charCodeAt(equal);
      if (c === 0x3d || c === 0x3b || (cookie2 && c === 0x2c)) break;
      equal++;
      if (isSpHt(c)) continue;
      attEnd = equal;
    }
    let valBeg: number;
    let valEnd: number;
    if (equal < hdrEnd && v.charCodeAt(equal) === 0x3d) {
      valBeg = equal + 1;
      while (valBeg < hdrEnd && isSpHt(v.charCodeAt(valBeg))) valBeg++;
      next = cookieValueEnd(v, valBeg, hdrEnd);
      valEnd = next;
      while (valEnd > valBeg && isSpHt(v.charCodeAt(valEnd - 1))) valEnd--;
    } else {
      valBeg = valEnd = next = equal;
    }
    // Set-Cookie carries one cookie (its attributes may hold commas); Set-Cookie2 a list
    if (next < hdrEnd) next = cookie2 ? headerValueEnd(v, next, hdrEnd) : hdrEnd;
    if (equal === valEnd) continue; // no '='

    if (attEnd !== equal || valBeg > equal + 1) {
      // spaces around '=' are removed: what follows moves by attEnd + 1 - valBeg
      v = withoutSpacesAroundEqual(v, attEnd, valBeg);
      const shift = attEnd + 1 - valBeg;
      valBeg = attEnd + 1;
      valEnd += shift;
      next += shift;
      hdrEnd += shift;
    }

    if (ctx.ignore || attEnd - attBeg !== name.length || !v.startsWith(name, attBeg)) continue;
    found.seen = true;
    if (spec.preserve) continue;
    if (spec.mode === 'insert' || (ctx.direct && spec.indirect)) {
      // ours will be inserted (or the client must not learn it): this one goes
      if (prev === 0 && next === hdrEnd) return null;
      const cut = cutValue(v, prev, next);
      v = cut.v;
      next = cut.from;
      hdrEnd += cut.delta;
      continue;
    }
    const ck = srv.spec.cookie;
    if (ck == null) continue;
    if (spec.mode === 'rewrite') {
      v = v.slice(0, valBeg) + ck + v.slice(valEnd);
      const delta = ck.length - (valEnd - valBeg);
      next += delta;
      hdrEnd += delta;
    } else if (spec.mode === 'prefix') {
      v = `${v.slice(0, valBeg)}${ck}~${v.slice(valBeg)}`;
      next += ck.length + 1;
      hdrEnd += ck.length + 1;
    }
  }
  return hdrEnd === v.length ? v : v.slice(0, hdrEnd);
}

/** What decides whether the balancer adds its own Set-Cookie. */
export interface InsertContext extends ResponseContext {
  /** the server's Set-Cookie carried our cookie */
  serverSetIt: boolean;
  isPost: boolean;
  /** UNIX seconds */
  now: number;
}

/**
 * The `Set-Cookie` value the balancer adds (without the header name), or null when none is due:
 * insert mode, and the client's cookie was absent, pointed elsewhere, or carries dates that must be
 * refreshed (or added, or removed after a `maxlife` change); never when `preserve` kept the
 * server's own, nor on a non-POST with `postonly`. `attributes` is `cookieAttributes(spec)`.
 */
export function insertedCookie(
  spec: CookieSpec,
  attributes: string,
  st: RequestCookies,
  ctx: InsertContext,
): string | null {
  if (spec.mode !== 'insert' || ctx.ignore) return null;
  if (ctx.serverSetIt && spec.preserve) return null;
  if (spec.postonly && !ctx.isPost) return null;
  const now = ctx.now;
  const due =
    !ctx.direct ||
    ((spec.maxidle || st.lastDate) && (!st.lastDate || st.lastDate - now < 0)) ||
    (spec.maxlife && !st.firstDate) ||
    (!spec.maxlife && st.firstDate);
  if (!due) return null;
  const ck = ctx.server.spec.cookie;
  let out: string;
  if (ck == null) {
    out = `${spec.name}=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/`;
  } else {
    out = `${spec.name}=${ck}`;
    if (spec.maxidle || spec.maxlife) {
      out += DATE_DELIM + encodeDate(now);
      if (spec.maxlife)
        out += DATE_DELIM + (st.firstDate ? s30ToB64(Math.floor(st.firstDate / 4)) : encodeDate(now));
    }
    out += '; path=/';
  }
  return out + attributes;
}
