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
  /** `observe layer4|layer7`: live traffic's verdicts go to the server's health checks */
  observe?: ((event: ObservedEvent) => void) | undefined;
}

export function newServerState(spec: ServerSpec): ServerState {
  return { spec, conns: 0, idle: [], up: !spec.disabled };
}
