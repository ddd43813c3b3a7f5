/**
 * What a reload keeps from the running engine, matched by backend and server name (as HAProxy's
 * server-state-file, kept simple): each server's health — UP or DOWN and the health counter, so a
 * DOWN server stays DOWN without a new check — and a weight changed at run time. A setting the new
 * configuration changes wins over the runtime value: a runtime weight is kept only while the
 * configured weight is the same on both sides (HAProxy applies a saved weight only then, too).
 *
 * One function, called once the new engine is built and before any of its checks has run; other
 * state (counters, queues, runtime-API changes) adds its own step to carryOver().
 */
import { type BackendState, setServerAdmin, setServerUp, setServerWeight } from '../backend/backend.ts';
import { ADMIN_DRAIN, ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import { fullHealth } from '../checks/health-counter.ts';
import type { ServerHealth } from '../checks/scheduler.ts';
import type { Engine } from './engine.ts';

export function carryOver(old: Engine, next: Engine): void {
  carryServers(old, next);
}

/** One server present in both configurations. */
export interface ServerPair {
  oldBackend: BackendState;
  oldServer: ServerState;
  newBackend: BackendState;
  newServer: ServerState;
}

/** The servers both engines have, by backend and server name. */
export function serverPairs(old: Engine, next: Engine): ServerPair[] {
  const byName = new Map<string, BackendState>();
  for (const be of old.backends) byName.set(be.spec.name, be);
  const pairs: ServerPair[] = [];
  for (const newBackend of next.backends) {
    const oldBackend = byName.get(newBackend.spec.name);
    if (oldBackend === undefined) continue;
    for (const newServer of newBackend.servers) {
      const oldServer = oldBackend.servers.find((s) => s.spec.name === newServer.spec.name);
      if (oldServer !== undefined) pairs.push({ oldBackend, oldServer, newBackend, newServer });
    }
  }
  return pairs;
}

function carryServers(old: Engine, next: Engine): void {
  const oldMonitors = monitorsOf(old);
  const newMonitors = monitorsOf(next);
  for (const p of serverPairs(old, next)) {
    const { oldServer: os, newServer: ns, newBackend: nb } = p;
    // the user weight (a drain puts 0 in effect without changing it), unless the new file changes it
    if (os.uweight !== os.spec.weight && os.spec.weight === ns.spec.weight)
      setServerWeight(nb, ns, os.uweight);
    // maintenance / drain set at run time (runtime API, stats admin), unless the file's `disabled` changed
    const fileAdmin = os.spec.disabled ? ADMIN_MAINT : 0;
    if (os.admin !== fileAdmin && os.spec.disabled === ns.spec.disabled)
      setServerAdmin(next.events, nb, ns, os.admin, ~os.admin & (ADMIN_MAINT | ADMIN_DRAIN));
    const om = oldMonitors.get(os);
    const nm = newMonitors.get(ns);
    // health is carried where both sides check the server; a newly checked one starts as at start-up
    if (om !== undefined && nm !== undefined && !ns.spec.disabled) carryHealth(om, nm, next);
  }
}

function carryHealth(om: ServerHealth, nm: ServerHealth, next: Engine): void {
  const up = om.srv.up;
  // the same distance from fully UP (or from UP, going up) under the new rise/fall
  nm.health = up
    ? Math.max(nm.check.rise, fullHealth(nm.check) - (fullHealth(om.check) - om.health))
    : Math.min(om.health, nm.check.rise - 1);
  nm.last = om.last;
  if (nm.srv.up !== up) setServerUp(next.events, nm.be, nm.srv, up, 'state kept across reload');
}

function monitorsOf(e: Engine): Map<ServerState, ServerHealth> {
  const m = new Map<ServerState, ServerHealth>();
  for (const h of e.checks.monitors) m.set(h.srv, h);
  return m;
}
