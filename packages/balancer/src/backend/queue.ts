/**
 * Server limits and queues, as HAProxy 2.6's queue.c: a server with `maxconn` serves at most its
 * dynamic limit of exchanges at once (requests in mode http, connections in mode tcp); the others
 * wait, in arrival order, either in the server's own queue (the request already has its server: a
 * persistence cookie, a hash) or in the backend's queue (no server had room). A server that frees a
 * slot takes the oldest of its queue's head and the backend queue's head (pendconn_process_next_strm).
 *
 * The policy is pure functions (`dynamicMaxconn`, `serverFull`, `admission`, `nextFrom`); the shell is
 * an intrusive list per queue (no allocation per queued request: the dispatch step is the list node)
 * with one lazily re-armed timer per queue for `timeout queue`. Dequeuing runs in a microtask after
 * the slot was freed, so the exchange that freed it has returned its connection to the pool first.
 */
import type { ServerState } from './server.ts';
import { warmupMaxconn } from './slowstart.ts';

/** A queued exchange (the dispatch step implements it: it is its own list node). */
export interface Pending {
  qprev: Pending | null;
  qnext: Pending | null;
  /** the queue it waits in, null when not queued */
  qin: PendQueue | null;
  /** when it was queued (ms): the deadline, and the order between a server queue and the backend queue */
  qsince: number;
  /** it has a slot on `server` now (already counted in `served`) */
  dequeued(server: ServerState): void;
  /** `timeout queue` struck */
  queueTimeout(): void;
  /** its server went DOWN with `option redispatch`: it goes back to the balancing algorithm */
  redistribute(): void;
}

/** One queue (a server's or a backend's), with the counters the stats page shows. */
export class PendQueue {
  head: Pending | null = null;
  tail: Pending | null = null;
  /** requests waiting now (HAProxy's qcur) */
  length = 0;
  /** the most that ever waited at once (qmax) */
  max = 0;
  /** requests that went through this queue (dequeued, timed out or left) */
  total = 0;
  /** the last one's time in the queue, ms, and the sum over `total` (qtime = sumTime / total) */
  lastTime = 0;
  sumTime = 0;
  /** `timeout queue` in ms, 0 = wait forever */
  timeout = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly onTimerFn = () => this.onTimer();

  push(p: Pending, now: number): void {
    p.qin = this;
    p.qsince = now;
    p.qnext = null;
    p.qprev = this.tail;
    if (this.tail === null) this.head = p;
    else this.tail.qnext = p;
    this.tail = p;
    if (++this.length > this.max) this.max = this.length;
    if (this.timeout > 0 && this.timer === null) this.arm(now + this.timeout);
  }

  /** Takes `p` out (dequeued, timed out, or its session went away). */
  unlink(p: Pending, now: number): void {
    if (p.qin !== this) return;
    if (p.qprev === null) this.head = p.qnext;
    else p.qprev.qnext = p.qnext;
    if (p.qnext === null) this.tail = p.qprev;
    else p.qnext.qprev = p.qprev;
    p.qprev = p.qnext = null;
    p.qin = null;
    this.length--;
    this.total++;
    this.lastTime = now - p.qsince;
    this.sumTime += this.lastTime;
  }

  /** The average time spent in this queue, ms (stats' qtime). */
  get avgTime(): number {
    return this.total === 0 ? 0 : Math.round(this.sumTime / this.total);
  }

