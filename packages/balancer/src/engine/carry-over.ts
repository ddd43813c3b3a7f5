/**
 * What a reload keeps from the running engine, matched by backend and server name (as HAProxy's
 * server-state-file, kept simple): each server's health — UP or DOWN and the health counter, so a
 * DOWN server stays DOWN without a new check — and a weight changed at run time. A setting the new
 * configuration changes wins over the runtime value: a runtime weight is kept only while the
 * configured weight is the same on both sides (HAProxy applies a saved weight only then, too).
 *
 * Runtime-API changes carry over the same way (runtime/runtime-edits.ts): servers added with `add
 * server`, `set server addr`, `set maxconn server|frontend|global` — each unless the new file changes
 * the value it replaced.
 *
 * One function, called once the new engine is built and before any of its checks has run; other
 * state (counters, queues) adds its own step to carryOver().
 */
import {
  type BackendState,
  continueWarmup,
  setServerAdmin,
  setServerUp,
  setServerWeight,
} from '../backend/backend.ts';
import { ADMIN_DRAIN, ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import { fullHealth } from '../checks/health-counter.ts';
import type { ServerHealth } from '../checks/scheduler.ts';
import {
  applyAddr,
  dynamicServers,
  frontendMaxconnSet,
  insertServer,
  serverEdits,
  setFrontendMaxconn,
  setGlobalMaxconn,
  setServerMaxconn,
} from '../runtime/runtime-edits.ts';
import type { Engine } from './engine.ts';

export function carryOver(old: Engine, next: Engine): void {
  carryDynamicServers(old, next);
  carryServers(old, next);
  carryLimits(old, next);
}

/** Servers `add server` created: re-created in the new backend of the same name (unless the file now has one). */
function carryDynamicServers(old: Engine, next: Engine): void {
  const byName = new Map(next.backends.map((b) => [b.spec.name, b]));
  for (const ob of old.backends) {
    const nb = byName.get(ob.spec.name);
    if (nb === undefined) continue;
    for (const os of dynamicServers(ob)) {
      if (nb.servers.some((s) => s.spec.name === os.spec.name)) continue;
      const ns = insertServer(next.stats, nb, { ...os.spec }, os.admin);
      setServerWeight(nb, ns, os.uweight);
    }
  }
}

/** `set maxconn frontend|global` values, while the file's value is the same on both sides. */
function carryLimits(old: Engine, next: Engine): void {
  for (const of of old.frontends) {
    const v = frontendMaxconnSet(of);
    const nf = next.frontends.find((f) => f.spec.name === of.spec.name);
    if (v !== undefined && nf !== undefined && nf.spec.maxconn === of.spec.maxconn)
      setFrontendMaxconn(next.stats, nf, v);
  }
  if (old.stats.maxconn !== old.stats.hardMaxconn && next.stats.hardMaxconn === old.stats.hardMaxconn)
    setGlobalMaxconn(next.stats, old.stats.maxconn);
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
    // `set server addr` and `set maxconn server`, unless the file changed what they replaced
    const e = serverEdits(os);
    if (e?.addr && ns.spec.host === e.addr.fileHost && ns.spec.port === e.addr.filePort)
      applyAddr(ns, e.addr.host, e.addr.port);
    if (e?.maxconn && ns.spec.maxconn === e.maxconn.file) setServerMaxconn(ns, e.maxconn.value);
    const om = oldMonitors.get(os);
    const nm = newMonitors.get(ns);
    // health is carried where both sides check the server; a newly checked one starts as at start-up
    if (om !== undefined && nm !== undefined && !ns.spec.disabled) carryHealth(om, nm, next);
    // a slowstart in progress goes on from where it was
    if (os.warmSince !== 0) continueWarmup(nb, ns, os.warmSince);
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
