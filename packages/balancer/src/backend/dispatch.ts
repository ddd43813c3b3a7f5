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
}

export type NextAttempt = { readonly kind: 'same-server' } | { readonly kind: 'give-up' };

const SAME: NextAttempt = Object.freeze({ kind: 'same-server' });
const GIVE_UP: NextAttempt = Object.freeze({ kind: 'give-up' });

/**
 * HAProxy's `retries`: 1 + N attempts on the same server. (Redispatch to another server and the
 * turn-around delay between attempts are the backends issue's; they extend this function.)
 */
export function nextAttempt(s: AttemptState): NextAttempt {
  return s.attempts <= s.retries ? SAME : GIVE_UP;
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

  constructor(owner: ServerConnOwner) {
    this.owner = owner;
  }

  /** the server this exchange counts against (its `served`), until end() */
  private assigned: ServerState | null = null;
  private assignedIn: BackendState | null = null;

  /** A new exchange with `server` of `backend`: forget the previous one's attempts, count it on the server. */
  begin(backend: BackendState, server: ServerState, retries: number): void {
    if (this.assigned !== server) {
      this.end();
      server.served++;
      backend.lb.loadChanged?.(server);
      this.assigned = server;
      this.assignedIn = backend;
    }
    this.backend = backend;
    this.server = server;
    this.retries = retries;
    this.attempts = 0;
  }

  /** The exchange is over (response done, or the session closed): the server has one less to serve. */
  end(): void {
    const s = this.assigned;
    if (s === null) return;
    this.assigned = null;
    s.served--;
    this.assignedIn!.lb.loadChanged?.(s);
    this.assignedIn = null;
  }

  /** Opens a fresh connection to the current server; `data` (if any) goes out once connected. */
  connect(data: Buffer | null): void {
    this.queued = data === null ? [] : [data];
    this.queuedBytes = data === null ? 0 : data.length;
    this.connecting = true;
    this.attempts++;
    this.conn = new ServerConn(this.server!, this.backend!.spec.timeouts, this.owner);
  }

  /** Uses a connection that is already established (a pooled or attached keep-alive one). */
  use(conn: ServerConn): void {
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
    const next = nextAttempt({ attempts: this.attempts, retries: this.retries });
    if (next.kind === 'give-up' || this.server === null) {
      this.connecting = false;
      return false;
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