  private arm(at: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimerFn, Math.max(0, at - Date.now()));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = null;
    const now = Date.now();
    // FIFO with one timeout: the head is always the first to expire
    for (let p = this.head; p !== null && p.qsince + this.timeout <= now; p = this.head) {
      this.unlink(p, now);
      p.queueTimeout();
    }
    if (this.head !== null) this.arm(this.head.qsince + this.timeout);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * What a backend shares with its servers for limits and queueing: its queue, its load (HAProxy's
 * beconn: exchanges in the backend, queued ones included), `fullconn`, and the options a DOWN server's
 * queue obeys. Each ServerState of the backend points at the same object (`ServerState.load`).
 */
export class BackendLoad {
  readonly queue = new PendQueue();
  /** exchanges in progress in this backend, queued ones included (beconn) */
  beconn = 0;
  /**
   * exchanges that ended since the queues were last served: HAProxy serves the queue while the
   * ending exchange still counts in beconn, so the dynamic limit used for dequeuing counts them in
   */
  ending = 0;
  /** `fullconn` (or its default, 10% of the frontends' maxconn, at least 1) */
  fullconn = 1;
  /** connection retries on the same server / redispatches to another (stats' wretr / wredis) */
  retries = 0;
  redispatches = 0;
  /** `option redispatch` is on and `option persist` off: a DOWN server's queue is redispatched */
  redistributeOnDown = false;
  /** `option allbackups` */
  allBackups = false;
  /** first, roundrobin, static-rr: requests waiting in the backend queue mean every server is full */
  queueFirst = false;
  servers: readonly ServerState[] = [];
}

/** A server's limits as configured, after HAProxy's corrections (cfgparse: minconn defaults to maxconn). */
export interface ServerLimits {
  /** 0 = no limit */
  maxconn: number;
  minconn: number;
  /** 0 = no limit */
  maxqueue: number;
}

/** HAProxy's check_config_validity: `minconn` alone (or above maxconn) becomes the maxconn; no minconn = maxconn. */
export function serverLimits(
  maxconn: number | null,
  minconn: number | null,
  maxqueue: number | null,
): ServerLimits {
  let max = maxconn ?? 0;
  let min = minconn ?? 0;
  if (min > max) max = min;
  else if (max > 0 && min === 0) min = max;
  return { maxconn: max, minconn: min, maxqueue: maxqueue ?? 0 };
}

/**
 * srv_dynamic_maxconn(): between minconn and maxconn in proportion to the backend's load over fullconn,
 * throttled while a slowstart runs (slowstart.ts).
 */
export function dynamicMaxconn(s: ServerState, beconn = s.load.beconn): number {
  const max = s.maxconn;
  const load = s.load;
  const m =
    beconn >= load.fullconn || s.minconn === max
      ? max
      : Math.max(s.minconn, Math.trunc((beconn * max) / load.fullconn));
  return s.warmSince === 0 ? m : warmupMaxconn(m, s.warmElapsed, s.slowstartS);
}

/** HAProxy's srv_full test in the algorithms: limited, and someone already waits or no slot is free. */
export function serverFull(s: ServerState): boolean {
  return s.maxconn !== 0 && (s.queue.length !== 0 || s.served >= dynamicMaxconn(s));
}

export const ADMIT_OK = 0;
export const ADMIT_QUEUE = 1;
/** the server's queue is at `maxqueue` */
export const ADMIT_FULL = 2;

/** assign_server_and_queue() for a request that has its server: take a slot, wait in its queue, or FULL. */
export function admission(s: ServerState): number {
  if (!serverFull(s)) return ADMIT_OK;
  if (s.maxqueue > 0 && s.queue.length >= s.maxqueue) return ADMIT_FULL;
  return ADMIT_QUEUE;
}

/**
 * assign_server() skips the algorithm when requests wait in the backend queue and the algorithm is
 * first, roundrobin or static-rr (every server is full then): the new request queues behind them, so
 * the backend queue is served in arrival order. (`beconn + 1`: HAProxy counts the new request in.)
 */
export function mustQueue(load: BackendLoad): boolean {
  const q = load.queue.length;
  return q !== 0 && load.queueFirst && q !== load.beconn + 1;
}

/** Usable by the algorithm (HAProxy's lbprm.tot_weight > 0): some UP server with a weight. */
export function anyUsable(load: BackendLoad): boolean {
  for (const s of load.servers) if (s.up && s.weight > 0) return true;
  return false;
}

/**
 * May `s` serve the backend queue? Only when usable, and a backup only when no active server is
 * (and it is the first usable backup, unless `option allbackups`): pendconn_process_next_strm.
 */
export function servesBackendQueue(s: ServerState, load: BackendLoad): boolean {
  if (!s.up || s.weight === 0) return false;
  if (!s.spec.backup) return true;
  let firstBackup: ServerState | null = null;
  for (const o of load.servers) {
    if (!o.up || o.weight === 0) continue;
    if (!o.spec.backup) return false;
    firstBackup ??= o;
  }
  return load.allBackups || firstBackup === s;
}

/**
 * Which waiting exchange a server with a free slot takes: the server queue's head or the backend
 * queue's head, the older one (same millisecond: the server queue's), or null.
 */
export function nextFrom(s: ServerState): Pending | null {
  const p = s.queue.head;
  const pp = s.load.queue.head !== null && servesBackendQueue(s, s.load) ? s.load.queue.head : null;
  if (p === null) return pp;
  if (pp === null) return p;
  return p.qsince <= pp.qsince ? p : pp;
}

// ---- the shell: dequeuing after a slot was freed, in a microtask

const toProcess: ServerState[] = [];
let scheduled = false;

/**
 * A slot of `s` may have freed (an exchange ended or went elsewhere; `ended`: false when the server
 * came UP): serve its queues soon.
 */
export function slotFreed(s: ServerState, ended = true): void {
  if (s.queue.length === 0 && s.load.queue.length === 0) return;
  if (ended) s.load.ending++;
  if (s.qscheduled) return;
  s.qscheduled = true;
  toProcess.push(s);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(runQueues);
  }
}

function runQueues(): void {
  scheduled = false;
  for (let i = 0; i < toProcess.length; i++) {
    const s = toProcess[i];
    s.qscheduled = false;
    processServerQueue(s);
  }
  for (let i = 0; i < toProcess.length; i++) toProcess[i].load.ending = 0;
  toProcess.length = 0;
}

/** process_srv_queue(): while `s` has room, hand slots to the oldest waiting exchanges; returns how many. */
export function processServerQueue(s: ServerState): number {
  const now = Date.now();
  let n = 0;
  const beconn = s.load.beconn + s.load.ending;
  while (s.served < (s.maxconn === 0 ? Number.MAX_SAFE_INTEGER : dynamicMaxconn(s, beconn))) {
    const p = nextFrom(s);
    if (p === null) return n;
    p.qin!.unlink(p, now);
    // (dequeued() takes the slot: served grows before the loop looks again)
    p.dequeued(s);
    n++;
  }
  return n;
}

/**
 * A server went DOWN: with `option redispatch` (and not `option persist`) the requests waiting for it
 * go back to the balancing algorithm (pendconn_redistribute); otherwise they keep waiting. Returns how
 * many were redistributed (the health line's "requeued").
 */
export function serverDown(s: ServerState): number {
  if (!s.load.redistributeOnDown) return 0;
  let n = 0;
  const now = Date.now();
  for (let p = s.queue.head; p !== null; p = s.queue.head) {
    s.queue.unlink(p, now);
    p.redistribute();
    n++;
  }
  return n;
}
