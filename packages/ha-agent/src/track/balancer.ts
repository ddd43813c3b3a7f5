import { createConnection, type Socket } from 'node:net';
import {
  DEFAULT_HEALTH_SOCKET,
  type ListenerHealth,
  parseWatchLine,
  REPLACED_GRACE_MS,
  WATCH_PATH,
} from '@ha-lb/shared-config/health-api';
import { HaError } from '../errors.ts';
import { RiseFall } from './rise-fall.ts';
import { BaseTracker, type BaseTrackerOptions } from './tracker.ts';
import { WatchResponseDecoder } from './watch-response-decoder.ts';

/**
 * `vrrp_track_balancer NAME { socket PATH; weight W; rise N; fall N; heartbeat_timeout S }`.
 *
 * Holds `GET /health/watch` open on the balancer's Unix socket (contract C). Failure rules, and why:
 * - The connection closing (EOF, ECONNRESET) or not opening (ECONNREFUSED, ENOENT), a `stopping` event,
 *   or a snapshot/change whose status is not `ready` fail the tracker AT ONCE, whatever `fall` says:
 *   these are authoritative statements (the kernel closes the stream only when the balancer process is
 *   gone or closed it), not missed samples, so waiting for more of them would only add outage time to
 *   the sub-second failover path and could not avoid a false positive.
 * - Silence (no line at all — heartbeat, change or anything else) for `heartbeat_timeout` seconds is ONE
 *   failure; `fall` consecutive silent windows fail the tracker (a hung balancer). Any later line ends
 *   the silence.
 * - Successes: a `ready` snapshot or change counts one, and every heartbeat while the last known status
 *   is `ready` counts one more; `rise` successes in a row bring the tracker up (from the start too).
 * After a close the tracker reconnects with a bounded backoff (100 ms doubling to 1 s by default), so a
 * restarted balancer is seen within about a second.
 *
 * `restart_grace S` (default 0: off) softens one of those rules: when the stream closes without the
 * balancer having said `stopping` (it crashed or was killed) and the tracker was up, it STAYS up for at
 * most S seconds, reconnecting every 50 ms, because under systemd (`Restart=on-failure`, the listening
 * sockets held by balancer.socket) a restarted balancer takes the queued connections over and moving
 * the VIP would only add an outage. It goes down when the grace ends before `rise` successes of the new
 * balancer, or at once on anything authoritative from it (a status other than `ready`, `stopping`).
 * A balancer that stops on purpose (`stopping`) gets no grace.
 *
 * A `replaced` event (a new balancer process took over with `-sf`/`-st` and already serves the
 * listeners) is not a failure either: the tracker stays up and reconnects every 50 ms for up to
 * REPLACED_GRACE_MS (or restart_grace if longer) until the new process's `ready` snapshot, whatever
 * restart_grace says, and goes down only if it does not come.
 */
export interface BalancerTrackerOptions extends BaseTrackerOptions {
  /** Unix socket of the balancer's health API */
  socket?: string;
  rise?: number;
  fall?: number;
  /** seconds without any line before a failure is counted (default 1) */
  heartbeatTimeout?: number;
  /** s to stay up after a crash while a restarted balancer comes back (0 = off) */
  restartGrace?: number;
  /** reconnect backoff in ms */
  backoff?: { initialMs: number; maxMs: number };
}

/** How often a tracker in its restart grace tries the health socket again. */
const GRACE_RECONNECT_MS = 50;

const REQUEST = `GET ${WATCH_PATH} HTTP/1.1\r\nHost: localhost\r\nAccept: application/x-ndjson\r\nUser-Agent: ha-agent\r\n\r\n`;

export class BalancerTracker extends BaseTracker {
  readonly kind = 'balancer' as const;
  readonly socketPath: string;
  readonly heartbeatTimeoutMs: number;
  readonly restartGraceMs: number;
  /** Date.now() when the restart grace ends, while one runs */
  graceUntil: number | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  readonly #riseFall: RiseFall;
  readonly #backoff: { initialMs: number; maxMs: number };
  #delay: number;
  #sock: Socket | null = null;
  #closed: Promise<void> | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #lastStatus: string | null = null;
  /** the pid a `replaced` event named */
  #successor: number | null = null;
  /** what the running grace waits for: a successor (`pid N`) or, when null, a restart */
  #graceFor: string | null = null;
  #badLines = 0;
  /**
   * the listeners of the last `ready` snapshot or change — kept after the balancer is gone: they are
   * the ports the handover bridge forwards
   */
  frontendListeners: readonly ListenerHealth[] = [];
  /** connections opened so far (for status/diagnostics) */
  connects = 0;

