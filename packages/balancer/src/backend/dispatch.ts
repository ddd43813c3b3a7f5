/**
 * The dispatch step both session kinds share: pick → queue → connect → retry/redispatch.
 * A session (mode tcp or http) owns one Dispatch per exchange: it hands it the bytes to send, and the
 * Dispatch buffers them while the connection is being made, makes the attempts `retries` allows, and
 * tells the session when there is a connection to talk to or nothing left to try.
 *
 * The decisions are pure functions of their inputs (`nextAttempt`), so retry and redispatch policies
 * are tested without sockets; the class is the thin I/O shell around them.
 */
import type { PickContext, RequestView } from './algorithms/algorithm.ts';
import type { BackendState } from './backend.ts';
import {
  ADMIT_OK,
  ADMIT_QUEUE,
  admission,
  anyUsable,
  mustQueue,
  type Pending,
  type PendQueue,
  slotFreed,
} from './queue.ts';
import { RE_CONN_FAILED } from './retry-on.ts';
import type { ServerState } from './server.ts';
import { ServerConn, type ServerConnOwner } from './server-conn.ts';

/** What the retry policy sees after a failed connection attempt. */
export interface AttemptState {
  /** connection attempts made so far for this exchange (the failed one included) */
  attempts: number;
  /** `retries N`: N more attempts after the first */
  retries: number;
  /** `option redispatch [N]`: null/absent = off; N > 0 every Nth retry, N < 0 the -Nth before the last */
  redispatch?: number | null;
  /** the server that failed is not UP any more */
  serverDown?: boolean;
  /** it was chosen by persistence (a cookie), not by the balancing algorithm */
  direct?: boolean;
  /** more than one active server and a round-robin kind of algorithm: any other is as good */
  spread?: boolean;
  /** a force-persist rule held: never redispatched (HAProxy's SF_FORCE_PRST) */
  forcePersist?: boolean;
}

export type NextAttempt =
  | { readonly kind: 'same-server' }
  | { readonly kind: 'redispatch' }
  | { readonly kind: 'give-up' };

const SAME: NextAttempt = Object.freeze({ kind: 'same-server' });
const REDISPATCH: NextAttempt = Object.freeze({ kind: 'redispatch' });
const GIVE_UP: NextAttempt = Object.freeze({ kind: 'give-up' });

/**
 * HAProxy 2.6's `retries` and `option redispatch` (stream.c, after a failed connection): 1 + N
 * attempts in all. With redispatch, a retry goes back to the balancing algorithm (dropping the
 * persistence) when the server is no longer UP, when the interval says so (default: the last retry),
 * or at once when the request was not persistent and round-robin has another active server. (The
 * turn-around wait before a retry on the same server is Dispatch.retry's.)
 */
export function nextAttempt(s: AttemptState): NextAttempt {
  if (s.attempts > s.retries) return GIVE_UP;
  const after = s.redispatch;
  if (after === null || after === undefined || s.forcePersist) return SAME;
  const done = s.attempts;
  const period = after < 0 ? s.retries + 1 + after : after;
  if (s.serverDown || (after !== 0 && period > 0 && done % period === 0) || (!s.direct && s.spread))
    return REDISPATCH;
  return SAME;
}

/** Algorithms of HAProxy's round-robin kind (BE_LB_KIND_RR), for which any other server will do. */
const RR_KIND = new Set(['roundrobin', 'static-rr', 'random']);
/** the algorithms that hash something of the request (balance source hashes the client's address) */
const REQUEST_HASH = new Set(['uri', 'url_param', 'hdr']);

/** Active servers that can take traffic (HAProxy's srv_act). */
function activeServers(be: BackendState): number {
  let n = 0;
  for (const s of be.servers) if (s.up && !s.spec.backup && s.weight > 0) n++;
  return n;
}

/**
 * The balancing algorithm's choice for a request without a server (null: every server is full, or
 * none is usable; Dispatch.begin tells which), behind the requests already waiting in the backend queue.
 */
export function balance(be: BackendState, ctx: PickContext): ServerState | null {
  return mustQueue(be.load) ? null : be.lb.pick(ctx);
}

