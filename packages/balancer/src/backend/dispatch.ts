/**
 * The dispatch step both session kinds share: pick → (queue, planned) → connect → retry/redispatch.
 * A session (mode tcp or http) owns one Dispatch per exchange: it hands it the bytes to send, and the
 * Dispatch buffers them while the connection is being made, makes the attempts `retries` allows, and
 * tells the session when there is a connection to talk to or nothing left to try.
 *
 * The decisions are pure functions of their inputs (`nextAttempt`), so retry and redispatch policies
 * are tested without sockets; the class is the thin I/O shell around them.
 */
import type { BackendState } from './backend.ts';
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
 * turn-around delay HAProxy waits before a retry on the same server is not applied: retries are
 * immediate.)
 */
export function nextAttempt(s: AttemptState): NextAttempt {
  if (s.attempts > s.retries) return GIVE_UP;
  const after = s.redispatch;
  if (after === null || after === undefined) return SAME;
  const done = s.attempts;
  const period = after < 0 ? s.retries + 1 + after : after;
  if (s.serverDown || (after !== 0 && period > 0 && done % period === 0) || (!s.direct && s.spread))
    return REDISPATCH;
  return SAME;
}

/** Algorithms of HAProxy's round-robin kind (BE_LB_KIND_RR), for which any other server will do. */
const RR_KIND = new Set(['roundrobin', 'static-rr', 'random']);

/** Active servers that can take traffic (HAProxy's srv_act). */
function activeServers(be: BackendState): number {
  let n = 0;
  for (const s of be.servers) if (s.up && !s.spec.backup && s.weight > 0) n++;
  return n;
}

export class Dispatch {
  /** the connection being made or in use */
  conn: ServerConn | null = null;
  server: ServerState | null = null;
  attempts = 0;
  connecting = false;
  /** bytes waiting for the connection, and their total size */
  private queued: Buffer[] | null = null;
  queuedBytes = 0;
  private readonly owner: ServerConnOwner;
  private backend: BackendState | null = null;
  private retries = 0;
  /** the server was chosen by persistence; a redispatch clears it */
  direct = false;
  private clientAddress = '';

  constructor(owner: ServerConnOwner) {
    this.owner = owner;
  }

  /** the server this exchange counts against (its `served`), until end() */
  private assigned: ServerState | null = null;
  private assignedIn: BackendState | null = null;
  /** the backend whose `scur` counts this exchange, until end() */
  private counted: BackendState | null = null;

  /**
   * A new exchange with `server` of `backend`: forget the previous one's attempts, count it on the
   * server. `direct`: the server comes from persistence; `clientAddress` is what a redispatch balances on.
   */
  begin(
    backend: BackendState,
    server: ServerState,
    retries: number,
    direct = false,
    clientAddress = '',
    now = Date.now(),
  ): void {
    this.assign(backend, server, now);
    // the exchange in the counters: the backend's sessions; balanced (not persistent) ones in lbtot
    if (this.counted !== backend) {
      this.counted?.counters.close();
      backend.counters.open(now);
      this.counted = backend;
    }
    if (!direct) {
      backend.counters.lbtot++;
      server.counters.lbtot++;
    }
    this.backend = backend;
    this.server = server;
    this.retries = retries;
    this.attempts = 0;
    this.direct = direct;
    this.clientAddress = clientAddress;
  }

  /** Counts the exchange on `server` (and no longer on the one it was counted on). */
  private assign(backend: BackendState, server: ServerState, now: number): void {
    if (this.assigned === server) return;
    this.unassign();
    server.served++;
    server.counters.open(now);
    server.counters.lastSess = now;
    backend.counters.lastSess = now;
    backend.lb.loadChanged?.(server);
    this.assigned = server;
    this.assignedIn = backend;
  }

  /** The exchange is over (response done, or the session closed): the server has one less to serve. */
  end(): void {
    this.unassign();
    if (this.counted !== null) {
      this.counted.counters.close();
      this.counted = null;
    }
  }

