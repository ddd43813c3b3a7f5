import type { BackendSpec, HttpReuse } from '../engine/engine-config.ts';
import { newServerState, type ServerState } from './server.ts';

/** Runtime state of a backend: its servers and the load-balancing algorithm's own state. */
export interface BackendState {
  spec: BackendSpec;
  servers: ServerState[];
  /** per-algorithm state (round-robin cursor, …), owned by the picker */
  lb: { cursor: number };
  httpReuse: HttpReuse;
}

export function newBackendState(spec: BackendSpec): BackendState {
  return { spec, servers: spec.servers.map(newServerState), lb: { cursor: 0 }, httpReuse: spec.httpReuse };
}

/** Servers that may take traffic: active ones, or the backups when no active server is usable. */
export function usableServers(be: BackendState): ServerState[] {
  const active = be.servers.filter((s) => s.up && !s.spec.backup);
  if (active.length > 0) return active;
  return be.servers.filter((s) => s.up && s.spec.backup);
}