/** HAProxy's turn-around: before a retry on the same server, min(`timeout connect`, 1 s). */
export function turnAroundMs(connectTimeout: number | null): number {
  return connectTimeout && connectTimeout < 1000 ? connectTimeout : 1000;
}

/** Dispatch.begin's answers */
export const TAKEN = 0;
export const QUEUED = 1;
/** no usable server (503, termination SC) */
export const NO_SERVER = 2;
/** the server's queue is at its maxqueue (503, termination SQ) */
export const QUEUE_FULL = 3;

/** What the owner of a dispatch hears besides its connection's events. */
export interface DispatchOwner extends ServerConnOwner {
  /** a queued exchange got its slot (`Dispatch.server`): connect now */
  onDequeued(): void;
  /** `timeout queue` struck (timeout = true), or no server can take the exchange any more */
  onQueueError(timeout: boolean): void;
  /**
   * mode http: the request again, read from the bytes held for it (its head as forwarded), for a
   * redispatch under an algorithm that hashes the request (uri, url_param, hdr); null when it cannot be
   * read. Absent (mode tcp): no request.
   */
  requestAgain?(held: readonly Buffer[]): RequestView | null;
}

/** Where the retries and redispatches of an exchange are counted (the HTTP Transaction is one). */
export interface RetryCounts {
  retries: number;
  redispatches: number;
}

export class Dispatch implements Pending {
  /** the connection being made or in use */
  conn: ServerConn | null = null;
  server: ServerState | null = null;
  attempts = 0;
  /** a force-persist rule held for this exchange: its retries never redispatch (set before begin) */
  forcePersist = false;
  /** an attempt is in progress, or the exchange waits (queue, turn-around): bytes are held */
  connecting = false;
  /** bytes waiting for the connection, and their total size */
  private held: Buffer[] = [];
  queuedBytes = 0;
  /** bytes at the start of `held` already written on the connection before it was up (writeHeldEarly) */
  private earlySent = 0;
  private readonly owner: DispatchOwner;
  private backend: BackendState | null = null;
  private retries = 0;
  /** the server was chosen by persistence; a redispatch clears it */
  direct = false;
  /** a retry went to another server (HAProxy's SF_REDISP, `+` before %rc in logs) */
  redispatched = false;
  private clientAddress = '';
  private readonly counts: RetryCounts;
  /** the exchange counts in its backend's load (beconn) until end() */
  private inBackend = false;
  // ---- queue.ts Pending: this dispatch is its own queue node
  qprev: Pending | null = null;
  qnext: Pending | null = null;
  qin: PendQueue | null = null;
  qsince = 0;
  // ---- turn-around between attempts
  private turnTimer: NodeJS.Timeout | null = null;
  private turnRedispatch = false;
  private readonly turnFn = () => this.afterTurnAround();

  constructor(owner: DispatchOwner, counts: RetryCounts | null = null) {
    this.owner = owner;
    this.counts = counts ?? { retries: 0, redispatches: 0 };
  }

  /** the server this exchange counts against (its `served`), until end() */
  private assigned: ServerState | null = null;
  /** the backend whose `scur` counts this exchange (stats counters), until end(); when it began */
  private counted: BackendState | null = null;
  private tBegin = 0;

  /**
   * A new exchange for `server` of `backend` (null: the algorithm found every server full, or none
   * usable): forget the previous one's attempts, then take a slot on the server or wait in a queue.
   * `direct`: the server comes from persistence; `clientAddress` is what a redispatch balances on.
   * TAKEN: connect now; QUEUED: wait for onDequeued / onQueueError; NO_SERVER, QUEUE_FULL: answer 503.
   */
  begin(
    backend: BackendState,
    server: ServerState | null,
    retries: number,
    direct = false,
    clientAddress = '',
    now = Date.now(),
  ): number {
    if (this.inBackend) this.end();
    // the exchange in the counters: the backend's sessions; balanced (not persistent) ones in lbtot
    backend.counters.open(now);
    this.counted = backend;
    this.tBegin = now;
    if (!direct && server !== null) {
      backend.counters.lbtot++;
      server.counters.lbtot++;
    }
    this.backend = backend;
    this.server = server;
    this.retries = retries;
    this.attempts = 0;
    this.redispatched = false;
    this.direct = direct;
    this.clientAddress = clientAddress;
    this.counts.retries = 0;
    this.counts.redispatches = 0;
    if (this.held.length !== 0) this.held.length = 0;
    this.queuedBytes = 0;
    backend.load.beconn++;
    this.inBackend = true;
    return this.take(server);
  }

