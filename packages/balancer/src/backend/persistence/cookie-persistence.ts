/**
 * Cookie persistence on the data path: one instance per backend with a `cookie` line. The HTTP session
 * calls `onRequest` before balancing (a cookie may designate the server) and `onResponse` on the final
 * response head (the server's Set-Cookie headers, and the balancer's own). Header edits go through
 * HeadEdits in place; the decisions are the pure functions of cookie-request.ts / cookie-response.ts.
 */
import type { HeadEdits } from '../../http/head-edits.ts';
import { eqLower, type HttpHead } from '../../http/head-parser.ts';
import type { ServerState } from '../server.ts';
import { type CacheHeaders, methodMayCache, responseCacheable } from './cacheability.ts';
import { processCookieHeader, type RequestContext, RequestCookies } from './cookie-request.ts';
import { type InsertContext, insertedCookie, processSetCookieHeader } from './cookie-response.ts';
import { type CookieSpec, cookieAttributes } from './cookie-spec.ts';

const lit = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const H_COOKIE = lit('cookie');
const H_SET_COOKIE = lit('set-cookie');
const H_SET_COOKIE2 = lit('set-cookie2');
const H_PRAGMA = lit('pragma');
const H_CACHE_CONTROL = lit('cache-control');
const H_EXPIRES = lit('expires');
const H_ETAG = lit('etag');
const H_LAST_MODIFIED = lit('last-modified');

/** The request's cookie state a transaction carries to its response. */
export class CookieExchange extends RequestCookies {
  isPost = false;
  /** GET, HEAD, OPTIONS, TRACE: the response may be cacheable */
  methodSafe = false;
  /**
   * What the response did with the persistence cookie, HAProxy's 4th termination-state character:
   * N none, P present (the server's, kept), D deleted, I inserted, R rewritten/prefixed, U updated.
   */
  resFlag = 'N';
  /** an `ignore-persist` rule held for this request: no Set-Cookie either */
  ignore = false;
}

export class CookiePersistence {
  readonly spec: CookieSpec;
  private readonly attributes: string;
  private readonly ctx: RequestContext;
  private readonly seen = { seen: false };
  /** reused for every response (no allocation per request) */
  private readonly ictx: InsertContext;
  /** `set-cookie: …` per server, when the value carries no date (the same text every time) */
  private readonly lines = new Map<ServerState, string>();
  /** `option persist` */
  private readonly optionPersist: boolean;

  /**
   * `servers` in configuration order (the first usable one with the cookie's value wins); `persist`
   * is `option persist`.
   */
  constructor(spec: CookieSpec, servers: readonly ServerState[], persist: boolean) {
    this.optionPersist = persist;
    this.spec = spec;
    this.attributes = cookieAttributes(spec);
    this.ctx = { servers, persist, ignore: false, now: 0 };
    this.ictx = {
      server: servers[0],
      direct: false,
      ignore: false,
      serverSetIt: false,
      isPost: false,
      now: 0,
    };
  }

  /**
   * Reads (and edits) the request's Cookie headers; returns the server they designate, or null.
   * `force`: a force-persist rule held (a DOWN server is used all the same); `ignore`: an ignore-persist
   * rule held (the cookie designates no server — it is still removed with `indirect`, as HAProxy 2.6
   * does — and no Set-Cookie will follow).
   */
  onRequest(
    h: HttpHead,
    buf: Buffer,
    ed: HeadEdits,
    st: CookieExchange,
    nowMs: number,
    force = false,
    ignore = false,
    /** a use-server rule's server: the cookie is processed but assigns no other */
    assigned: ServerState | null = null,
  ): ServerState | null {
    st.reset();
    st.resFlag = 'N';
    st.ignore = ignore;
    st.server = assigned;
    st.isPost = h.method === 'POST';
    st.methodSafe = methodMayCache(h.method);
    const ctx = this.ctx;
    ctx.now = Math.floor(nowMs / 1000);
    ctx.persist = this.optionPersist || force;
    ctx.ignore = ignore;
    const hdr = h.hdr;
    for (let i = 0; i < h.nHeaders; i++) {
      if (h.drop[i] !== 0 || !eqLower(buf, hdr[i * 6], hdr[i * 6 + 1], H_COOKIE)) continue;
      const value = buf.toString('latin1', hdr[i * 6 + 2], hdr[i * 6 + 3]);
      const out = processCookieHeader(value, this.spec, ctx, st);
      if (out === value) continue;
      if (out === '') ed.dropAt(i);
      else ed.replaceValue(i, out);
    }
    return st.server;
  }

