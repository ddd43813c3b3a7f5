import type { PickContext, RequestView } from '../backend/algorithms/index.ts';
import type { BackendState } from '../backend/backend.ts';
import { balance, Dispatch, type DispatchOwner, QUEUE_FULL, QUEUED, TAKEN } from '../backend/dispatch.ts';
import { shareableMux } from '../backend/h2-server-mux.ts';
import { RE_DISCONNECTED, RE_JUNK_REQUEST, RE_TIMEOUT, retriesStatus } from '../backend/retry-on.ts';
import type { ServerState } from '../backend/server.ts';
import { h2LeaseOf, releaseToPool, ServerConn, takeIdle } from '../backend/server-conn.ts';
import { httpStatusEvent } from '../checks/observe.ts';
import { statusClass } from '../counters/counters.ts';
import { countExchange } from '../counters/exchange.ts';
import {
  nextErrorEvent,
  nextSessionId,
  type ProxyRuntime,
  type StreamSummary,
} from '../engine/proxy-runtime.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import { LogRecord, nextStreamId } from '../log/log-record.ts';
import { DONE } from '../rules/actions/action.ts';
import { withConnectionClose } from '../rules/actions/reply.ts';
import { PERSIST_FORCE, PERSIST_IGNORE } from '../rules/context.ts';
import { HttpRules } from '../rules/http-rules.ts';
import { runRules } from '../rules/rule-set.ts';
import type { StatsAnswer, StatsPage } from '../stats/stats-page.ts';
import { type ClientTls, clientTlsOf } from '../tls/tls-info.ts';
import { FRAMING_CHUNKED, FRAMING_CLOSE, FRAMING_LENGTH, FRAMING_NONE } from './body-framing.ts';
import type { ClientConn, StreamCarrier } from './client-conn.ts';
import { bodyless, errorResponse } from './error-pages.ts';
import { cidrContains, forwardForLine, normalizeClientAddress } from './forwardfor.ts';
import { PREFACE_PARTIAL, PREFACE_YES, prefaceAt } from './h2-preface.ts';
import { HeadEdits, UPGRADE_NAME } from './head-edits.ts';
import {
  eqLower,
  findHeadEnd,
  type HttpHead,
  headerValue,
  newHead,
  parseHead,
  requestLinePrefixInvalid,
} from './head-parser.ts';
import { initRecord, logHttpExchange, uniqueIdOf } from './http-log.ts';
import { htxHeadSize, htxRawSize, htxSizeOf } from './htx-size.ts';
import { isMonitorUri, monitorResponse } from './monitor-uri.ts';
import { Transaction } from './transaction.ts';
import { wsAcceptOf } from './ws-key.ts';

// Session states
const S_HEAD = 0; // waiting for (more of) a request head
const S_EXCHANGE = 1; // request sent or being sent; response awaited or streaming
const S_TUNNEL = 2; // after 101 / CONNECT 2xx: raw bytes both ways
const S_CLOSED = 3;
const S_TARPIT = 4; // `http-request tarpit`: the answer waits for `timeout tarpit` (client bytes are kept)

// Heads are parsed synchronously and only the scalars needed later are copied into the session, so
// one parse result per direction serves every session (no per-session 600-entry offset tables).
let REQ: HttpHead = newHead(101);
let RES: HttpHead = newHead(101);
/** the head a redispatch reads again (requestAgain), apart from the request being parsed */
let AGAIN: HttpHead | null = null;
const EMPTY = Buffer.alloc(0);
const AUTHORIZATION = Buffer.from('authorization');
const TE_NAME = Buffer.from('te');
const CONNECTION_NAME = Buffer.from('connection');
const WS_ACCEPT_NAME = Buffer.from('sec-websocket-accept');

/** The response's one Sec-WebSocket-Accept is the one `key` calls for. */
function acceptMatches(h: HttpHead, buf: Buffer, key: string): boolean {
  let found: string | null = null;
  for (let i = 0; i < h.nHeaders; i++)
    if (eqLower(buf, h.hdr[i * 6], h.hdr[i * 6 + 1], WS_ACCEPT_NAME)) {
      if (found !== null) return false;
      found = headerValue(h, buf, i);
    }
  return found === wsAcceptOf(key);
}

/** The value of the first header named `lower` (lower-case bytes), or null. */
function findHeader(h: HttpHead, buf: Buffer, lower: Uint8Array): string | null {
  for (let i = 0; i < h.nHeaders; i++)
    if (eqLower(buf, h.hdr[i * 6], h.hdr[i * 6 + 1], lower)) return headerValue(h, buf, i);
  return null;
}
function heads(maxHeaders: number): void {
  if (REQ.drop.length < maxHeaders + 1) {
    REQ = newHead(maxHeaders);
    RES = newHead(maxHeaders);
  }
}

/**
 * One client connection in `mode http`: reads request heads, forwards requests and their bodies to a
 * server connection, streams responses back, in order (pipelined requests wait in `inbuf`). Bodies are
 * never parsed or copied beyond slicing: BodyFraming only tells where each message ends.
 */
export class HttpSession implements DispatchOwner {
  /** the frontend and the backend of the current request (switched per request by chooseBackend) */
  private px: ProxyRuntime;
  private readonly gate: ConnGate;
  private readonly client: ClientConn;
  /** the multiplexed connection this session is one stream of (HTTP/2), or null: the client is a socket */
  private readonly carrier: StreamCarrier | null;
  /** the client's address (normalised), as `http-request set-src` may have replaced it */
  private clientAddr: string;
  /** the TLS facts of the client connection (ssl_fc* / ssl_c_* fetches); null on clear text */
  readonly tls: ClientTls | null;
  /** what the load-balancing algorithm sees of this client and its current request (reused, no allocation) */
  private readonly pickCtx: PickContext;
  /** the forwardfor line for this client and the current pair ('' when excepted or off) */
  private ffLine: string;
  private state = S_HEAD;
  /** unconsumed client bytes (a partial head, or pipelined requests waiting their turn) */
  private inbuf: Buffer | null = null;
  private scanFrom = 0;
  private requests = 0;
  // current exchange: the server side (pick, connect, retries) is the dispatch step's
  private readonly d: Dispatch;
  /** the request in flight (or being read), reset per request */
  private readonly tx = new Transaction();
  private readonly reqEdits = new HeadEdits();
  private readonly resEdits = new HeadEdits();
  /** the rule engine's view of this session (rules/http-rules.ts); null when no rule applies */
  private readonly rx: HttpRules | null;
  /** the current request's method (`show sess <id>`) */
  private method = '';
  private clientEnded = false;
  private clientPausedForPipeline = false;
  private serverPausedForClient = false;
  private stopping = false;
  // head deadline: a lazily re-armed timer (see armDeadline)
  private deadline = 0;
  private deadlineKind = 0; // 1 = keep-alive idle (silent close), 2 = http-request (408)
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private tarpitTimer: NodeJS.Timeout | null = null;
  /** the current exchange is in the counters already (counters/exchange.ts); true between requests */
  private txCounted = true;
  /** the backend this exchange went to, and whether a server was assigned (for the counters) */
  private txBackend: BackendState | null = null;
  private txServed = false;
  /** `stats admin if COND` as evaluated for the stats request being answered (null: the page decides) */
  private statsAdmin: boolean | null = null;
  /** an admin form POST to the stats page whose body is still arriving */
  private statsPost: {
    page: StatsPage;
    target: string;
    auth: string | null;
    buf: Buffer;
    need: number;
  } | null = null;
  /** the stream number `show sess` prints (runtime/show-sess.ts) */
  readonly id = nextSessionId();
  /** the access-log record (http-log.ts), null when the frontend does not log */
  private readonly logRec: LogRecord | null = null;

