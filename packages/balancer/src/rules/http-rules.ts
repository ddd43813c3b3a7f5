/**
 * The rule engine's side of an HTTP session: the session calls these at HAProxy's evaluation points
 * and nowhere else (http-session.ts):
 * - request(): frontend http-request → frontend redirect → use_backend (else default_backend) →
 *   backend http-request → backend redirect; returns the backend, or leaves c.reply / c.reject set;
 * - response(): backend http-response → frontend http-response → backend then frontend
 *   http-after-response, on a server's response head;
 * - own(): http-after-response on a response the balancer makes itself (return, deny, redirect, 503…).
 * One instance per session, made only when the frontend or one of its backends has rules.
 */

import type { BackendState } from '../backend/backend.ts';
import type { ServerState } from '../backend/server.ts';
import type { FrontendRuntime } from '../engine/proxy-runtime.ts';
import { BodyFraming } from '../http/body-framing.ts';
import type { ClientConn } from '../http/client-conn.ts';
import { normalizeClientAddress } from '../http/forwardfor.ts';
import { HeadEdits } from '../http/head-edits.ts';
import { findHeadEnd, type HttpHead, newHead, parseHead } from '../http/head-parser.ts';
import type { Transaction } from '../http/transaction.ts';
import { clientTlsOf } from '../tls/tls-info.ts';
import { DONE } from './actions/action.ts';
import { PERSIST_FORCE, PERSIST_IGNORE, RuleContext, type RuleEnv } from './context.ts';
import { type HeadView, hashOfLower } from './head-view.ts';
import { type HeaderCapture, type ProxyRules, runRules, type ServerSwitch } from './rule-set.ts';

let OWN: HttpHead = newHead(101);
const OWN_EDITS = new HeadEdits();
const NO_BODY = new BodyFraming();

export class HttpRules {
  readonly c = new RuleContext();

  /** the connection's own addresses: each request starts from them (set-src lasts one request, recorded) */
  private readonly src: string;
  private readonly srcPort: number;
  private readonly dst: string;
  private readonly dstPort: number;

  constructor(env: RuleEnv, client: ClientConn) {
    const c = this.c;
    c.env = env;
    this.src = c.src = normalizeClientAddress(client.remoteAddress);
    this.srcPort = c.srcPort = client.remotePort ?? 0;
    this.dst = c.dst = normalizeClientAddress(client.localAddress);
    this.dstPort = c.dstPort = client.localPort ?? 0;
    c.tls = clientTlsOf(client);
  }

  /** A request's context: its head, the connection's addresses again (set-src lasts one request). */
  private begin(fe: FrontendRuntime, buf: Buffer, h: HttpHead, ed: HeadEdits, tx: Transaction): RuleContext {
    const c = this.c;
    c.resetRequest();
    if (
      c.src !== this.src ||
      c.srcPort !== this.srcPort ||
      c.dst !== this.dst ||
      c.dstPort !== this.dstPort
    ) {
      // HAProxy 2.6: the addresses set-src/set-dst gave are the request's; the next one starts afresh
      c.src = this.src;
      c.srcPort = this.srcPort;
      c.dst = this.dst;
      c.dstPort = this.dstPort;
      c.addrSet = true; // the session follows (forwardfor, balance source, log)
    }
    c.tx = tx;
    c.req.reset(buf, h, ed);
    c.method = h.method;
    c.versionMinor = h.versionMinor;
    c.feName = fe.spec.name;
    c.beName = fe.spec.name;
    return c;
  }

  /**
   * `monitor fail`: does one of the frontend's conditions hold for this monitor-uri request? (Evaluated
   * before any http-request rule, as HAProxy answers the monitor URI first.)
   */
  monitorFails(fe: FrontendRuntime, buf: Buffer, h: HttpHead, ed: HeadEdits, tx: Transaction): boolean {
    const list = fe.spec.rules?.monitorFail ?? null;
    if (list === null || list.length === 0) return false;
    const c = this.begin(fe, buf, h, ed, tx);
    for (let i = 0; i < list.length; i++) if (list[i](c)) return true;
    return false;
  }