  constructor(opts: BalancerTrackerOptions) {
    super(opts, 'not connected yet');
    this.socketPath = opts.socket ?? DEFAULT_HEALTH_SOCKET;
    this.heartbeatTimeoutMs = Math.round((opts.heartbeatTimeout ?? 1) * 1000);
    if (!(this.heartbeatTimeoutMs > 0))
      throw new HaError('HA_ERR_TRACK', `heartbeat_timeout must be > 0 s, got ${opts.heartbeatTimeout}`);
    this.restartGraceMs = Math.round((opts.restartGrace ?? 0) * 1000);
    if (!(this.restartGraceMs >= 0))
      throw new HaError('HA_ERR_TRACK', `restart_grace must be >= 0 s, got ${opts.restartGrace}`);
    // 'failed': after a start or a reconnect, `rise` successes are needed before going up.
    this.#riseFall = new RiseFall(opts.rise ?? 1, opts.fall ?? 1, 'failed');
    this.#backoff = opts.backoff ?? { initialMs: 100, maxMs: 1000 };
    this.#delay = this.#backoff.initialMs;
  }

  start(): void {
    if (this.stopped || this.#sock || this.#reconnectTimer) return;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#clearHeartbeat();
    this.#endGrace();
    const closed = this.#closed;
    this.#sock?.destroy();
    this.#sock = null;
    await closed;
  }

  #connect(): void {
    this.connects++;
    this.#lastStatus = null;
    const sock = createConnection({ path: this.socketPath });
    this.#sock = sock;
    let lastError: NodeJS.ErrnoException | null = null;
    const decoder = new WatchResponseDecoder({
      head: (head) => {
        if (head.status !== 200) {
          this.#fail(`health API answered ${head.status}`);
          sock.destroy();
        }
      },
      line: (line) => this.#onLine(line),
      end: () => sock.destroy(),
    });
    this.#closed = new Promise<void>((resolve) => {
      sock.on('close', () => {
        resolve();
        if (this.#sock === sock) this.#onClosed(lastError);
      });
    });
    sock.on('connect', () => {
      sock.write(REQUEST);
    });
    sock.on('data', (data: Buffer) => {
      try {
        decoder.push(data);
      } catch (err) {
        this.#fail(`health API protocol error: ${(err as Error).message}`);
        sock.destroy();
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err;
    });
    sock.on('end', () => sock.destroy());
    // Silence is measured from the connect attempt: a balancer that accepts but never answers is hung.
    this.#armHeartbeat();
  }