  constructor(px: ProxyRuntime, client: ClientConn, gate: ConnGate, carrier: StreamCarrier | null = null) {
    this.px = px;
    this.gate = gate;
    this.client = client;
    this.carrier = carrier;
    this.tls = clientTlsOf(client);
    this.d = new Dispatch(this, this.tx);
    this.rx = px.frontend.ruleEnv === null ? null : new HttpRules(px.frontend.ruleEnv, client);
    heads(px.maxHeaders);
    this.clientAddr = normalizeClientAddress(client.remoteAddress);
    this.pickCtx = {
      clientAddress: client.remoteAddress ?? '',
      exclude: null,
      request: { buf: EMPTY, head: REQ, bodyEnd: 0 },
    };
    this.ffLine = this.forwardForFor(px);
    const lg = px.frontend.logger;
    if (lg !== null || px.frontend.spec.uniqueId) {
      const rec = new LogRecord();
      this.logRec = rec;
      rec.tls = this.tls;
      const feIp = normalizeClientAddress(client.localAddress);
      initRecord(rec, this.clientAddr, client.remotePort ?? 0, feIp, client.localPort ?? 0);
      if (this.rx !== null) {
        // captures print as configured even when nothing was captured (`{}` / `-`): one slot each
        const rules = px.frontend.spec.rules;
        if (rules) {
          this.rx.c.reqCaptures.length = rules.reqCapLen.length;
          this.rx.c.resCaptures.length = rules.resCapLen.length;
          this.rx.c.reqCaptures.fill(null);
          this.rx.c.resCaptures.fill(null);
        }
        rec.ctx = this.rx.c;
        rec.reqCaptures = this.rx.c.reqCaptures;
        rec.resCaptures = this.rx.c.resCaptures;
      }
      if (carrier === null)
        lg?.connect(this.clientAddr, client.remotePort ?? 0, feIp, client.localPort ?? 0, px.fe.name, 'http');
    }
    client.setNoDelay(true);
    if (px.tClient) client.setTimeout(px.tClient);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => this.onClientDrain());
    client.on('timeout', () => this.onClientTimeout());
    client.on('error', () => {});
    client.on('close', () => this.onClientClose());
    this.tx.reset(Date.now());
    if (carrier === null) {
      px.sessions.add(this);
      px.frontend.counters.accept(this.tx.tStart);
      // The first request has `timeout http-request` from the accept (HAProxy starts it there);
      // without it, `timeout client` covers the wait through the socket timeout.
      if (px.tHttpRequest) this.armDeadline(Date.now() + px.tHttpRequest, 2);
    }
    client.resume();
  }

  // ---------------------------------------------------------------- client side

  private onClientData(chunk: Buffer): void {
    const st = this.state;
    if (st === S_TUNNEL) {
      const srv = this.d.conn;
      if (srv && !srv.socket.write(chunk)) this.client.pause();
      return;
    }
    if (st === S_EXCHANGE && !this.tx.reqBody.done) {
      if (this.statsPost !== null) this.onStatsBody(chunk);
      else this.forwardRequestBody(chunk, 0);
      return;
    }
    if (st === S_CLOSED) return;
    if (this.inbuf === null) this.inbuf = chunk;
    else this.inbuf = Buffer.concat([this.inbuf, chunk]);
    if (st === S_HEAD) this.processHead();
    else if (this.inbuf.length > this.px.bufsize && !this.clientPausedForPipeline) {
      // pipelined requests beyond one buffer wait in the kernel, not in memory
      this.clientPausedForPipeline = true;
      this.client.pause();
    }
  }

  private processHead(): void {
    let buf = this.inbuf!;
    if (this.scanFrom === 0) {
      // RFC 9112 §2.2: ignore empty lines before a request line
      let skip = 0;
      while (skip < buf.length && (buf[skip] === 13 || buf[skip] === 10)) skip++;
      if (skip > 0) {
        if (skip === buf.length) {
          this.inbuf = null;
          return;
        }
        buf = buf.subarray(skip);
        this.inbuf = buf;
      }
      // the HTTP/2 preface as the first bytes: the connection becomes HTTP/2 (h2-preface.ts)
      if (buf[0] === 0x50 && this.requests === 0 && this.px.frontend.h2Upgrade !== null) {
        const p = prefaceAt(buf);
        if (p === PREFACE_PARTIAL) return;
        if (p === PREFACE_YES) {
          this.upgradeToH2(buf);
          return;
        }
      }
      if (this.tx.tFirstByte < 0) {
        this.tx.tFirstByte = Date.now();
        this.tx.uniqId = nextStreamId();
      }
      if (this.deadlineKind === 1 && this.px.tHttpRequest) {
        // first byte of a keep-alive request: the http-request deadline starts now
        this.armDeadline(Date.now() + this.px.tHttpRequest, 2);
      }
    }
    const end = findHeadEnd(buf, this.scanFrom);
    if (end < 0) {
      if (
        buf.length > this.px.maxHead ||
        (this.scanFrom === 0 && requestLinePrefixInvalid(buf, buf.length))
      ) {
        this.sendError(400);
        return;
      }
      this.scanFrom = buf.length;
      return;
    }
    this.scanFrom = 0;
    if (end > this.px.maxHead) {
      this.sendError(400);
      return;
    }
    this.deadlineKind = 0;
    this.startRequest(buf, end);
  }

  /** The connection is an HTTP/2 one from now on: it keeps its accept count and its gate slot. */
  private upgradeToH2(already: Buffer): void {
    this.state = S_CLOSED;
    this.inbuf = null;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.px.sessions.delete(this);
    this.px.frontend.h2Upgrade!(this.client, this.gate, already);
  }

  private startRequest(buf: Buffer, headEnd: number): void {
    const px = this.px;
    const watch = px.ff ? px.ff.watch : null;
    const h = parseHead(REQ, buf, headEnd, true, px.maxHeaders, watch);
    this.tx.tRequest = Date.now();
    // %U / bin: the head's HTX size, as HAProxy counts it (the body adds its bytes as forwarded)
    this.tx.bytesIn += h.error === null ? htxHeadSize(h, buf) : headEnd;
    this.txCounted = false;
    px.frontend.counters.request(this.tx.tRequest);
    if (this.logRec !== null && h.error === null)
      this.tx.requestLine =
        this.carrier !== null
          ? this.carrier.logLine
          : buf.toString('latin1', 0, h.startLineEnd - (buf[h.startLineEnd - 2] === 13 ? 2 : 1));
    if (h.error !== null) {
      const inv = px.frontend.invalidRequests;
      inv.count++;
      // what HAProxy keeps for `show errors` (runtime/show-errors.ts): the bytes, located there
      inv.last = {
        at: Date.now(),
        src: `${this.clientAddr}:${this.client.remotePort ?? 0}`,
        event: nextErrorEvent(),
        bytes: Buffer.from(buf.subarray(0, Math.min(buf.length, px.bufsize))),
        bufsize: px.bufsize,
        headEnd,
        error: h.error,
      };
      this.tx.http10 = false;
      this.sendError(h.error === 'te-not-only-chunked' ? 422 : 400);
      return;
    }
    this.requests++;
    this.method = h.method;
    this.tx.isHead = h.isHead;
    this.tx.http10 = h.versionMinor === 0;
    this.tx.isConnect = h.isConnect;
    this.tx.wantsUpgrade = h.isConnect || (h.connUpgrade && h.hasUpgrade);
    // TE+CL is a smuggling attempt or a broken client: serve it, then close (HAProxy does the same).
    this.tx.closeAfter =
      h.connClose ||
      (this.tx.http10 && !h.connKeepAlive) ||
      (h.hasTransferEncoding && h.hasContentLength) ||
      px.connMode === 'close' ||
      this.stopping;
    if (h.chunked) this.tx.reqBody.reset(FRAMING_CHUNKED, 0);
    else if (h.contentLength > 0) this.tx.reqBody.reset(FRAMING_LENGTH, h.contentLength);
    else if (this.carrier?.chunkedBody) this.tx.reqBody.reset(FRAMING_CHUNKED, 0);
    else this.tx.reqBody.reset(FRAMING_NONE, 0);

    if (isMonitorUri(px.monitorUri, buf, h.uriStart, h.uriEnd)) {
      const fail = this.rx?.monitorFails(px.frontend, buf, h, this.reqEdits.reset(h, buf), this.tx) === true;
      this.answerMonitor(buf, headEnd, fail);
      return;
    }
    const ed = this.reqEdits.reset(h, buf);
    // HTTP/2 allows `te: trailers` only (nghttp2 checked), and HAProxy passes that on to the server
    if (this.carrier !== null) ed.keep(TE_NAME);
    const be = this.chooseBackend(buf, h, ed);
    if (this.rx?.c.addrSet) this.addressesSet();
    if (this.rx !== null && (this.rx.c.reply !== null || this.rx.c.reject)) {
      this.answerLocal(buf, headEnd);
      return;
    }
    // the stats page: after the http-request rules (a deny still blocks it), as HAProxy
    const page = this.px.statsPage;
    if (page?.matches(buf, h.uriStart, h.uriEnd)) {
      this.answerStats(page, buf, headEnd);
      return;
    }
    this.txBackend = be;
    // a persistence cookie may designate the server; otherwise the balancing algorithm picks one
    const persist = this.rx === null ? 0 : this.rx.c.persist;
    this.d.forcePersist = persist === PERSIST_FORCE;
    // a use-server rule's server comes first; the cookie is still processed (stripped) but chooses none
    const assigned = this.rx === null ? null : this.rx.c.useServer;
    const ck = be?.cookie ?? null;
    let server =
      ck === null
        ? assigned
        : ck.onRequest(
            h,
            buf,
            ed,
            this.tx.cookie,
            Date.now(),
            persist === PERSIST_FORCE,
            persist === PERSIST_IGNORE,
            assigned,
          );
    const direct = server !== null;
    if (server === null && be !== null) {
      const view = this.pickCtx.request!;
      view.buf = buf;
      view.head = h;
      view.bodyEnd = Math.min(buf.length, headEnd + Math.max(h.contentLength, 0));
      server = balance(be, this.pickCtx);
      view.buf = EMPTY;
    }
    if (be === null) {
      this.state = S_EXCHANGE;
      this.inbuf = this.tx.reqBody.done && headEnd < buf.length ? buf.subarray(headEnd) : null;
      this.serverError(503);
      return;
    }

    // an HTTP/2 server gets `te: trailers` and the fields Connection named (HAProxy 2.6; the
    // connection-specific fields themselves go in h2-server-stream.ts)
    if (server?.spec.proto === 'h2') {
      ed.keep(TE_NAME);
      ed.keepConnectionNamed();
    }
    // request head as forwarded: kept header lines + unique-id + forwardfor + connection header, then the body start
    if (h.clRewrite) ed.append(`content-length: ${h.contentLength}`);
    const uid = px.frontend.spec.uniqueId;
    if (uid && this.logRec !== null) {
      this.tx.uniqueId = uniqueIdOf(px, this.tx, this.logRec, uid.format);
      if (uid.header !== null) ed.append(`${uid.header}: ${this.tx.uniqueId}`);
    }
    if (this.ffLine !== '' && !(px.ff!.ifNone && h.watchIndex >= 0)) ed.appendLines(this.ffLine);
    if (this.tx.wantsUpgrade) ed.keep(UPGRADE_NAME);
    const h2Upgrade = this.carrier !== null && this.carrier.upgradeTo !== null;
    // an HTTP/2 extended CONNECT: its upgrade fields as the stream put them (HAProxy keeps them there)
    if (h2Upgrade) ed.keep(CONNECTION_NAME);
    else if (this.tx.wantsUpgrade && !h.isConnect) ed.append('Connection: upgrade');
    else if (px.connMode !== 'keep-alive' || this.tx.closeAfter) ed.append('Connection: close');
    else if (this.tx.http10) ed.append('Connection: keep-alive');
    // an HTTP/2 body of unknown length: chunked to the server, the framing header last (as HAProxy)
    if (this.carrier?.chunkedBody && !h.hasContentLength) ed.append('transfer-encoding: chunked');
    // …and the WebSocket key made up for an HTTP/2 WebSocket, last, spelled as HAProxy spells it
    if (h2Upgrade && this.carrier!.wsKey !== null) ed.append(`Sec-Websocket-Key: ${this.carrier!.wsKey}`);
    const out = ed.build(headEnd, buf.length - headEnd, this.tx.reqBody);
    if (out === null) {
      this.sendError(400);
      return;
    }
    const bodyTaken = out.bodyTaken;
    this.tx.bytesIn += bodyTaken;
    const rest = headEnd + bodyTaken < buf.length ? buf.subarray(headEnd + bodyTaken) : null;
    this.inbuf = rest;
    this.state = S_EXCHANGE;
    this.tx.resbuf = null;
    this.tx.resStarted = false;
    this.tx.resHeadDone = false;
    this.tx.replay = this.tx.reqBody.done ? out.buf : null;
    this.acquire(server, out.buf, direct);
  }

  /**
   * `monitor-uri`: the 200 HAProxy answers itself, or with `fail` (a `monitor fail` condition held) the
   * proxy's 503 page; a body that is all here is read and dropped.
   */
  private answerMonitor(buf: Buffer, headEnd: number, fail: boolean): void {
    let rest: Buffer | null = headEnd < buf.length ? buf.subarray(headEnd) : null;
    if (!this.tx.reqBody.done && rest !== null) {
      const n = this.tx.reqBody.consume(rest, 0, rest.length);
      if (n < 0) {
        this.sendError(400);
        return;
      }
      rest = n < rest.length ? rest.subarray(n) : null;
    }
    this.tx.status = fail ? 503 : 200;
    this.tx.logged = true; // monitor requests are not logged
    this.tx.tEnd = Date.now();
    const close = this.tx.closeAfter || this.tx.http10 || !this.tx.reqBody.done;
    const answer = (closing: boolean) =>
      fail
        ? bodyless(errorResponse(503, closing, this.px.errorfiles), this.tx.isHead)
        : monitorResponse(closing, closing, this.tx.isHead);
    if (close) {
      this.state = S_CLOSED;
      this.client.end(answer(true));
      this.cleanup();
      return;
    }
    this.state = S_EXCHANGE;
    this.inbuf = rest;
    this.client.write(answer(false));
    this.tx.keepClient = true;
    this.finishExchange();
  }

  /** The stats page (stats/stats-page.ts) answers; a body that is all here is read and dropped. */
  private answerStats(page: StatsPage, buf: Buffer, headEnd: number): void {
    const h = REQ;
    // `stats http-request allow|deny|auth` and `stats admin if COND` (rules/rule-set.ts StatsRules)
    const sr = (
      page.owner === this.px.frontend.spec.name ? this.px.frontend.spec.rules : this.px.be?.spec.rules
    )?.stats;
    let admin: boolean | null = null;
    if (sr != null && this.rx !== null) {
      const c = this.rx.c;
      if (runRules(sr.httpRequest, c) === DONE) {
        this.answerLocal(buf, headEnd);
        return;
      }
      if (sr.admin.length > 0) admin = sr.admin.some((p) => p(c));
    }
    const auth = h.nHeaders > 0 ? findHeader(h, buf, AUTHORIZATION) : null;
    const target = buf.toString('latin1', h.uriStart, h.uriEnd);
    // counted as HAProxy does: intercepted (and in progress) while the page is made
    this.px.frontend.counters.intercepted++;
    this.state = S_EXCHANGE;
    this.statsAdmin = admin;
    if (h.method === 'POST' && (page.spec.admin !== null || admin !== null)) {
      // the admin form: a Content-Length body that fits a buffer
      const cl = h.contentLength;
      if (h.chunked || cl < 0 || cl > this.px.bufsize) {
        this.sendError(400);
        return;
      }
      if (buf.length - headEnd < cl) {
        this.statsPost = { page, target, auth, buf: buf.subarray(headEnd), need: cl };
        this.inbuf = null;
        return;
      }
      this.finishStatsPost(
        page,
        target,
        auth,
        buf.subarray(headEnd, headEnd + cl),
        buf.subarray(headEnd + cl),
      );
      return;
    }
    const close = this.tx.closeAfter || this.tx.http10 || !this.tx.reqBody.done;
    const a = page.answer(target, auth, this.tx.isHead, close, this.clientAddr, admin);
    let rest: Buffer | null = headEnd < buf.length ? buf.subarray(headEnd) : null;
    if (!this.tx.reqBody.done && rest !== null) {
      const n = this.tx.reqBody.consume(rest, 0, rest.length);
      rest = n >= 0 && n < rest.length ? rest.subarray(n) : null;
    }
    this.sendStats(a, close || !this.tx.reqBody.done, rest);
  }

  /** More of an admin form's body; once it is all here, the action is applied and answered. */
  private onStatsBody(chunk: Buffer): void {
    const p = this.statsPost!;
    p.buf = Buffer.concat([p.buf, chunk]);
    if (p.buf.length < p.need) return;
    this.statsPost = null;
    this.finishStatsPost(p.page, p.target, p.auth, p.buf.subarray(0, p.need), p.buf.subarray(p.need));
  }

  private finishStatsPost(
    page: StatsPage,
    target: string,
    auth: string | null,
    body: Buffer,
    rest: Buffer,
  ): void {
    if (!this.tx.reqBody.done) this.tx.reqBody.consume(body, 0, body.length);
    this.tx.bytesIn += body.length;
    const close = this.tx.closeAfter || this.tx.http10;
    const a = page.post(target, auth, body.toString('latin1'), this.clientAddr, close, this.statsAdmin);
    this.sendStats(a, close, rest.length > 0 ? rest : null);
  }

  private sendStats(a: StatsAnswer, close: boolean, rest: Buffer | null): void {
    this.tx.status = a.status;
    this.tx.bytesOut += a.response.length;
    this.tx.tEnd = Date.now();
    this.countTx();
    if (close) {
      this.state = S_CLOSED;
      this.client.end(a.response);
      this.cleanup();
      return;
    }
    this.state = S_EXCHANGE;
    this.inbuf = rest;
    this.client.write(a.response);
    this.tx.keepClient = true;
    this.finishExchange();
  }

  /**
   * The backend of this request: the frontend's default, or what its rules say (use_backend; the rule
   * engine runs the http-request rules of the frontend and then of the backend). A different backend
   * than the previous request's switches the session to that pair's settings.
   */
  private chooseBackend(buf: Buffer, h: HttpHead, ed: HeadEdits): BackendState | null {
    const fe = this.px.frontend;
    const be = this.rx === null ? fe.defaultBackend : this.rx.request(fe, buf, h, ed, this.tx);
    if (be !== this.px.be) {
      this.px = this.px.frontend.pairFor(be);
      this.ffLine = this.forwardForFor(this.px);
    }
    return be;
  }

  /**
   * `set-src`/`set-dst` (and their ports) replaced the connection's addresses for this request (or the
   * next request is back to them): what forwardfor, `balance source` and the log show follows.
   */
  private addressesSet(): void {
    const c = this.rx!.c;
    c.addrSet = false;
    if (c.src !== this.clientAddr) {
      this.clientAddr = c.src;
      this.pickCtx.clientAddress = c.src;
      this.ffLine = this.forwardForFor(this.px);
    }
    if (this.logRec !== null) initRecord(this.logRec, c.src, c.srcPort, c.dst, c.dstPort);
  }

  private forwardForFor(px: ProxyRuntime): string {
    if (px.ff === null || (px.ffExcept2 !== null && cidrContains(px.ffExcept2, this.clientAddr))) return '';
    return forwardForLine(px.ff, this.clientAddr);
  }

  /**
   * A response the rules made (return, deny, redirect) or a reject: sent after http-after-response;
   * a body that is all here is read and dropped, as for monitor-uri.
   */
  private answerLocal(buf: Buffer, headEnd: number): void {
    const c = this.rx!.c;
    if (c.tarpit) {
      this.holdTarpit(buf, headEnd);
      return;
    }
    if (c.reject) {
      this.tx.terminate('P', 'R');
      this.close();
      return;
    }
    let reply = this.rx!.own(this.px.frontend, this.px.be, c.reply!, this.px.maxHeaders);
    if (this.tx.http10) reply = withConnectionClose(reply);
    this.tx.status = c.status || c.replyStatus;
    // recorded from haproxy 2.6: deny PR whatever its status, return/redirect/auth LR
    this.tx.terminate(c.replyCause, 'R');
    let rest: Buffer | null = headEnd < buf.length ? buf.subarray(headEnd) : null;
    if (!this.tx.reqBody.done && rest !== null) {
      const n = this.tx.reqBody.consume(rest, 0, rest.length);
      if (n < 0) {
        this.sendError(400);
        return;
      }
      rest = n < rest.length ? rest.subarray(n) : null;
    }
    this.tx.tEnd = Date.now();
    // the status classes count it: the frontend's, and the backend's when its rules answered
    this.txBackend = c.byBackend ? this.px.be : null;
    if (this.tx.closeAfter || this.tx.http10 || !this.tx.reqBody.done || c.replyClose) {
      this.countTx();
      this.sendRaw(reply);
      return;
    }
    this.tx.bytesOut += htxRawSize(reply);
    this.state = S_EXCHANGE;
    this.inbuf = rest;
    this.client.write(reply);
    this.tx.keepClient = true;
    this.finishExchange();
  }

  /**
   * `http-request tarpit`: the answer leaves after the proxy's `timeout tarpit`, then as any answer of
   * the rules (the connection stays open for the next request). Recorded from HAProxy 2.6: a client
   * that half-closes or goes away does not shorten the wait; the line says `PT`.
   */
  private holdTarpit(buf: Buffer, headEnd: number): void {
    const c = this.rx!.c;
    c.tarpit = false;
    this.tx.terminate('P', 'T');
    this.state = S_TARPIT;
    // what follows the head (a body, pipelined requests) and what arrives meanwhile waits in inbuf
    this.inbuf = headEnd < buf.length ? buf.subarray(headEnd) : null;
    if (c.tarpitMs === null) return; // no timeout: held until the client's
    this.tarpitTimer = setTimeout(() => {
      this.tarpitTimer = null;
      if (this.state !== S_TARPIT) return;
      const rest = this.inbuf ?? EMPTY;
      this.inbuf = null;
      this.state = S_HEAD;
      this.tx.tConnect = Date.now(); // what the log shows as the wait (http-log.ts)
      this.answerLocal(rest, 0);
    }, c.tarpitMs);
  }

  /**
   * Takes a slot on `server` (null: every server was full) or waits in a queue (backend/queue.ts),
   * then gets a connection (attach).
   */
  private acquire(server: ServerState | null, data: Buffer, direct: boolean): void {
    const d = this.d;
    const be = this.px.be!;
    // (the counters take the request's timestamp: no clock read of their own)
    const r = d.begin(be, server, this.px.retries, direct, this.pickCtx.clientAddress, this.tx.tRequest);
    be.counters.reqTot++;
    if (r === TAKEN) {
      this.attach(data);
      return;
    }
    if (r === QUEUED) {
      // an attached keep-alive connection cannot wait with us: it goes back to the pool
      if (d.conn !== null) this.dropConn(d.conn);
      d.hold(data);
      return;
    }
    this.tx.terminate('S', r === QUEUE_FULL ? 'Q' : 'C');
    this.serverError(503);
  }

  /** A queued request has its slot now (`d.server`). */
  /** Dispatch: the request read again from its held bytes (a redispatch re-hashes it). */
  requestAgain(held: readonly Buffer[]): RequestView | null {
    const buf = held.length === 1 ? held[0] : Buffer.concat(held);
    const end = findHeadEnd(buf, 0);
    if (end < 0) return null;
    if (AGAIN === null || AGAIN.drop.length < this.px.maxHeaders) AGAIN = newHead(this.px.maxHeaders);
    const h = parseHead(AGAIN, buf, end, true, this.px.maxHeaders, null);
    if (h.error !== null) return null;
    return { buf, head: h, bodyEnd: Math.min(buf.length, end + Math.max(h.contentLength, 0)) };
  }

  onDequeued(): void {
    if (this.state === S_EXCHANGE) this.attach(null);
  }

  /** `timeout queue` (503, termination sQ), or no server left for a queued or retried request. */
  onQueueError(timeout: boolean): void {
    if (this.state !== S_EXCHANGE) return;
    // HAProxy (back_handle_st_que) stamps the time spent queued on a queue timeout: Tw, and Tc -1
    if (timeout) this.tx.tConnect = Date.now();
    this.tx.terminate(timeout ? 's' : 'S', timeout ? 'Q' : 'C');
    this.serverError(503);
  }

  /** Gives a connection that does not fit this request back to the pool (or closes it). */
  private dropConn(conn: ServerConn): void {
    this.d.release();
    if (this.px.connMode === 'keep-alive' && this.px.be!.httpReuse !== 'never') releaseToPool(conn);
    else conn.socket.destroy();
    conn.owner = null;
  }

  /** Gets a server connection to `d.server` per `http-reuse`, then sends `data` (and what was held). */
  private attach(data: Buffer | null): void {
    const px = this.px;
    const d = this.d;
    const server = d.server!;
    let conn = d.conn;
    if (conn !== null && (conn.server !== server || !conn.reusable || conn.closed)) {
      // the previous request's connection goes back to the pool for others
      d.release();
      if (px.connMode === 'keep-alive' && px.be!.httpReuse !== 'never') releaseToPool(conn);
      else conn.socket.destroy();
      conn.owner = null;
      conn = null;
    }
    if (conn === null && px.connMode === 'keep-alive') {
      const reuse = px.be!.httpReuse;
      // safe: a session's first request always gets its own connection; never: no sharing at all
      // (the streams of an HTTP/2 connection are its requests: the carrier counts those before)
      const nth = this.carrier === null ? this.requests : this.requests + this.carrier.requestsBefore;
      if (server.spec.proto === 'h2') {
        // HTTP/2: a stream on a connection http-reuse lets this request share (h2-server-mux.ts)
        const m = shareableMux(server, reuse, nth);
        if (m?.connected) {
          conn = new ServerConn(server, px.be!.spec.timeouts, this, reuse, m);
          conn.reused++;
        }
      } else if (reuse === 'always' || (reuse !== 'never' && (nth > 1 || reuse === 'aggressive'))) {
        conn = takeIdle(server, reuse === 'aggressive' && nth === 1 ? 1 : 0);
        if (conn !== null) {
          conn.owner = this;
          conn.reused++;
        }
      }
    } else if (conn !== null) conn.reused++;
    this.tx.tConnect = Date.now();
    server.counters.reqTot++;
    this.txServed = true;
    if (conn !== null) {
      this.tellOrigin(conn);
      this.tx.tConnected = this.tx.tConnect;
      this.noteConnAddress(conn);
      if (data !== null) d.hold(data);
      if (!d.use(conn)) this.client.pause();
      return;
    }
    d.connect(data);
    this.tellOrigin(d.conn!);
  }

  /** An HTTP/2 server gets an HTTP/2 client's scheme and authority as they came (HAProxy 2.6). */
  private tellOrigin(conn: ServerConn): void {
    const lease = h2LeaseOf(conn);
    if (lease !== null) lease.origin = this.carrier?.origin ?? null;
  }

  private forwardRequestBody(chunk: Buffer, start: number): void {
    const n = this.tx.reqBody.consume(chunk, start, chunk.length);
    if (n < 0) {
      this.abortServer();
      this.tx.terminate('P', 'D');
      this.sendError(400);
      return;
    }
    const part = start === 0 && n === chunk.length ? chunk : chunk.subarray(start, start + n);
    this.tx.bytesIn += n;
    this.sendToServer(part);
    if (start + n < chunk.length) {
      const rest = chunk.subarray(start + n);
      this.inbuf = this.inbuf === null ? rest : Buffer.concat([this.inbuf, rest]);
    }
  }

  private sendToServer(part: Buffer): void {
    if (!this.d.send(part, this.px.bufsize)) this.client.pause();
  }

  private onClientDrain(): void {
    const srv = this.d.conn;
    if (this.serverPausedForClient && srv !== null) {
      this.serverPausedForClient = false;
      srv.socket.resume();
    }
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    if (this.state === S_TUNNEL) {
      // as in mode tcp (tcp-session.ts): the side we shut gets its *-fin timeout
      const srv = this.d.conn;
      if (srv !== null) {
        if (this.px.tServerFin) srv.socket.setTimeout(this.px.tServerFin);
        srv.socket.end();
      }
      return;
    }
    if (this.state === S_EXCHANGE && this.tx.reqBody.done) {
      // half-closed after a complete request: answer it, then close
      this.tx.keepClient = false;
      return;
    }
    if (this.state === S_TARPIT) {
      // HAProxy still answers after the whole delay, then closes
      this.tx.closeAfter = true;
      return;
    }
    this.close();
  }

  private onClientTimeout(): void {
    const st = this.state;
    // a tarpit is answered after its own timeout, whatever `timeout client` says (recorded)
    if (st === S_TARPIT && this.tarpitTimer !== null) return;
    if (st === S_HEAD) {
      if (this.inbuf !== null && this.inbuf.length > 0) this.sendError(408);
      else if (this.requests === 0 && this.px.tHttpRequest === 0) this.sendError(408);
      else this.close();
      return;
    }
    if (st === S_EXCHANGE && this.tx.reqBody.done && !this.clientWriteBlocked()) return; // waiting on the server
    this.close();
  }

  private clientWriteBlocked(): boolean {
    return this.client.writableNeedDrain;
  }

  private onClientClose(): void {
    this.close();
  }

  // ---------------------------------------------------------------- server side

  onServerConnect(conn: ServerConn): void {
    if (conn !== this.d.conn) return;
    this.tx.tConnected = Date.now();
    this.noteConnAddress(conn);
    if (!this.d.connected()) this.client.pause();
    else if (this.client.isPaused() && !this.clientPausedForPipeline && this.state === S_EXCHANGE)
      this.client.resume();
  }

  /**
   * The server connection's local address, for the log's %bi/%bp only: reading it is a getsockname(2)
   * per server connection, skipped when nothing logs (as HAProxy, which asks the kernel only when a
   * log line needs it).
   */
  private noteConnAddress(conn: ServerConn): void {
    if (this.logRec === null) return;
    this.tx.connIp = normalizeClientAddress(conn.socket.localAddress);
    this.tx.connPort = conn.socket.localPort ?? 0;
  }

  onServerConnectError(conn: ServerConn, err: Error): void {
    if (conn !== this.d.conn || this.state !== S_EXCHANGE) return;
    if (this.d.retry(null, err, this.px.retryOn)) return;
    this.serverError(503);
  }

  /**
   * `retry-on` beyond conn-failure: the response (or its absence) is dropped and the request, kept
   * whole in `tx.replay`, goes out again. False when it cannot (not kept, retries used up).
   */
  private l7Retry(conn: ServerConn): boolean {
    const replay = this.tx.replay;
    if (replay === null || this.tx.resHeadDone || !this.d.l7Retry(replay)) return false;
    conn.reusable = false;
    this.tx.resbuf = null;
    this.tx.resStarted = false;
    this.tx.tConnect = Date.now();
    return true;
  }

  onServerData(conn: ServerConn, chunk: Buffer): void {
    if (conn !== this.d.conn) return;
    const st = this.state;
    if (st === S_TUNNEL) {
      if (!this.client.write(chunk)) {
        this.serverPausedForClient = true;
        conn.socket.pause();
      }
      return;
    }
    if (st !== S_EXCHANGE) {
      conn.reusable = false;
      conn.socket.destroy();
      return;
    }
    this.tx.resStarted = true;
    if (this.tx.resHeadDone) {
      this.forwardResponseBody(conn, chunk, 0);
      return;
    }
    const buf = this.tx.resbuf === null ? chunk : Buffer.concat([this.tx.resbuf, chunk]);
    this.tx.resbuf = buf;
    this.processResponseHead(conn, buf, 0);
  }

  private processResponseHead(conn: ServerConn, buf: Buffer, from: number): void {
    const px = this.px;
    let start = from;
    for (;;) {
      const view = start === 0 ? buf : buf.subarray(start);
      const end = findHeadEnd(view, 0);
      if (end < 0) {
        if (view.length > px.maxHead) {
          this.badResponse(conn);
          return;
        }
        this.tx.resbuf = start === 0 ? buf : view;
        return;
      }
      if (end > px.maxHead) {
        this.badResponse(conn);
        return;
      }
      const h = parseHead(RES, view, end, false, px.maxHeaders, null);
      if (h.error !== null) {
        this.badResponse(conn);
        return;
      }
      const status = h.status;
      if (status >= 404 && retriesStatus(px.retryOn, status) && this.l7Retry(conn)) return;
      if (status < 200 && status !== 101) {
        // interim response (100 Continue, 103): pass it on, the final one follows
        this.client.write(view.subarray(0, end));
        start += end;
        if (start >= buf.length) {
          this.tx.resbuf = null;
          return;
        }
        continue;
      }
      if (
        (status === 101 && (!this.tx.wantsUpgrade || this.tx.isConnect)) ||
        (status === 101 && this.carrier?.wsKey != null && !acceptMatches(h, view, this.carrier.wsKey))
      ) {
        // (the accept of a key the balancer made up must match it: HAProxy 2.6 answers 502 otherwise)
        // a protocol switch nobody asked for (RFC 9110 §15.2.2): invalid, as HAProxy 2.6 treats it
        this.badResponse(conn);
        return;
      }
      this.tx.resbuf = null;
      const upgrade =
        (status === 101 && this.tx.wantsUpgrade && !this.tx.isConnect) ||
        (this.tx.isConnect && status >= 200 && status < 300);
      // framing of the response body
      if (upgrade) this.tx.resBody.reset(FRAMING_NONE, 0);
      else if (this.tx.isHead || status === 204 || status === 304) this.tx.resBody.reset(FRAMING_NONE, 0);
      else if (h.chunked) this.tx.resBody.reset(FRAMING_CHUNKED, 0);
      else if (h.contentLength >= 0) this.tx.resBody.reset(FRAMING_LENGTH, h.contentLength);
      else this.tx.resBody.reset(FRAMING_CLOSE, 0);

      const closeDelimited = this.tx.resBody.kind === FRAMING_CLOSE;
      this.tx.keepClient =
        !upgrade && !this.tx.closeAfter && !closeDelimited && !this.clientEnded && px.connMode !== 'close';
      if (h.connClose || (h.versionMinor === 0 && !h.connKeepAlive) || closeDelimited) conn.reusable = false;
      if (h.hasTransferEncoding && h.hasContentLength) conn.reusable = false;

      const ed = this.resEdits.reset(h, view);
      if (h.clRewrite) ed.append(`content-length: ${h.contentLength}`);
      if (upgrade) {
        ed.keep(UPGRADE_NAME);
        // (an HTTP/2 server's extended CONNECT answered as a 101: its fields as HAProxy writes them)
        if (status === 101 && h2LeaseOf(conn) !== null) ed.keep(CONNECTION_NAME);
        else if (status === 101) ed.append('Connection: upgrade');
      } else if (!this.tx.keepClient) {
        if (!this.tx.http10) ed.append('connection: close');
      } else if (this.tx.http10) ed.append('connection: keep-alive');
      if (!h.canonicalStart) ed.setStartLine(`HTTP/1.1 ${view.toString('latin1', 9, h.startLineEnd)}`);
      // the server's own status class, whatever the response rules make of it (HAProxy 2.6)
      if (this.d.server !== null) this.d.server.counters.hrsp[statusClass(status)]++;
      if (this.rx !== null && !this.rx.response(px.frontend, px.be, this.d.server, view, h, ed)) {
        // http-response deny: the server's response is dropped, the client gets the rule's answer
        conn.reusable = false;
        this.tx.terminate(this.rx.c.replyCause, 'H');
        // HAProxy counts what it had of the server's response too (recorded: its head's HTX size and the
        // body bytes that came with it, then the rule's answer)
        const rest = view.length - end;
        this.tx.bytesOut +=
          htxHeadSize(h, view) + (h.contentLength >= 0 ? Math.min(rest, h.contentLength) : rest);
        this.abortServer();
        this.tx.status = this.rx.c.replyStatus;
        this.tx.tEnd = Date.now();
        this.countTx();
        this.sendRaw(this.rx.own(px.frontend, px.be, this.rx.c.reply!, px.maxHeaders));
        return;
      }
      // the persistence cookie after the http-response rules, as HAProxy (http_process_res_common)
      const ck = px.be?.cookie;
      if (ck != null && this.d.server !== null)
        ck.onResponse(h, view, ed, this.tx.cookie, this.d.server, this.d.direct, Date.now());
      const out = ed.build(end, view.length - end, this.tx.resBody);
      if (out === null) {
        this.badResponse(conn);
        return;
      }
      this.tx.resHeadDone = true;
      this.tx.status = this.rx === null ? status : this.rx.status();
      conn.server.observe?.(httpStatusEvent(status));
      this.tx.tResponse = Date.now();
      this.tx.bytesOut += htxHeadSize(h, view) + out.bodyTaken;
      if (this.logRec !== null && px.frontend.logger!.spec.logasap) {
        const received = this.tx.bytesOut;
        this.tx.bytesOut = htxSizeOf(out.buf); // what logasap reports: the head as forwarded
        logHttpExchange(px, this.tx, this.d, this.logRec, true);
        this.tx.bytesOut = received;
      }
      if (!this.client.write(out.buf)) {
        this.serverPausedForClient = true;
        conn.socket.pause();
      }
      if (upgrade) {
        this.enterTunnel(conn, view, end);
        return;
      }
      const after = end + out.bodyTaken;
      if (after < view.length) conn.reusable = false; // bytes after a complete response: not trustworthy
      if (this.tx.resBody.done) this.responseDone();
      return;
    }
  }

  private forwardResponseBody(conn: ServerConn, chunk: Buffer, start: number): void {
    const n = this.tx.resBody.consume(chunk, start, chunk.length);
    if (n < 0) {
      // a broken chunked body after the head went out: nothing to do but cut both sides
      this.tx.terminate('P', 'D');
      conn.reusable = false;
      conn.socket.destroy();
      this.close();
      return;
    }
    const part = start === 0 && n === chunk.length ? chunk : chunk.subarray(start, start + n);
    this.tx.bytesOut += n;
    if (!this.client.write(part)) {
      this.serverPausedForClient = true;
      conn.socket.pause();
    }
    if (start + n < chunk.length) conn.reusable = false;
    if (this.tx.resBody.done) this.responseDone();
  }

  private responseDone(): void {
    if (!this.tx.reqBody.done) {
      // the server answered before the request body ended: that connection cannot carry more
      this.tx.keepClient = false;
      if (this.d.conn) this.d.conn.reusable = false;
    }
    this.finishExchange();
  }

  private finishExchange(): void {
    this.tx.tEnd = Date.now();
    this.countTx();
    this.d.end();
    const conn = this.d.conn;
    const px = this.px;
    this.tx.replay = null;
    if (this.logRec !== null) logHttpExchange(px, this.tx, this.d, this.logRec);
    // an HTTP/2 stream carries one exchange: it ends with it, even while its client still sends (an
    // extended CONNECT refused), and its server connection goes back to the pool
    if (this.carrier !== null) this.tx.keepClient = false;
    if (conn !== null) {
      if (this.serverPausedForClient) {
        this.serverPausedForClient = false;
        conn.socket.resume();
      }
      if (px.connMode !== 'keep-alive' || !conn.reusable) {
        this.d.abort();
      } else if (!this.tx.keepClient) {
        this.d.release();
        if (px.be!.httpReuse === 'never') {
          conn.owner = null;
          conn.socket.destroy();
        } else releaseToPool(conn);
      }
      // else: keep it attached for this client's next request (private until the session ends)
    }
    if (!this.tx.keepClient) {
      this.state = S_CLOSED;
      this.client.end();
      this.cleanup();
      return;
    }
    this.state = S_HEAD;
    this.tx.reset(this.tx.tEnd);
    // waiting for the next request: http-keep-alive, or http-request when unset; expiry closes silently
    const idle = px.tKeepAlive || px.tHttpRequest;
    if (idle) this.armDeadline(Date.now() + idle, 1);
    if (this.stopping) {
      this.state = S_CLOSED;
      this.client.end();
      this.cleanup();
      return;
    }
    if (this.clientPausedForPipeline) {
      this.clientPausedForPipeline = false;
      this.client.resume();
    } else if (this.client.isPaused()) this.client.resume();
    if (this.inbuf !== null) this.processHead();
  }

  onServerEnd(conn: ServerConn): void {
    if (conn !== this.d.conn) return;
    if (this.state === S_TUNNEL) {
      if (this.px.tClientFin) this.client.setTimeout(this.px.tClientFin);
      this.client.end();
      return;
    }
    this.serverGone(conn);
  }

  onServerClose(conn: ServerConn): void {
    if (conn !== this.d.conn) return;
    if (this.state === S_TUNNEL) {
      this.d.release();
      this.close();
      return;
    }
    this.serverGone(conn);
  }

  private serverGone(conn: ServerConn): void {
    this.d.release();
    conn.owner = null;
    conn.socket.destroy();
    if (this.state !== S_EXCHANGE) return; // an attached idle connection went away: fine
    if (this.tx.resHeadDone) {
      if (this.tx.resBody.kind === FRAMING_CLOSE) {
        this.tx.resBody.done = true;
        this.tx.keepClient = false;
        this.finishExchange();
      } else {
        this.tx.terminate('S', 'D');
        if (this.txServed) {
          this.txBackend!.counters.srvAbrt++;
          this.d.server!.counters.srvAbrt++;
        }
        this.close(); // truncated body: the client must see the cut
      }
      return;
    }
    // a reused keep-alive connection closed under us before answering: replay on a fresh one (and
    // retry-on empty-response does it for any connection)
    if (
      !this.tx.resStarted &&
      (conn.reused > 0 || (this.px.retryOn & RE_DISCONNECTED) !== 0) &&
      this.l7Retry(conn)
    )
      return;
    this.serverError(502);
  }

  onServerDrain(conn: ServerConn): void {
    if (conn !== this.d.conn) return;
    if (!this.clientPausedForPipeline && this.client.isPaused()) this.client.resume();
  }

  onServerTimeout(conn: ServerConn): void {
    if (conn !== this.d.conn) return;
    if (this.state === S_TUNNEL) {
      this.close();
      return;
    }
    if (this.state === S_EXCHANGE && !this.tx.resHeadDone) {
      conn.reusable = false;
      conn.server.observe?.('http-read-timeout');
      if ((this.px.retryOn & RE_TIMEOUT) !== 0 && this.l7Retry(conn)) return;
      this.serverError(504);
      return;
    }
    if (this.state === S_EXCHANGE) {
      this.tx.terminate('s', 'D');
      this.close();
      return;
    }
    // attached but idle between requests
    this.d.abort();
  }

  private badResponse(conn: ServerConn): void {
    conn.reusable = false;
    conn.server.observe?.('http-rsp');
    if ((this.px.retryOn & RE_JUNK_REQUEST) !== 0 && this.l7Retry(conn)) return;
    this.tx.terminate('P', 'H');
    this.serverError(502);
  }

  private enterTunnel(conn: ServerConn, buf: Buffer, headEnd: number): void {
    this.state = S_TUNNEL;
    const t = this.px.tTunnel;
    if (t) {
      this.client.setTimeout(t);
      conn.socket.setTimeout(t);
    }
    conn.reusable = false;
    if (headEnd < buf.length) this.client.write(buf.subarray(headEnd));
    if (this.inbuf !== null) {
      conn.socket.write(this.inbuf);
      this.inbuf = null;
    }
    if (this.clientEnded) conn.socket.end();
    if (this.client.isPaused()) this.client.resume();
  }

  // ---------------------------------------------------------------- errors, timers, teardown

  private sendError(code: number): void {
    if (this.state === S_CLOSED) return;
    if (code === 408) this.tx.terminate('c', 'R');
    else if (code < 500) this.tx.terminate('P', 'R');
    this.tx.status = code;
    this.tx.tEnd = Date.now();
    if (code < 500) this.countBadRequest();
    this.countTx();
    this.abortServer();
    this.sendRaw(this.ownResponse(errorResponse(code, this.tx.http10, this.px.errorfiles)));
  }

  /** A response of the balancer's own after http-after-response (when rules exist). */
  private ownResponse(reply: Buffer): Buffer {
    return this.rx === null ? reply : this.rx.own(this.px.frontend, this.px.be, reply, this.px.maxHeaders);
  }

  /** Sends a complete response and closes the client connection. */
  private sendRaw(reply: Buffer): void {
    this.state = S_CLOSED;
    const c = this.client;
    if (!c.destroyed && c.writable) {
      this.tx.bytesOut += htxRawSize(reply);
      c.end(reply);
    }
    if (this.logRec !== null) logHttpExchange(this.px, this.tx, this.d, this.logRec);
    this.cleanup();
    // do not wait forever for a client that never reads its error
    setTimeout(() => c.destroy(), 1000).unref();
  }

  /**
   * 502/503/504 produced here. HAProxy 2.6 keeps the client connection afterwards when the request was
   * read completely (measured: a pipelined request after a 502 is served); otherwise it closes.
   */
  private serverError(code: number): void {
    if (code !== 503 && this.txServed) {
      // an invalid, cut or late response (`eresp`); connection failures are the dispatch's `econ`
      this.txBackend!.counters.eresp++;
      this.d.server!.counters.eresp++;
    }
    this.abortServer();
    // (a more precise cause may have been recorded first: terminate() keeps the first)
    if (code === 503) this.tx.terminate('S', 'C');
    else if (code === 504) this.tx.terminate('s', 'H');
    else this.tx.terminate('S', 'H');
    this.tx.status = code;
    if (
      this.state !== S_EXCHANGE ||
      !this.tx.reqBody.done ||
      this.tx.closeAfter ||
      this.clientEnded ||
      this.tx.http10 ||
      this.px.connMode === 'close' ||
      this.px.errorfiles.has(code)
    ) {
      this.sendError(code);
      return;
    }
    const res = this.ownResponse(errorResponse(code, false));
    this.tx.bytesOut += htxRawSize(res);
    this.client.write(res);
    this.tx.resHeadDone = true;
    this.tx.resBody.reset(FRAMING_NONE, 0);
    this.tx.keepClient = true;
    this.finishExchange();
  }

  private abortServer(): void {
    this.d.abort();
  }

  /**
   * The head deadline (http-request, or keep-alive idle) without a timer operation per request: the
   * timer only moves when the new deadline is earlier than the armed one; when it fires early it re-arms.
   */
  private armDeadline(at: number, kind: number): void {
    this.deadline = at;
    this.deadlineKind = kind;
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onDeadline(), Math.max(0, at - Date.now()));
  }

  private onDeadline(): void {
    this.timer = null;
    if (this.state !== S_HEAD || this.deadlineKind === 0) return;
    const now = Date.now();
    if (now < this.deadline) {
      this.armDeadline(this.deadline, this.deadlineKind);
      return;
    }
    if (this.deadlineKind === 1 && (this.inbuf === null || this.inbuf.length === 0)) this.close();
    else this.sendError(408);
  }

  private cleanup(): void {
    this.d.end();
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.deadlineKind = 0;
    if (this.tarpitTimer !== null) {
      clearTimeout(this.tarpitTimer);
      this.tarpitTimer = null;
    }
    this.inbuf = null;
    this.statsPost = null;
    this.tx.resbuf = null;
    if (this.carrier !== null) this.carrier.ended();
    else if (this.px.sessions.delete(this)) {
      this.px.frontend.counters.close();
      this.gate.release();
    }
  }

  /** A request that failed before reaching a backend: `ereq`, and `req_tot` when no head was read. */
  private countBadRequest(): void {
    const fc = this.px.frontend.counters;
    if (this.txCounted) {
      fc.request(this.tx.tEnd);
      this.txCounted = false;
    }
    fc.ereq++;
  }

  private countAbort(): void {
    this.px.frontend.counters.cliAbrt++;
    const be = this.txBackend;
    if (be !== null) be.counters.cliAbrt++;
    if (this.txServed && this.d.server !== null) this.d.server.counters.cliAbrt++;
  }

  /** The exchange in the counters, once (counters/exchange.ts). */
  private countTx(): void {
    if (this.txCounted) return;
    this.txCounted = true;
    const be = this.txBackend;
    const srv = this.txServed ? this.d.server : null;
    this.txBackend = null;
    this.txServed = false;
    countExchange(this.px.frontend.counters, be?.counters ?? null, srv?.counters ?? null, this.tx);
  }

  /** Closes the client connection now; an attached idle server connection returns to the pool. */
  close(): void {
    if (this.state !== S_CLOSED) {
      const wasIdle = this.state === S_HEAD;
      // an exchange cut here without a recorded cause was cut by the client
      if (this.state === S_EXCHANGE) this.tx.terminate('C', this.tx.resHeadDone ? 'D' : 'H');
      // a client gone during a tarpit: logged as tarpitted with the answer it did not wait for
      if (this.state === S_TARPIT) {
        this.tx.status = this.rx!.c.replyStatus;
        this.tx.tConnect = Date.now();
      }
      this.tx.tEnd = Date.now();
      if (this.state === S_EXCHANGE || this.state === S_TARPIT) {
        if (this.tx.cause === 'C') this.countAbort();
        this.countTx();
      } else if (wasIdle && this.requests === 0) {
        // HAProxy 2.6 counts a connection closed before its first request as a bad request (400)
        this.tx.status = 400;
        this.countBadRequest();
        this.countTx();
      }
      // an exchange in flight, or a connection that closed before its (first) request head
      if (
        this.logRec !== null &&
        (!wasIdle || this.requests === 0 || (this.inbuf !== null && this.inbuf.length > 0))
      )
        logHttpExchange(this.px, this.tx, this.d, this.logRec);
      const conn = this.d.release();
      this.state = S_CLOSED;
      if (conn !== null) {
        if (wasIdle && this.px.connMode === 'keep-alive' && this.px.be!.httpReuse !== 'never')
          releaseToPool(conn);
        else {
          conn.owner = null;
          conn.socket.destroy();
        }
      }
    }
    this.client.destroy();
    this.cleanup();
  }

  /** Graceful stop: idle sessions close now, busy ones after their current response. */
  shutdown(): void {
    this.stopping = true;
    if (this.state === S_HEAD && (this.inbuf === null || this.inbuf.length === 0)) {
      const conn = this.d.release();
      if (conn) {
        conn.owner = null;
        conn.socket.destroy();
      }
      this.state = S_CLOSED;
      this.client.end();
      this.cleanup();
    }
  }

  idle(): boolean {
    return this.state === S_HEAD;
  }

  usesServer(server: unknown): boolean {
    return this.d.conn !== null && this.d.conn.server === server;
  }

  summary(): StreamSummary | null {
    if (this.state !== S_EXCHANGE && this.state !== S_TUNNEL) return null;
    const be = this.txBackend;
    return {
      id: this.id,
      family: this.clientAddr.includes(':') ? 6 : 4,
      src: this.clientAddr,
      srcPort: this.client.remotePort ?? 0,
      frontend: this.px.fe.name,
      backend: be !== null ? be.spec.name : '<NONE>',
      server: this.d.server?.spec.name ?? '<none>',
      since: this.tx.tStart,
      detail: {
        mode: 'http',
        listenerAddr: `${this.client.localAddress ?? ''}:${this.client.localPort ?? 0}`,
        backendAddr:
          this.d.conn === null
            ? null
            : `${this.d.conn.socket.localAddress ?? ''}:${this.d.conn.socket.localPort ?? 0}`,
        serverAddr:
          this.d.conn === null
            ? null
            : `${this.d.conn.socket.remoteAddress ?? ''}:${this.d.conn.socket.remotePort ?? 0}`,
        serverId: this.d.server?.spec.id ?? null,
        method: this.method,
        status: this.tx.resHeadDone ? this.tx.status : -1,
        requestDone: this.tx.reqBody.done,
        responseStarted: this.tx.resStarted,
        reqTotal: this.tx.bytesIn,
        resTotal: this.tx.bytesOut,
      },
    };
  }

  kill(): void {
    // HAProxy kills the stream (SF_ERR_KILLED): a client still waiting for its response gets a 502
    if (this.state === S_EXCHANGE && !this.tx.resStarted) {
      this.tx.terminate('K', this.tx.tConnected >= 0 ? 'H' : 'C');
      this.serverError(502);
      return;
    }
    this.tx.terminate('K', 'D');
    this.close();
  }
}