  /** assign_server_and_queue(): a slot on `server` now, or a place in its queue or the backend's. */
  private take(server: ServerState | null): number {
    const be = this.backend!;
    let srv = server;
    for (;;) {
      if (srv === null) {
        if (!anyUsable(be.load)) return NO_SERVER;
        this.server = null;
        this.connecting = true;
        be.load.queue.push(this, Date.now());
        return QUEUED;
      }
      const a = srv.maxconn === 0 ? ADMIT_OK : admission(srv);
      if (a === ADMIT_OK) {
        this.server = srv;
        this.assign(srv);
        return TAKEN;
      }
      if (a === ADMIT_QUEUE) {
        this.server = srv;
        this.connecting = true;
        srv.queue.push(this, Date.now());
        return QUEUED;
      }
      // the server's queue is full: a persistent request may go elsewhere with option redispatch
      if (!this.direct || be.spec.redispatch == null) return QUEUE_FULL;
      this.direct = false;
      srv = balance(be, this.againContext(null));
    }
  }

  /** Counts the exchange on `server` (and no longer on the one it was counted on). */
  private assign(server: ServerState, now = this.tBegin): void {
    if (this.assigned === server) return;
    this.releaseSlot(false);
    server.served++;
    server.counters.open(now);
    server.counters.lastSess = now;
    this.backend!.counters.lastSess = now;
    this.backend!.lb.loadChanged?.(server);
    this.assigned = server;
  }

  /** Gives the server slot back (the exchange goes elsewhere or is over); its queue moves on. */
  private releaseSlot(ended = true): void {
    const s = this.assigned;
    if (s === null) return;
    this.assigned = null;
    s.served--;
    s.counters.close();
    this.backend!.lb.loadChanged?.(s);
    slotFreed(s, ended);
  }

  /** The exchange is over (response done, or the session closed): the server has one less to serve. */
  end(): void {
    if (this.qin !== null) this.qin.unlink(this, Date.now());
    if (this.turnTimer !== null) {
      clearTimeout(this.turnTimer);
      this.turnTimer = null;
    }
    this.releaseSlot();
    if (this.inBackend) {
      this.inBackend = false;
      this.backend!.load.beconn--;
    }
    if (this.counted !== null) {
      this.counted.counters.close();
      this.counted = null;
    }
  }

  // ---- queue.ts callbacks

  dequeued(server: ServerState): void {
    this.server = server;
    this.assign(server, Date.now());
    this.owner.onDequeued();
  }

  queueTimeout(): void {
    this.connecting = false;
    this.owner.onQueueError(true);
  }

  redistribute(): void {
    const be = this.backend!;
    this.direct = false;
    const other = balance(be, this.againContext(null));
    const r = this.take(other);
    if (r === TAKEN) this.owner.onDequeued();
    else if (r !== QUEUED) {
      this.connecting = false;
      this.owner.onQueueError(false);
    }
  }

  /**
   * What the algorithm sees when the exchange is balanced again (a redispatch, a redistribution, a full
   * persistent server): the client's address, the server to avoid, and for the algorithms that hash the
   * request, the request read again from what is held — as HAProxy's assign_server hashes it again
   * (consistent hashing then skips the server it left; a map-based lookup finds it again).
   */
  private againContext(exclude: ServerState | null): PickContext {
    const algorithm = this.backend!.spec.balance?.algorithm;
    const request =
      algorithm !== undefined && REQUEST_HASH.has(algorithm) && this.held.length > 0
        ? (this.owner.requestAgain?.(this.held) ?? null)
        : null;
    return { clientAddress: this.clientAddress, exclude, request };
  }