  #onClosed(err: NodeJS.ErrnoException | null): void {
    this.#sock = null;
    this.#clearHeartbeat();
    if (this.stopped) return;
    const why = closedReason(this.socketPath, err);
    const wasUp = this.state.up;
    const crashed = this.#lastStatus !== 'stopping' && this.#lastStatus !== 'replaced';
    const replaced = this.#lastStatus === 'replaced' ? this.#successor : null;
    this.#riseFall.forceDown();
    if (this.graceUntil === null && wasUp && replaced !== null)
      this.#beginGrace(why, Math.max(REPLACED_GRACE_MS, this.restartGraceMs), `pid ${replaced}`);
    else if (this.graceUntil === null && wasUp && crashed && this.restartGraceMs > 0)
      this.#beginGrace(why, this.restartGraceMs, null);
    if (this.graceUntil !== null) {
      this.setUp(
        true,
        this.#graceFor === null
          ? `${why}; restart_grace: holding for a restarted balancer until ${this.#graceLeft()}`
          : `${why}; replaced by ${this.#graceFor} (-sf): holding for it until ${this.#graceLeft()}`,
      );
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null;
        if (!this.stopped) this.#connect();
      }, GRACE_RECONNECT_MS);
      return;
    }
    this.setUp(false, why);
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#backoff.maxMs);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.stopped) this.#connect();
    }, delay);
  }

  #onLine(text: string): void {
    if (this.stopped) return;
    this.#heartbeatTimer?.refresh();
    let ev: ReturnType<typeof parseWatchLine>;
    try {
      ev = parseWatchLine(text);
    } catch (err) {
      // A line we do not understand still proves the balancer is alive; it counts as no success.
      if (this.#badLines++ % 100 === 0) {
        this.log.warn({ err: (err as Error).message }, 'unparsable health watch line');
      }
      return;
    }
    switch (ev.type) {
      case 'snapshot':
      case 'change':
        this.#lastStatus = ev.health.status;
        if (ev.type === 'snapshot') this.#checkHeartbeatInterval(ev.health.heartbeatIntervalMs);
        if (ev.health.status === 'ready') {
          this.frontendListeners = ev.health.listeners;
          if (ev.type === 'snapshot') this.#delay = this.#backoff.initialMs;
          this.#success(`balancer ready (pid ${ev.health.pid})`);
        } else this.#fail(`balancer status ${ev.health.status}`);
        return;
      case 'heartbeat':
        if (this.#lastStatus === 'ready') this.#success('balancer ready, heartbeats flowing');
        return;
      case 'stopping':
        this.#lastStatus = 'stopping';
        this.#fail('balancer stopping');
        return;
      case 'replaced':
        // the stream closes next; #onClosed holds the balancer up for the new process
        this.#lastStatus = 'replaced';
        this.#successor = ev.pid;
        return;
    }
  }

  #warnedInterval = false;

  /** A heartbeat_timeout shorter than two heartbeats would fail a healthy balancer on ordinary jitter. */
  #checkHeartbeatInterval(intervalMs: number): void {
    if (this.#warnedInterval || this.heartbeatTimeoutMs >= 2 * intervalMs) return;
    this.#warnedInterval = true;
    this.log.warn(
      { heartbeatTimeoutMs: this.heartbeatTimeoutMs, heartbeatIntervalMs: intervalMs },
      `heartbeat_timeout is shorter than two balancer heartbeats; set heartbeat_timeout ${(2 * intervalMs) / 1000} or more`,
    );
  }

  #success(reason: string): void {
    this.#riseFall.success();
    if (this.#riseFall.ok) {
      if (this.graceUntil !== null)
        reason =
          this.#graceFor === null
            ? `${reason} (restarted within restart_grace)`
            : `${reason} (took over from the replaced process)`;
      this.#endGrace();
      this.setUp(true, reason);
      return;
    }
    const more = `${reason}; ${this.#riseFall.counter}/${this.#riseFall.rise} successes to rise`;
    this.setUp(this.graceUntil !== null, this.graceUntil !== null ? `${more}, within restart_grace` : more);
  }

  #fail(reason: string): void {
    this.#endGrace();
    this.#riseFall.forceDown();
    this.setUp(false, reason);
  }

  /** `successor`: the process that announced it takes over (null: a crash, restart_grace) */
  #beginGrace(why: string, ms: number, successor: string | null): void {
    this.graceUntil = Date.now() + ms;
    this.#graceFor = successor;
    this.#graceTimer = setTimeout(() => {
      this.#graceTimer = null;
      this.graceUntil = null;
      this.#graceFor = null;
      if (this.stopped || this.#riseFall.ok) return;
      this.setUp(
        false,
        successor === null
          ? `the balancer did not come back within restart_grace ${this.restartGraceMs / 1000}s (${why})`
          : `the new balancer (${successor}) did not serve the health socket within ${ms / 1000}s (${why})`,
      );
      // back to the ordinary reconnect pace
      if (this.#sock === null && this.#reconnectTimer !== null) {
        clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = setTimeout(() => {
          this.#reconnectTimer = null;
          if (!this.stopped) this.#connect();
        }, this.#delay);
      }
    }, ms);
  }

  #endGrace(): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
    this.graceUntil = null;
    this.#graceFor = null;
  }

  #graceLeft(): string {
    return `${Math.max(0, (this.graceUntil ?? 0) - Date.now())} ms from now`;
  }

  #armHeartbeat(): void {
    this.#clearHeartbeat();
    this.#heartbeatTimer = setTimeout(() => this.#onSilence(), this.heartbeatTimeoutMs);
  }

  #onSilence(): void {
    if (this.stopped || !this.#sock) return;
    this.#riseFall.failure();
    if (!this.#riseFall.ok) this.#endGrace();
    const reason = `no line from the balancer for ${this.heartbeatTimeoutMs / 1000}s`;
    this.setUp(this.#riseFall.ok, this.#riseFall.ok ? `${reason} (within fall)` : reason);
    this.#heartbeatTimer?.refresh();
  }

  #clearHeartbeat(): void {
    if (this.#heartbeatTimer) clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }
}

/** Why the watch stream is gone, in words an operator can act on (not `closed (ENOENT)`). */
export function closedReason(socket: string, err: NodeJS.ErrnoException | null): string {
  switch (err?.code) {
    case 'ENOENT':
      return `health socket ${socket} does not exist (is the balancer running, with haproxy.cfg's global health-socket at this path?)`;
    case 'ECONNREFUSED':
      return `nothing listens on health socket ${socket} (the balancer is not running)`;
    case 'EACCES':
    case 'EPERM':
      return `health socket ${socket}: permission denied (set health-socket … mode so the agent's user may connect)`;
    case 'ENOTSOCK':
      return `${socket} is not a Unix socket (check vrrp_track_balancer … socket)`;
    default:
      return `health socket ${socket} closed (${err ? (err.code ?? err.message) : 'EOF'})`;
  }
}
