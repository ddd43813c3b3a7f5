import type { BackendSpec, HttpReuse } from '../engine/engine-config.ts';
import { algorithmFor, dispatchTo, type LbAlgorithm } from './algorithms/index.ts';
import { CookiePersistence } from './persistence/cookie-persistence.ts';
import { BackendLoad, processServerQueue, serverDown } from './queue.ts';
import { newServerState, type ServerState } from './server.ts';
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
  return { spec, servers, lb, httpReuse: spec.httpReuse, cookie, load };
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
  if (server.up === up) return 0;
  server.up = up;
  be.lb.update(server);
  // a DOWN server's waiting requests are redispatched (option redispatch) or keep waiting; one coming UP
  // takes from the queues at once (pendconn_grab_from_px)
  const moved = up ? processServerQueue(server) : serverDown(server);
  events.emit({ kind: 'server', backend: be.spec.name, server: server.spec.name, up, reason });
  return moved;
}

/** Changes a server's weight in effect (`set weight`, agent checks); the round goes on with it. */
export function setServerWeight(be: BackendState, server: ServerState, weight: number): void {
  const w = Math.max(0, Math.min(256, Math.trunc(weight)));
  if (server.weight === w) return;
  server.weight = w;
  be.lb.update(server);
}
