import { BackendCounters } from '../counters/counters.ts';
import type { BackendSpec, HttpReuse } from '../engine/engine-config.ts';
import { algorithmFor, dispatchTo, type LbAlgorithm } from './algorithms/index.ts';
import { CookiePersistence } from './persistence/cookie-persistence.ts';
import { BackendLoad, processServerQueue, serverDown } from './queue.ts';
import { ADMIN_DRAIN, ADMIN_MAINT, newServerState, type ServerState } from './server.ts';
import { WARMUP_TICK_MS, WEIGHT_SCALE, warmupStep } from './slowstart.ts';
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
  const dynamic = dynamicWeights(spec);
  for (const s of servers) s.dynamicWeights = dynamic;
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
 * HAProxy's BE_LB_PROP_DYN: the algorithm takes weight changes at run time (roundrobin, leastconn,
 * first, random, any consistent hash), so a slowstart scales the weight too; static-rr and map-based
 * hashes only get the maxconn throttle.
 */
export function dynamicWeights(spec: BackendSpec): boolean {
  if (spec.dispatch != null && spec.balance === null) return false;
  const algorithm = spec.balance?.algorithm ?? 'roundrobin';
  if (['roundrobin', 'leastconn', 'first', 'random'].includes(algorithm)) return true;
  if (algorithm === 'static-rr') return false;
  return (spec.hashType ?? DEFAULT_HASH_TYPE).method === 'consistent';
}

/** The weight in effect: none while draining, else the user weight, scaled down while a slowstart runs. */
function effectiveWeight(server: ServerState): number {
  if ((server.admin & ADMIN_DRAIN) !== 0) return 0;
  if (server.warmSince === 0 || !server.dynamicWeights) return server.uweight;
  return (server.uweight * server.warmStep) / WEIGHT_SCALE;
}

function endWarmup(server: ServerState): void {
  if (server.warmTimer !== null) clearTimeout(server.warmTimer);
  server.warmTimer = null;
  server.warmSince = 0;
  server.warmElapsed = 0;
  server.warmStep = WEIGHT_SCALE;
}

/**
 * server_warmup(): once a second, the weight and the maxconn throttle from the whole seconds elapsed
 * (HAProxy counts `now.tv_sec - last_change`), the queues served up to the new limit; at the end of the
 * period the server runs at full speed.
 */
function warmupTick(be: BackendState, server: ServerState): void {
  server.warmTimer = null;
  if (server.warmSince === 0 || !server.up) return;
  const elapsed = Math.floor(Date.now() / 1000) - Math.floor(server.warmSince / 1000);
  if (elapsed < 0 || elapsed >= server.slowstartS) endWarmup(server);
  else {
    server.warmElapsed = elapsed;
    server.warmStep = warmupStep(elapsed, server.slowstartS);
  }
  const w = effectiveWeight(server);
  if (w !== server.weight) {
    server.weight = w;
    be.lb.update(server);
  }
  // pendconn_grab_from_px: a higher limit lets waiting requests in
  processServerQueue(server);
  if (server.warmSince !== 0) {
    server.warmTimer = setTimeout(warmupTick, WARMUP_TICK_MS, be, server);
    server.warmTimer.unref?.();
  }
}

/**
 * A reload: a server still in its slowstart in the old engine goes on with it in the new one (the
 * elapsed seconds count from the old change).
 */
export function continueWarmup(be: BackendState, server: ServerState, since: number): void {
  if (server.slowstartS === 0 || !server.up) return;
  if (server.warmTimer !== null) clearTimeout(server.warmTimer);
  server.warmSince = since;
  warmupTick(be, server);
}

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
  const changed = server.up !== up;
  // srv_set_running / leaving maintenance: SRV_ST_STARTING for the slowstart; DOWN ends it
  if (changed && up && server.slowstartS > 0) {
    server.warmSince = Date.now();
    server.warmElapsed = 0;
    server.warmStep = warmupStep(0, server.slowstartS);
  } else if (changed && !up && server.warmSince !== 0) endWarmup(server);
  const weight = effectiveWeight(server);
  if (!changed && server.weight === weight) return 0;
  server.up = up;
  server.weight = weight;
  be.lb.update(server);
  if (!changed) return 0;
  if (up && server.warmSince !== 0) {
    if (server.warmTimer !== null) clearTimeout(server.warmTimer);
    server.warmTimer = setTimeout(warmupTick, WARMUP_TICK_MS, be, server);
    server.warmTimer.unref?.();
  }
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
  const eff = effectiveWeight(server);
  if (server.weight === eff) return;
  server.weight = eff;
  be.lb.update(server);
}
