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
}

export function newServerState(spec: ServerSpec): ServerState {
  return { spec, conns: 0, idle: [], up: !spec.disabled };
}