  /** Holds `data` until a connection exists (the exchange is queued). */
  hold(data: Buffer | null): void {
    this.connecting = true;
    if (data !== null && data.length > 0) {
      this.held.push(data);
      this.queuedBytes += data.length;
    }
  }

  /** Opens a fresh connection to the current server; `data` (if any) goes out once connected, before what is held. */
  connect(data: Buffer | null): void {
    if (data !== null && data.length > 0) {
      this.held.unshift(data);
      this.queuedBytes += data.length;
    }
    this.connecting = true;
    this.attempts++;
    this.server!.counters.connect++;
    this.backend!.counters.connect++;
    const spec = this.backend!.spec;
    this.conn = new ServerConn(this.server!, spec.timeouts, this.owner, this.backend!.httpReuse);
    this.earlySent = 0;
    // after net's own nextTick, which makes the connect(2) call
    process.nextTick(Dispatch.writeHeldEarly, this, this.conn);
  }

  /** What is held goes out at once when the connection is already up in the kernel (ServerConn.writeEarly). */
  private static writeHeldEarly(d: Dispatch, conn: ServerConn): void {
    if (conn !== d.conn || !d.connecting || d.held.length === 0) return;
    d.earlySent = conn.writeEarly(d.held);
  }

  /** Uses a connection that is already established (a pooled or attached keep-alive one), flushing what is held. */
  use(conn: ServerConn): boolean {
    this.server!.counters.reuse++;
    this.backend!.counters.reuse++;
    this.conn = conn;
    this.attempts++;
    this.earlySent = 0;
    return this.connected();
  }

  /** Sends now, or holds while connecting or waiting. False when the sender should pause (backpressure). */
  send(part: Buffer, queueLimit: number): boolean {
    if (part.length === 0) return true;
    if (this.connecting) {
      this.held.push(part);
      this.queuedBytes += part.length;
      return this.queuedBytes <= queueLimit;
    }
    const conn = this.conn;
    return conn === null || conn.socket.write(part);
  }

  /** The connection is up: flush what waited. False when the socket asks the sender to pause. */
  connected(): boolean {
    this.connecting = false;
    const q = this.held;
    this.queuedBytes = 0;
    if (this.earlySent > 0) dropSent(q, this.earlySent);
    this.earlySent = 0;
    const n = q.length;
    if (n === 0) return true;
    const sock = this.conn!.socket;
    let ok = true;
    if (n === 1) ok = sock.write(q[0]);
    else {
      sock.cork();
      for (let i = 0; i < n; i++) ok = sock.write(q[i]);
      sock.uncork();
    }
    q.length = 0;
    return ok;
  }

  /**
   * The attempt failed: starts the next one when the policy allows, re-sending `replay` (or what was
   * held). `err` is the connection's error: an asynchronous one (refused, reset…, not a timeout) makes
   * a retry on the same server wait HAProxy's turn-around first. `retryOn` (retry-on.ts) without
   * conn-failure makes a failed connection final. Returns false when there is nothing left to try.
   */
  retry(replay: Buffer | null = null, err: Error | null = null, retryOn = RE_CONN_FAILED): boolean {
    const failed = this.conn;
    if (failed !== null) {
      failed.owner = null;
      failed.reusable = false;
      failed.socket.destroy();
    }
    this.conn = null;
    const be = this.backend;
    const server = this.server;
    if (be === null || server === null || (retryOn & RE_CONN_FAILED) === 0) {
      this.connecting = false;
      return false;
    }
    const asyncError = err !== null && (err as NodeJS.ErrnoException).code !== undefined;
    return this.again(replay, asyncError);
  }

  /**
   * A layer-7 retry (retry-on: a status, empty or junk response, response timeout): the response is
   * dropped and `replay` goes out again, on the same server or, per option redispatch, another one;
   * never after a turn-around (do_l7_retry). False when the retries are used up.
   */
  l7Retry(replay: Buffer): boolean {
    if (!this.canRetry()) return false;
    const failed = this.conn;
    if (failed !== null) {
      failed.owner = null;
      failed.reusable = false;
      failed.socket.destroy();
    }
    this.conn = null;
    if (this.backend === null || this.server === null) return false;
    return this.again(replay, false);
  }

