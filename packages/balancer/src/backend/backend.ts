import type { BackendSpec, HttpReuse } from '../engine/engine-config.ts';
import { algorithmFor, type LbAlgorithm } from './algorithms/index.ts';
import { CookiePersistence } from './persistence/cookie-persistence.ts';
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
}

export function newBackendState(spec: BackendSpec): BackendState {
  const servers = spec.servers.map(newServerState);
  const lb = algorithmFor(spec.balance.algorithm)(servers, spec.balance.args);
  const cookie = spec.cookie ? new CookiePersistence(spec.cookie, servers, spec.persist === true) : null;
  return { spec, servers, lb, httpReuse: spec.httpReuse, cookie };
}

/** Marks a server UP or DOWN (checks, the runtime API) and tells the subscribers. */
export function setServerUp(
  events: StateEvents,
  be: BackendState,
  server: ServerState,
  up: boolean,
  reason: string,
): void {
  if (server.up === up) return;
  server.up = up;
  events.emit({ kind: 'server', backend: be.spec.name, server: server.spec.name, up, reason });
}
