import type { ObservedEvent } from '../checks/observe.ts';
import type { ServerSpec } from '../engine/engine-config.ts';
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
  /** `observe layer4|layer7`: live traffic's verdicts go to the server's health checks */
  observe?: ((event: ObservedEvent) => void) | undefined;
}

export function newServerState(spec: ServerSpec): ServerState {
  return { spec, conns: 0, idle: [], up: !spec.disabled, weight: spec.weight, served: 0 };
}
