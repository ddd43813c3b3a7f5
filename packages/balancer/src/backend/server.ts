import type { ObservedEvent } from '../checks/observe.ts';
import { ServerCounters } from '../counters/counters.ts';
import type { ServerSpec } from '../engine/engine-config.ts';
import { BackendLoad, PendQueue, serverLimits } from './queue.ts';
import type { ServerConn } from './server-conn.ts';
import { slowstartSeconds, WEIGHT_SCALE } from './slowstart.ts';

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
  /** the stats counters (counters/counters.ts), updated in place by the data path */
  readonly counters: ServerCounters;
  /**
   * What the health checks say (`up` is this and not in maintenance); checks read and set it through
   * setServerUp, the runtime API's maintenance through setServerAdmin (backend.ts).
   */
  healthUp: boolean;
  /** HAProxy's srv_admin_state flags: ADMIN_MAINT (1, forced maintenance), ADMIN_DRAIN (8) */
  admin: number;
  /** the weight set by the configuration or the runtime API (`uweight`); drain puts 0 in effect */
  uweight: number;
  /** server-conn.ts: early writes that found a new connection not yet up, in a row */
  earlyMisses: number;
  /** `slowstart` in whole seconds (slowstart.ts), 0 = none */
  slowstartS: number;
  /** epoch ms it came UP with a slowstart still running (HAProxy's SRV_ST_STARTING since last_change), 0 = at full speed */
  warmSince: number;
  /** whole seconds into the slowstart at the last tick, and the sixteenths of its weight in effect (16 = full) */
  warmElapsed: number;
  warmStep: number;
  /** its backend balances with a dynamic algorithm, so the slowstart also scales its weight (backend.ts) */
  dynamicWeights: boolean;
  /** the one-second slowstart tick (backend.ts), null when none is due */
  warmTimer: ReturnType<typeof setTimeout> | null;
}

/** srv_admin_state: forced maintenance (`disable server`, `set server … state maint`). */
export const ADMIN_MAINT = 0x01;
/** srv_admin_state: forced drain (`set server … state drain`). */
export const ADMIN_DRAIN = 0x08;

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
    counters: new ServerCounters(),
    healthUp: !spec.disabled,
    admin: spec.disabled ? ADMIN_MAINT : 0,
    uweight: spec.weight,
    earlyMisses: 0,
    slowstartS: slowstartSeconds(spec.slowstart ?? 0),
    warmSince: 0,
    warmElapsed: 0,
    warmStep: WEIGHT_SCALE,
    dynamicWeights: true,
    warmTimer: null,
  };
}
