/**
 * What the runtime API and the stats page's admin form do to a server, applied to the data path at
 * once: maintenance takes it out of rotation (setServerAdmin → lb.update), drain gives it weight 0
 * (only persistent requests still reach it), weights go through setServerUserWeight, health checks
 * are paused and resumed, and sessions on a server can be cut.
 */
import { type BackendState, setServerAdmin, setServerUserWeight } from '../backend/backend.ts';
import { ADMIN_DRAIN, ADMIN_MAINT, type ServerState } from '../backend/server.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';
import { ADMIN_CMAINT } from './runtime-edits.ts';

export function monitorOf(rt: StatsRuntime, srv: ServerState) {
  return rt.checks.monitors.find((m) => m.srv === srv);
}

/** `set server B/S state ready|drain|maint`, `enable/disable server`. */
export function setState(
  rt: StatsRuntime,
  be: BackendState,
  srv: ServerState,
  state: 'ready' | 'drain' | 'maint',
): void {
  const wasMaint = (srv.admin & ADMIN_MAINT) !== 0;
  const m = monitorOf(rt, srv);
  if (state === 'maint') {
    setServerAdmin(rt.events, be, srv, ADMIN_MAINT, 0);
    // HAProxy stops the server (op state 0, health 0) and pauses its checks while in maintenance
    srv.healthUp = false;
    if (m !== undefined) m.health = 0;
    return;
  }
  if (wasMaint) {
    // leaving maintenance, a checked server comes back UP with its health at `rise`, to be confirmed
    srv.healthUp = true;
    if (m !== undefined) m.health = m.check.rise;
  }
  if (state === 'drain') setServerAdmin(rt.events, be, srv, ADMIN_DRAIN, ADMIN_MAINT);
  else setServerAdmin(rt.events, be, srv, 0, ADMIN_MAINT | ADMIN_DRAIN | ADMIN_CMAINT);
}

export function setWeight(rt: StatsRuntime, be: BackendState, srv: ServerState, w: number): void {
  setServerUserWeight(rt.events, be, srv, w);
}

export function setHealthChecks(rt: StatsRuntime, srv: ServerState, enabled: boolean): void {
  const m = monitorOf(rt, srv);
  if (m !== undefined) m.enabled = enabled;
}

/**
 * The stats page's admin form: `action` on the named servers of backend `iid`, HAProxy's result code
 * (DONE: all applied; PART: some servers unknown; NONE: nothing applicable; ERRP: bad backend or action).
 */
export function adminAction(
  rt: StatsRuntime,
  iid: number,
  servers: readonly string[],
  action: string,
): 'DONE' | 'PART' | 'NONE' | 'ERRP' {
  const p = rt.proxies.find((x) => x.uuid === iid && x.backend !== null);
  if (p === undefined || !ACTIONS.has(action)) return 'ERRP';
  const be = p.backend!;
  let done = 0;
  let missing = 0;
  for (const name of servers) {
    const srv = be.servers.find((s) => s.spec.name === name);
    if (srv === undefined) {
      missing++;
      continue;
    }
    if (action === 'ready' || action === 'drain' || action === 'maint') setState(rt, be, srv, action);
    else if (action === 'dhlth' || action === 'ehlth') {
      if (monitorOf(rt, srv) === undefined) continue;
      setHealthChecks(rt, srv, action === 'ehlth');
    } else shutdownSessions(rt, srv);
    done++;
  }
  return missing > 0 ? 'PART' : done > 0 ? 'DONE' : 'NONE';
}

const ACTIONS = new Set(['ready', 'drain', 'maint', 'dhlth', 'ehlth', 'shutdown']);

/** `shutdown sessions server B/S`: every session with an exchange on the server is closed. */
export function shutdownSessions(rt: StatsRuntime, srv: ServerState): number {
  let n = 0;
  for (const fe of rt.frontends)
    for (const s of [...fe.sessions])
      if (s.usesServer?.(srv)) {
        // an HTTP/2 connection loses only its streams on that server, as in HAProxy
        if (s.closeOn !== undefined) n += s.closeOn(srv);
        else {
          s.close();
          n++;
        }
      }
  return n;
}