  /**
   * The request's rules up to the backend's; the backend to use (c.reply / c.reject say if answered;
   * null when the frontend's rules answered, before any backend was chosen).
   */
  request(
    fe: FrontendRuntime,
    buf: Buffer,
    h: HttpHead,
    ed: HeadEdits,
    tx: Transaction,
  ): BackendState | null {
    const c = this.begin(fe, buf, h, ed, tx);
    const fr = fe.spec.rules ?? null;
    let be = fe.defaultBackend;
    if (fr !== null) {
      c.reqCapLen = fr.reqCapLen;
      c.resCapLen = fr.resCapLen;
      if (fr.reqCaptures.length > 0) capture(c.req, fr.reqCaptures, c.reqCaptures);
      // answered before a backend is chosen: only the frontend's http-after-response applies, and the
      // log names the frontend as the backend (recorded: `fe fe/<NOSRV>`, no x-be from the default's)
      if (runRules(fr.httpRequest, c) === DONE || runRules(fr.redirects, c) === DONE) {
        // HAProxy's counters: a denial is the frontend's dreq, an answer of its own `intercepted`
        if (c.denied) fe.counters.dreq++;
        else if (!c.intercepted) fe.counters.intercepted++;
        return null;
      }
      const sw = fr.useBackends;
      for (let i = 0; i < sw.length; i++) {
        const s = sw[i];
        if (s.cond !== null && !s.cond(c)) continue;
        const name = typeof s.name === 'string' ? s.name : s.name(c);
        const found = c.env.backend(name);
        // a dynamic name that names no backend: HAProxy goes on to the next rule
        if (found === null || found.spec.mode !== 'http') continue;
        be = found;
        break;
      }
    }
    c.beName = be?.spec.name ?? fe.spec.name;
    const br = be?.spec.rules ?? null;
    // force-persist / ignore-persist: once the backend is known, before its http-request rules
    // (HAProxy's process_switching_rules); the first that holds decides
    if (br !== null)
      for (let i = 0; i < br.persist.length; i++)
        if (br.persist[i].cond(c)) {
          c.persist = br.persist[i].force ? PERSIST_FORCE : PERSIST_IGNORE;
          break;
        }
    if (br !== null && br !== fr) {
      if (runRules(br.httpRequest, c) === DONE || runRules(br.redirects, c) === DONE) {
        // a backend's denial counts on both sides (an answer of its own on neither, as HAProxy 2.6);
        // the request was the backend's session all the same
        c.byBackend = true;
        be!.counters.stot++;
        if (c.denied) {
          fe.counters.dreq++;
          be!.counters.dreq++;
        }
        return be;
      }
    }
    // use-server: after the backend's http-request rules, before the cookie (process_server_rules)
    if (br !== null && br.useServers.length > 0) c.useServer = useServer(br.useServers, be!, c);
    c.req.flush();
    return be;
  }

  /**
   * A server's response head, before it is built: returns false when a rule denied it (c.reply holds
   * the answer to send instead).
   */
  response(
    fe: FrontendRuntime,
    be: BackendState | null,
    server: ServerState | null,
    buf: Buffer,
    h: HttpHead,
    ed: HeadEdits,
  ): boolean {
    const c = this.c;
    c.res.reset(buf, h, ed);
    c.status = h.status;
    c.inResponse = true;
    c.srvName = server?.spec.name ?? '';
    const fr = fe.spec.rules ?? null;
    const br = be?.spec.rules ?? null;
    if (fr !== null && fr.resCaptures.length > 0) capture(c.res, fr.resCaptures, c.resCaptures);
    if (
      (br !== null && br !== fr && runRules(br.httpResponse, c) === DONE) ||
      (fr !== null && runRules(fr.httpResponse, c) === DONE)
    ) {
      // http-response deny: the frontend's, the backend's and the server's dresp (HAProxy 2.6)
      if (c.denied) {
        fe.counters.dresp++;
        if (be !== null) be.counters.dresp++;
        if (server !== null) server.counters.dresp++;
      }
      return false;
    }
    this.after(fr, br);
    c.res.flush();
    return true;
  }

