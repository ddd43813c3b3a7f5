/**
 * `nbthread N`: the servers' state as the master decides it — its health checks (one stream of probes
 * per server for the whole balancer) and the runtime API / stats admin changes — sent to every worker,
 * which applies it through the same functions a check or a command would (backend.ts), so its load
 * balancer picks exactly the servers the master's says are usable.
 */
import { setServerAdmin, setServerUp, setServerUserWeight } from '../backend/backend.ts';
import { ADMIN_DRAIN, ADMIN_MAINT } from '../backend/server.ts';
import type { Engine } from '../engine/engine.ts';

/** [backend, server, healthUp, admin flags, user weight] */
export type ServerSync = [string, string, boolean, number, number];

export function serverStates(engine: Engine): ServerSync[] {
  const out: ServerSync[] = [];
  for (const be of engine.backends)
    for (const s of be.servers) out.push([be.spec.name, s.spec.name, s.healthUp, s.admin, s.uweight]);
  return out;
}

/** One server's state (a check or admin change), or none when it is gone. */
export function serverState(engine: Engine, backend: string, server: string): ServerSync[] {
  const be = engine.backends.find((b) => b.spec.name === backend);
  const s = be?.servers.find((x) => x.spec.name === server);
  return be === undefined || s === undefined ? [] : [[backend, server, s.healthUp, s.admin, s.uweight]];
}

/** Applies what differs; returns how many servers changed. */
export function applyServerStates(engine: Engine, states: readonly ServerSync[]): number {
  const byName = new Map(engine.backends.map((b) => [b.spec.name, b]));
  let changed = 0;
  for (const [b, name, healthUp, admin, uweight] of states) {
    const be = byName.get(b);
    const srv = be?.servers.find((s) => s.spec.name === name);
    if (be === undefined || srv === undefined) continue;
    let c = false;
    if (srv.admin !== admin) {
      setServerAdmin(engine.events, be, srv, admin, ~admin & (ADMIN_MAINT | ADMIN_DRAIN));
      c = true;
    }
    if (srv.healthUp !== healthUp) {
      setServerUp(engine.events, be, srv, healthUp, 'master');
      c = true;
    }
    if (srv.uweight !== uweight) {
      setServerUserWeight(engine.events, be, srv, uweight);
      c = true;
    }
    if (c) changed++;
  }
  return changed;
}
