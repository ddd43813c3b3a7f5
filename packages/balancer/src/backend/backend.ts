import { BackendCounters } from '../counters/counters.ts';
import type { BackendSpec, HttpReuse } from '../engine/engine-config.ts';
import { algorithmFor, dispatchTo, type LbAlgorithm } from './algorithms/index.ts';
import { CookiePersistence } from './persistence/cookie-persistence.ts';
import { BackendLoad, processServerQueue, serverDown } from './queue.ts';
import { ADMIN_DRAIN, ADMIN_MAINT, newServerState, type ServerState } from './server.ts';
import type { StateEvents } from './state-events.ts';

/** Runtime state of a backend: its servers and its load-balancing algorithm (which owns its state). */
export interface BackendState {
  spec: BackendSpec;
  servers: ServerState[];
  lb: LbAlgorithm;
  httpReuse: HttpReuse;
  /** cookie persistence (`cookie` line), null when none */
  cookie: CookiePersistence | null;
  /** its queue (requests no server had room for), load and counters, shared with its servers (queue.ts) */
  load: BackendLoad;
  /** the stats counters (counters/counters.ts) */
  readonly counters: BackendCounters;
}

export function newBackendState(spec: BackendSpec): BackendState {
  const servers = spec.servers.map(newServerState);
  const load = new BackendLoad();
  load.servers = servers;
  load.fullconn = spec.fullconn || 1;
  load.allBackups = spec.allBackups === true;
  load.queueFirst =
    spec.dispatch == null || spec.balance !== null
      ? ['first', 'roundrobin', 'static-rr'].includes(spec.balance?.algorithm ?? 'roundrobin')
      : false;
  load.redistributeOnDown = spec.redispatch != null && spec.persist !== true;
  // HAProxy: without `timeout queue`, requests wait up to `timeout connect`
  const qt = spec.timeouts.queue ?? spec.timeouts.connect ?? 0;
  load.queue.timeout = qt;
  for (const s of servers) {
    s.load = load;
    s.queue.timeout = qt;
  }
  // HAProxy 2.6: `dispatch` serves a backend without `balance` (from-haproxy.ts leaves balance null then)
  const lb =
    spec.dispatch != null && spec.balance === null
      ? dispatchTo(spec.dispatch)
      : algorithmFor(spec.balance ?? { algorithm: 'roundrobin' })(servers, {
          balance: spec.balance ?? { algorithm: 'roundrobin' },
          hashType: spec.hashType ?? DEFAULT_HASH_TYPE,
          allBackups: spec.allBackups === true,
        });
  const cookie = spec.cookie ? new CookiePersistence(spec.cookie, servers, spec.persist === true) : null;
  return { spec, servers, lb, httpReuse: spec.httpReuse, cookie, load, counters: new BackendCounters() };
}

const DEFAULT_HASH_TYPE = Object.freeze({ method: 'map-based', function: 'sdbm', avalanche: false } as const);

/**
 * Marks a server UP or DOWN (checks, the runtime API), re-places it in the algorithm, tells the
 * subscribers. Returns how many queued requests moved (HAProxy's "requeued" in the UP/DOWN line).
 */
export function setServerUp(
  events: StateEvents,
  be: BackendState,
  server: ServerState,
  up: boolean,
  reason: string,
): number {
  server.healthUp = up;
  return applyServerState(events, be, server, reason);
}

/**
 * Puts the server's state in effect from its health and its admin flags (maintenance takes it out of
 * rotation, drain gives it weight 0): the algorithm, the counters and the subscribers hear of a change.
 * Returns how many queued requests moved.
 */
function applyServerState(
  events: StateEvents,
  be: BackendState,
  server: ServerState,
  reason: string,
): number {
  const up = server.healthUp && (server.admin & ADMIN_MAINT) === 0;
  const weight = (server.admin & ADMIN_DRAIN) !== 0 ? 0 : server.uweight;
  if (server.up === up && server.weight === weight) return 0;
  const changed = server.up !== up;
  server.up = up;
  server.weight = weight;
  be.lb.update(server);
  if (!changed) return 0;
  markChange(be, server, up);
  // a DOWN server's waiting requests are redispatched (option redispatch) or keep waiting; one coming UP
  // takes from the queues at once (pendconn_grab_from_px)
  const moved = up ? processServerQueue(server) : serverDown(server);
  events.emit({ kind: 'server', backend: be.spec.name, server: server.spec.name, up, reason });
  return moved;
}

/** Last change and downtime of the server and of its backend (no usable server left = backend down). */
function markChange(be: BackendState, server: ServerState, up: boolean): void {
  const now = Date.now();
  const c = server.counters;
  c.lastChange = now;
  if (!up) {
    // down_trans: every transition to DOWN, maintenance included
    c.chkdown++;
    c.downSince = now;
  } else if (c.downSince > 0) {
    c.downtime += now - c.downSince;
    c.downSince = 0;
  }
  const b = be.counters;
  const beUp = be.servers.some((s) => s.up);
  if (!beUp && b.downSince === 0) {
    b.downSince = now;
    b.lastChange = now;
    b.chkdown++;
  } else if (beUp && b.downSince > 0) {
    b.downtime += now - b.downSince;
    b.downSince = 0;
    b.lastChange = now;
  }
}

/** Sets or clears admin flags (ADMIN_MAINT, ADMIN_DRAIN): the runtime API and the stats page's actions. */
export function setServerAdmin(
  events: StateEvents,
  be: BackendState,
  server: ServerState,
  set: number,
  clear: number,
): void {
  server.admin = (server.admin | set) & ~clear;
  applyServerState(events, be, server, (server.admin & ADMIN_MAINT) !== 0 ? 'maintenance' : 'ready');
}

/** Changes the user weight (`set weight`, `set server … weight`); in effect unless draining. */
export function setServerUserWeight(
  events: StateEvents,
  be: BackendState,
  server: ServerState,
  w: number,
): void {
  server.uweight = Math.max(0, Math.min(256, Math.trunc(w)));
  applyServerState(events, be, server, 'weight');
}

/** Changes a server's weight in effect (`set weight`, agent checks); the round goes on with it. */
export function setServerWeight(be: BackendState, server: ServerState, weight: number): void {
  const w = Math.max(0, Math.min(256, Math.trunc(weight)));
  server.uweight = w;
  const eff = (server.admin & ADMIN_DRAIN) !== 0 ? 0 : w;
  if (server.weight === eff) return;
  server.weight = eff;
  be.lb.update(server);
}