  /** The status the client gets (after set-status). */
  status(): number {
    return this.c.status;
  }

  private after(fr: ProxyRules | null, br: ProxyRules | null): void {
    const c = this.c;
    if (br !== null && br !== fr && runRules(br.httpAfterResponse, c) === DONE) return;
    if (fr !== null) runRules(fr.httpAfterResponse, c);
  }

  /** http-after-response on a response the balancer made (`reply`, a complete raw response). */
  own(fe: FrontendRuntime, be: BackendState | null, reply: Buffer, maxHeaders: number): Buffer {
    const fr = fe.spec.rules ?? null;
    const br = be?.spec.rules ?? null;
    if (
      (fr === null || fr.httpAfterResponse.length === 0) &&
      (br === null || br.httpAfterResponse.length === 0)
    )
      return reply;
    const end = findHeadEnd(reply, 0);
    if (end < 0) return reply;
    if (OWN.drop.length < maxHeaders + 1) OWN = newHead(maxHeaders);
    const h = parseHead(OWN, reply, end, false, maxHeaders, null);
    if (h.error !== null) return reply;
    const c = this.c;
    const ed = OWN_EDITS.reset(h, reply);
    c.res.reset(reply, h, ed);
    c.status = h.status;
    c.inResponse = true;
    this.after(fr, br);
    c.res.flush();
    const out = ed.build(end, 0, NO_BODY);
    if (out === null) return reply;
    return end < reply.length ? Buffer.concat([out.buf, reply.subarray(end)]) : out.buf;
  }
}

/**
 * `capture request|response header`: the value of the last line of each captured name, cut to its
 * `len` (HAProxy's http_capture_headers), before the rules run.
 */
function capture(v: HeadView, caps: readonly HeaderCapture[], out: (string | null)[]): void {
  for (let k = 0; k < caps.length; k++) out[caps[k].slot] = null;
  const size = v.size;
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < caps.length; k++) {
      const cap = caps[k];
      if (!v.has(i, cap.lower, hashOfLower(cap.lower))) continue;
      const value = v.valueAt(i);
      out[cap.slot] = value.length > cap.len ? value.slice(0, cap.len) : value;
    }
  }
}

/**
 * The first `use-server` rule that holds and names a server that can take the request: UP, or any
 * under `option persist` or a force-persist rule (a DOWN one lets the next rule decide). A dynamic
 * name that names no server ends the rules, as HAProxy 2.6's process_server_rules.
 */
function useServer(list: readonly ServerSwitch[], be: BackendState, c: RuleContext): ServerState | null {
  for (let i = 0; i < list.length; i++) {
    const u = list[i];
    if (!u.cond(c)) continue;
    const name = typeof u.name === 'string' ? u.name : u.name(c);
    const srv = be.servers.find((s) => s.spec.name === name);
    if (srv === undefined) {
      if (typeof u.name === 'string') continue;
      return null;
    }
    if (srv.up || be.spec.persist === true || c.persist === PERSIST_FORCE) return srv;
  }
  return null;
}

/** True when a frontend's sessions need the rule engine (it or a backend it may use has rules). */
export function needsRules(fe: FrontendRuntime): boolean {
  if (fe.spec.rules != null || fe.spec.tcpContent != null) return true;
  // without rules of its own a frontend only reaches its default backend
  return fe.defaultBackend?.spec.rules != null || fe.defaultBackend?.spec.tcpRequest != null;
}
