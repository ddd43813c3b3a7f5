/**
 * The client side of cookie persistence, a port of HAProxy 2.6's `http_manage_client_side_cookies()`:
 * one `Cookie` header value in, the server it designates (if any) and the value as the server will see
 * it out. Pure: the servers' states and the clock are inputs.
 *
 * What it does to the header, as HAProxy does:
 * - spaces around `=` are removed from every cookie of the line (ours or not);
 * - `insert indirect`: our cookie is removed, with its delimiter (`cutValue`); the header goes when
 *   nothing else is left in it (`$`-attributes do not count);
 * - `prefix`: `SRV~rest` becomes `rest`;
 * - otherwise our cookie is passed on as it is.
 */
import type { ServerState } from '../server.ts';
import { decodeDate } from './cookie-date.ts';
import type { CookieSpec } from './cookie-spec.ts';
import { cookieValueEnd, cutValue, isSpHt, withoutSpacesAroundEqual } from './cookie-syntax.ts';

/**
 * What the request's cookies said (HAProxy's TX_CK_* states, for logs): none seen, an unknown value,
 * a DOWN server's, a usable server's, too long idle (`maxidle`), too old (`maxlife`), or not used
 * because a server was already designated.
 */
export type CookieVerdict = 'none' | 'invalid' | 'down' | 'valid' | 'expired' | 'old' | 'unused';

/** What the request's cookie headers decided, accumulated over all of them (one per request). */
export class RequestCookies {
  /** the server the cookie designates (HAProxy's SF_DIRECT|SF_ASSIGNED), null when none */
  server: ServerState | null = null;
  verdict: CookieVerdict = 'none';
  /** the dates carried by the cookie, UNIX seconds (0 = none) */
  firstDate = 0;
  lastDate = 0;

  reset(): void {
    this.server = null;
    this.verdict = 'none';
    this.firstDate = 0;
    this.lastDate = 0;
  }
}

/** What the request side needs to know, beyond the cookie line itself. */
export interface RequestContext {
  servers: readonly ServerState[];
  /** `option persist`, or a `force-persist` rule that matched */
  persist: boolean;
  /** an `ignore-persist` rule matched */
  ignore: boolean;
  /** UNIX seconds */
  now: number;
}

const TILDE = 0x7e;

/**
 * One `Cookie` header value: returns it as it must be forwarded ('' = remove the header; the same
 * string when nothing changed) and updates `st`.
 */
export function processCookieHeader(
  value: string,
  spec: CookieSpec,
  ctx: RequestContext,
  st: RequestCookies,
): string {
  const name = spec.name;
  const insertIndirect = spec.mode === 'insert' && spec.indirect;
  const prefix = spec.mode === 'prefix';
  let v = value;
  let hdrEnd = v.length;
  let isFirst = true;
  let delFrom = -1; // where a cookie scheduled for removal starts (its delimiter, or 0)
  let preserveHdr = false;
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
      if (c === 0x3d || c === 0x2c || c === 0x3b) break;
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

    // `$Path`-style attributes belong to the cookie before them and go with it
    if (attBeg < hdrEnd && v.charCodeAt(attBeg) === 0x24) continue;

    if (equal === next) {
      // no `=`: not ours, keep it (and cut a cookie scheduled for removal before it)
      preserveHdr = true;
      if (delFrom >= 0) {
        const cut = cutValue(v, delFrom, prev);
        v = cut.v;
        next += cut.delta;
        hdrEnd += cut.delta;
        delFrom = -1;
      }
      continue;
    }

    if (attEnd !== equal || valBeg > equal + 1) {
      // spaces around '=' are removed: what follows moves by attEnd + 1 - valBeg
      v = withoutSpacesAroundEqual(v, attEnd, valBeg);
      const shift = attEnd + 1 - valBeg;
      valBeg = attEnd + 1;
      valEnd += shift;
      next += shift;
      hdrEnd += shift;
    }

    if (attEnd - attBeg === name.length && v.startsWith(name, attBeg)) {
      // ours: NAME=SRV[|last[|first]], or NAME=SRV~rest in prefix mode
      let delim = valEnd;
      if (prefix) {
        for (delim = valBeg; delim < valEnd; delim++) if (v.charCodeAt(delim) === TILDE) break;
      } else {
        let bar = v.indexOf('|', valBeg);
        if (bar >= 0 && bar < valEnd) {
          delim = bar++;
          if (valEnd - bar >= 5) {
            const d = decodeDate(v, bar);
            if (d > 0) st.lastDate = d;
          }
          const bar2 = v.indexOf('|', bar);
          if (bar2 >= 0 && bar2 < valEnd && valEnd - bar2 > 5) {
            const d = decodeDate(v, bar2 + 1);
            if (d > 0) st.firstDate = d;
          }
        }
      }
      const now = ctx.now;
      if (st.firstDate && spec.maxlife && (now - st.firstDate > spec.maxlife || st.firstDate - now > 86400)) {
        st.verdict = 'old';
        delim = valBeg; // as if there were no cookie
        st.firstDate = 0;
        st.lastDate = 0;
      } else if (
        st.lastDate &&
        spec.maxidle &&
        (now - st.lastDate > spec.maxidle || st.lastDate - now > 86400)
      ) {
        st.verdict = 'expired';
        delim = valBeg;
        st.firstDate = 0;
        st.lastDate = 0;
      }

      // the first usable server with this value (several may share one); an empty value matches none
      let found: ServerState | null = null;
      if (delim !== valBeg && !ctx.ignore && st.server === null) {
        const len = delim - valBeg;
        for (const s of ctx.servers) {
          const ck = s.spec.cookie;
          if (ck == null || ck.length !== len || !v.startsWith(ck, valBeg)) continue;
          if (s.up || ctx.persist) {
            st.verdict = s.up ? 'valid' : 'down';
            found = s;
            st.server = s;
            break;
          }
          st.verdict = 'down';
        }
      }
      // (HAProxy tests its 3-bit state against the whole mask here: only a first verdict is recorded)
      if (found === null && st.verdict === 'none')
        st.verdict = ctx.ignore || st.server !== null ? 'unused' : 'invalid';

      if (prefix && delim !== valEnd) {
        v = v.slice(0, valBeg) + v.slice(delim + 1);
        const delta = valBeg - (delim + 1);
        valEnd += delta;
        next += delta;
        hdrEnd += delta;
        delFrom = -1;
        preserveHdr = true;
      } else if (delFrom < 0 && insertIndirect) {
        delFrom = prev;
      }
    } else {
      // not ours: keep it, and cut a cookie scheduled for removal before it
      preserveHdr = true;
      if (delFrom >= 0) {
        const cut = cutValue(v, delFrom, prev);
        v = cut.v;
        next += cut.delta;
        hdrEnd += cut.delta;
        delFrom = -1;
      }
    }
  }
  if (delFrom >= 0) hdrEnd = preserveHdr ? delFrom : 0;
  return hdrEnd === v.length ? v : v.slice(0, hdrEnd);
}
