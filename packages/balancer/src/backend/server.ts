import type { ObservedEvent } from '../checks/observe.ts';
import type { ServerSpec } from '../engine/engine-config.ts';
import { BackendLoad, PendQueue, serverLimits } from './queue.ts';
import type { ServerConn } from './server-conn.ts';

/** Runtime state of one `server` line. The pool of idle keep-alive connections hangs off it. */
export interface ServerState {
  spec: ServerSpec;
  /** connections currently open to it (busy + idle) */
  conns: number;
  /** idle keep-alive connections (ServerConn), most recently used last: LIFO keeps the hot ones warm */
  idle: ServerConn[];
  up: boolean;
  /**
   * The weight in effect (0–256): the configured one until the runtime API or a check changes it.
   * 0 takes no new traffic. After changing it (or `up`), call the backend's `lb.update(server)`
   * (backend.ts `setServerUp` / `setServerWeight` do).
   */
  weight: number;
  /**
   * Exchanges assigned to it right now (HAProxy's `served`): requests in flight in mode http,
   * connections in mode tcp. leastconn, first and random read it.
   */
  served: number;
  /** `maxconn` (0 = none), `minconn` (its value without one), `maxqueue` (0 = none), after HAProxy's corrections */
  maxconn: number;
  minconn: number;
  maxqueue: number;
  /** requests waiting for this server (persistent or hashed to it); its qcur/qmax/qtime for stats */
  queue: PendQueue;
  /** the backend's queue and load, shared by its servers (backend.ts sets it) */
  load: BackendLoad;
  /** its queues are due to be served (queue.ts slotFreed) */
  qscheduled: boolean;
  /** connection retries on it and redispatches away from it (stats' wretr / wredis) */
  retries: number;
  redispatches: number;
  /** `observe layer4|layer7`: live traffic's verdicts go to the server's health checks */
  observe?: ((event: ObservedEvent) => void) | undefined;
}

export function newServerState(spec: ServerSpec): ServerState {
  const l = serverLimits(spec.maxconn, spec.minconn ?? null, spec.maxqueue ?? null);
  return {
    spec,
    conns: 0,
    idle: [],
    up: !spec.disabled,
    weight: spec.weight,
    served: 0,
    maxconn: l.maxconn,
    minconn: l.minconn,
    maxqueue: l.maxqueue,
    queue: new PendQueue(),
    load: new BackendLoad(),
    qscheduled: false,
    retries: 0,
    redispatches: 0,
  };
}
