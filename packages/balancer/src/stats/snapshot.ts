/**
 * The one snapshot every stats view reads: the proxies in configuration order (HAProxy's), each
 * with its frontend runtime, backend state and servers (live objects: the counters are read when a
 * view renders), and the rows of `show stat` / `;csv` / `;json` built from them (fields.ts).
 */
import type { BackendState } from '../backend/backend.ts';
import type { ServerState } from '../backend/server.ts';
import type { ServerHealth } from '../checks/scheduler.ts';
import type { FrontendRuntime } from '../engine/proxy-runtime.ts';
import { backendRow, frontendRow, type Row, serverRow } from './fields.ts';

export interface StatsFlags {
  /** HAProxy's ST_SHLGNDS: addresses, cookies and algorithms (the CLI always; the page with show-legends) */
  legends: boolean;
}

export interface ServerView {
  state: ServerState;
  check: ServerHealth | undefined;
}

export interface ProxyView {
  name: string;
  uuid: number;
  mode: 'http' | 'tcp';
  frontend: FrontendRuntime | null;
  backend: BackendState | null;
  servers: ServerView[];
  /** the frontend's session limit (`slim`) */
  frontendMaxconn: number;
  /** the backend's `fullconn` (`slim` of the BACKEND line) */
  fullconn: number;
  stopped: boolean;
}

/** `show stat <iid> <type> <sid>`: which lines (type bits: 1 frontend, 2 backend, 4 server). */
export interface RowFilter {
  /** proxy uuid or name; null = all */
  proxy: number | string | null;
  types: number;
  /** server id; -1 = all */
  sid: number;
}

export const ALL_ROWS: RowFilter = Object.freeze({ proxy: null, types: 7, sid: -1 });

export interface ProxyOrder {
  name: string;
  uuid: number;
  fullconn: number;
  frontendMaxconn: number;
}

/** The proxies of a running engine, in configuration order. */
export function proxyViews(
  order: readonly ProxyOrder[],
  frontends: readonly FrontendRuntime[],
  backends: readonly BackendState[],
  monitors: readonly ServerHealth[],
): ProxyView[] {
  const byServer = new Map<ServerState, ServerHealth>();
  for (const m of monitors) byServer.set(m.srv, m);
  return order.map((o) => {
    const frontend = frontends.find((f) => f.spec.name === o.name) ?? null;
    const backend = backends.find((b) => b.spec.name === o.name) ?? null;
    return {
      name: o.name,
      uuid: o.uuid,
      mode: (frontend?.spec.mode ?? backend?.spec.mode ?? 'http') as 'http' | 'tcp',
      frontend,
      backend,
      servers: (backend?.servers ?? []).map((state) => ({ state, check: byServer.get(state) })),
      frontendMaxconn: o.frontendMaxconn,
      fullconn: o.fullconn,
      stopped: false,
    };
  });
}

/** The proxy a `show stat` / scope argument names (uuid or name). */
export function matchesProxy(p: ProxyView, want: number | string | null): boolean {
  return want === null || (typeof want === 'number' ? p.uuid === want : p.name === want);
}

/** The stats lines of the proxies, as HAProxy orders them: FRONTEND, servers, BACKEND. */
export function statsRows(
  proxies: readonly ProxyView[],
  filter: RowFilter,
  flags: StatsFlags,
  now: number,
): Row[] {
  const rows: Row[] = [];
  for (const p of proxies) {
    if (!matchesProxy(p, filter.proxy)) continue;
    if (p.frontend !== null && filter.types & 1 && filter.sid <= 0) rows.push(frontendRow(p, now));
    if (p.backend === null) continue;
    if (filter.types & 4)
      for (const sv of p.servers)
        if (filter.sid === -1 || sv.state.spec.id === filter.sid) rows.push(serverRow(p, sv, flags, now));
    if (filter.types & 2 && filter.sid <= 0) rows.push(backendRow(p, flags, now));
  }
  return rows;
}