  private unassign(): void {
    const s = this.assigned;
    if (s === null) return;
    this.assigned = null;
    s.served--;
    s.counters.close();
    this.assignedIn!.lb.loadChanged?.(s);
    this.assignedIn = null;
  }

  /** Opens a fresh connection to the current server; `data` (if any) goes out once connected. */
  connect(data: Buffer | null): void {
    this.queued = data === null ? [] : [data];
    this.queuedBytes = data === null ? 0 : data.length;
    this.connecting = true;
    this.attempts++;
    this.server!.counters.connect++;
    this.backend!.counters.connect++;
    this.conn = new ServerConn(this.server!, this.backend!.spec.timeouts, this.owner);
  }

  /** Uses a connection that is already established (a pooled or attached keep-alive one). */
  use(conn: ServerConn): void {
    this.server!.counters.reuse++;
    this.backend!.counters.reuse++;
    this.conn = conn;
    this.connecting = false;
    this.queued = null;
    this.queuedBytes = 0;
  }

  /** Sends now, or queues while connecting. False when the sender should pause (backpressure). */
  send(part: Buffer, queueLimit: number): boolean {
    if (part.length === 0) return true;
    if (this.connecting) {
      this.queued!.push(part);
      this.queuedBytes += part.length;
      return this.queuedBytes <= queueLimit;
    }
    const conn = this.conn;
    return conn === null || conn.socket.write(part);
  }

  /** The connection is up: flush what waited. False when the socket asks the sender to pause. */
  connected(): boolean {
    this.connecting = false;
    const q = this.queued;
    this.queued = null;
    this.queuedBytes = 0;
    if (q === null || q.length === 0) return true;
    const sock = this.conn!.socket;
    if (q.length === 1) return sock.write(q[0]);
    let ok = true;
    sock.cork();
    for (const b of q) ok = sock.write(b);
    sock.uncork();
    return ok;
  }

  /**
   * The attempt failed: starts the next one when the policy allows, re-sending `replay` (or what was
   * queued). Returns false when there is nothing left to try.
   */
  retry(replay: Buffer | null = null): boolean {
    const failed = this.conn;
    if (failed !== null) failed.owner = null;
    this.conn = null;
    const be = this.backend;
    const server = this.server;
    if (be === null || server === null) {
      this.connecting = false;
      return false;
    }
    const next = nextAttempt({
      attempts: this.attempts,
      retries: this.retries,
      redispatch: be.spec.redispatch,
      serverDown: !server.up,
      direct: this.direct,
      spread: RR_KIND.has(be.spec.balance?.algorithm ?? 'roundrobin') && activeServers(be) > 1,
    });
    if (next.kind === 'give-up') {
      if (this.connecting) {
        server.counters.econ++;
        be.counters.econ++;
      }
      this.connecting = false;
      return false;
    }
    if (next.kind === 'redispatch') {
      server.counters.wredis++;
      be.counters.wredis++;
      // (hashing algorithms see no request here: they redispatch round-robin)
      const other = be.lb.pick({ clientAddress: this.clientAddress, exclude: server, request: null });
      if (other === null) {
        this.connecting = false;
        return false;
      }
      this.server = other;
      this.assign(be, other, Date.now());
      this.direct = false;
      be.counters.lbtot++;
      other.counters.lbtot++;
    } else {
      server.counters.wretr++;
      be.counters.wretr++;
    }
    const pending = replay !== null ? [replay] : (this.queued ?? []);
    this.connect(null);
    this.queued = pending;
    for (const b of pending) this.queuedBytes += b.length;
    return true;
  }

  /** Lets go of the connection without closing it (it goes to a pool or another owner). */
  release(): ServerConn | null {
    const conn = this.conn;
    this.conn = null;
    this.queued = null;
    this.queuedBytes = 0;
    this.connecting = false;
    return conn;
  }

  /** Closes the connection (the exchange is cut) and drops what was queued. */
  abort(): void {
    const conn = this.release();
    if (conn !== null) {
      conn.owner = null;
      conn.reusable = false;
      conn.socket.destroy();
    }
  }
}