  /**
   * Edits the final response head from `server` (`direct`: the one the cookie designated) and appends
   * the balancer's Set-Cookie (and `Cache-Control: private` with `nocache`) when due.
   */
  onResponse(
    h: HttpHead,
    buf: Buffer,
    ed: HeadEdits,
    st: CookieExchange,
    server: ServerState,
    direct: boolean,
    nowMs: number,
  ): void {
    const spec = this.spec;
    const hdr = h.hdr;
    const seen = this.seen;
    seen.seen = false;
    const ictx = this.ictx;
    ictx.server = server;
    ictx.direct = direct;
    ictx.ignore = st.ignore;
    for (let i = 0; i < h.nHeaders; i++) {
      const s = hdr[i * 6];
      const e = hdr[i * 6 + 1];
      const len = e - s;
      if (len !== 10 && len !== 11) continue;
      const cookie2 = len === 11;
      if (!eqLower(buf, s, e, cookie2 ? H_SET_COOKIE2 : H_SET_COOKIE)) continue;
      const value = buf.toString('latin1', hdr[i * 6 + 2], hdr[i * 6 + 3]);
      const was = seen.seen;
      const out = processSetCookieHeader(value, cookie2, spec, ictx, seen);
      if (out === null) ed.dropAt(i);
      else if (out !== value) ed.replaceValue(i, out);
      if (seen.seen && !was) st.resFlag = out === null ? 'D' : out !== value ? 'R' : 'P';
    }
    ictx.serverSetIt = seen.seen;
    ictx.isPost = st.isPost;
    ictx.now = Math.floor(nowMs / 1000);
    const ins = insertedCookie(spec, this.attributes, st, ictx);
    if (ins === null) return;
    st.resFlag = direct && server.spec.cookie != null ? 'U' : 'I';
    let line = this.lines.get(server);
    if (line === undefined || spec.maxidle || spec.maxlife) {
      line = `set-cookie: ${ins}\r\n`;
      if (!spec.maxidle && !spec.maxlife) this.lines.set(server, line);
    }
    ed.appendLines(line);
    if (spec.nocache && responseCacheable(st.methodSafe, h.status, cacheHeaders(h, buf)))
      ed.append('cache-control: private');
  }
}

function cacheHeaders(h: HttpHead, buf: Buffer): CacheHeaders {
  const out: { pragma: string | null; cacheControl: string[]; hasExpires: boolean; hasValidator: boolean } = {
    pragma: null,
    cacheControl: [],
    hasExpires: false,
    hasValidator: false,
  };
  const hdr = h.hdr;
  for (let i = 0; i < h.nHeaders; i++) {
    const s = hdr[i * 6];
    const e = hdr[i * 6 + 1];
    if (eqLower(buf, s, e, H_CACHE_CONTROL))
      out.cacheControl.push(buf.toString('latin1', hdr[i * 6 + 2], hdr[i * 6 + 3]));
    else if (eqLower(buf, s, e, H_PRAGMA))
      out.pragma ??= buf.toString('latin1', hdr[i * 6 + 2], hdr[i * 6 + 3]);
    else if (eqLower(buf, s, e, H_EXPIRES)) out.hasExpires = true;
    else if (eqLower(buf, s, e, H_ETAG) || eqLower(buf, s, e, H_LAST_MODIFIED)) out.hasValidator = true;
  }
  return out;
}