  /** Attempts are left (a layer-7 retry checks before it drops the response it has). */
  canRetry(): boolean {
    return this.backend !== null && this.server !== null && this.attempts <= this.retries;
  }

  private again(replay: Buffer | null, asyncError: boolean): boolean {
    const be = this.backend!;
    const server = this.server!;
    const active = activeServers(be);
    const next = nextAttempt({
      attempts: this.attempts,
      retries: this.retries,
      redispatch: be.spec.redispatch,
      serverDown: !server.up,
      direct: this.direct,
      spread: RR_KIND.has(be.spec.balance?.algorithm ?? 'roundrobin') && active > 1,
      forcePersist: this.forcePersist,
    });
    if (next.kind === 'give-up') {
      if (this.connecting) {
        server.counters.econ++;
        be.counters.econ++;
      }
      this.connecting = false;
      return false;
    }
    if (replay !== null) {
      this.held.length = 0;
      this.held.push(replay);
      this.queuedBytes = replay.length;
    }
    this.connecting = true;
    const redispatch = next.kind === 'redispatch';
    if (redispatch) {
      // the slot goes back at once (sess_change_server(s, NULL)); the next server is picked after the wait
      this.releaseSlot(false);
      this.direct = false;
    }
    if (asyncError && (!redispatch || active <= 1)) {
      this.turnRedispatch = redispatch;
      this.turnTimer = setTimeout(this.turnFn, turnAroundMs(be.spec.timeouts.connect));
      return true;
    }
    return this.attemptAgain(redispatch);
  }

  private afterTurnAround(): void {
    this.turnTimer = null;
    if (!this.attemptAgain(this.turnRedispatch)) this.owner.onQueueError(false);
  }

  /** The next attempt: on the same server (a retry) or on the one the balancer picks (a redispatch). */
  private attemptAgain(redispatch: boolean): boolean {
    const be = this.backend!;
    const prev = this.server!;
    if (!redispatch) {
      prev.retries++;
      be.load.retries++;
      this.counts.retries++;
      this.connect(null);
      return true;
    }
    const other = balance(be, this.againContext(prev));
    if (other !== null) {
      be.counters.lbtot++;
      other.counters.lbtot++;
    }
    if (other !== prev && other !== null) {
      // (HAProxy logs `+` only when another server was tried: recorded, one server stays `3`)
      this.redispatched = true;
      prev.redispatches++;
      be.load.redispatches++;
      this.counts.redispatches++;
    } else if (other === prev) {
      prev.retries++;
      be.load.retries++;
      this.counts.retries++;
    }
    const r = this.take(other);
    if (r === TAKEN) {
      this.connect(null);
      return true;
    }
    if (r === QUEUED) return true;
    this.connecting = false;
    return false;
  }

  /** Lets go of the connection without closing it (it goes to a pool or another owner). */
  release(): ServerConn | null {
    const conn = this.conn;
    this.conn = null;
    if (this.held.length !== 0) this.held.length = 0;
    this.queuedBytes = 0;
    this.connecting = false;
    return conn;
  }

  /** Closes the connection (the exchange is cut) and drops what was held. */
  abort(): void {
    if (this.qin !== null) this.qin.unlink(this, Date.now());
    if (this.turnTimer !== null) {
      clearTimeout(this.turnTimer);
      this.turnTimer = null;
    }
    const conn = this.release();
    if (conn !== null) {
      conn.owner = null;
      conn.reusable = false;
      conn.socket.destroy();
    }
  }
}

/** Drops the first `sent` bytes of `q` (written early): whole buffers, and the rest of a partial one stays. */
function dropSent(q: Buffer[], sent: number): void {
  let i = 0;
  while (i < q.length && sent >= q[i].length) sent -= q[i++].length;
  if (i > 0) q.splice(0, i);
  if (sent > 0 && q.length > 0) q[0] = q[0].subarray(sent);
}
