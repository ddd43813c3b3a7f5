/**
 * Runtime-API changes to servers and limits, applied to the running data path at once and remembered
 * for a reload (engine/carry-over.ts carries them by name):
 * - `set server B/S addr IP [port P]`: new connections go to the new address (idle pooled ones to
 *   the old one are closed), health checks probe it;
 * - `set maxconn server|frontend|global`: the server's limit (its queue serves at once when raised),
 *   the frontend's and the process's connection gates;
 * - `add server B/S ADDR [opts]` / `del server B/S`: HAProxy 2.4+'s dynamic servers — only in a
 *   backend whose algorithm is dynamic (not static-rr nor map-based hashing), created in maintenance
 *   (`set server … state ready` enables them), deleted only in maintenance and without connections.
 * The algorithm of a backend whose server list changes is rebuilt on the new list.
 */
import { parseAddress } from '@ha-lb/shared-config/haproxy';
import { algorithmFor } from '../backend/algorithms/index.ts';
import { type BackendState, dynamicWeights } from '../backend/backend.ts';
import { drainMuxes } from '../backend/h2-server-mux.ts';
import { processServerQueue, serverLimits } from '../backend/queue.ts';
import { ADMIN_MAINT, newServerState, type ServerState } from '../backend/server.ts';
import type { ServerSpec } from '../engine/engine-config.ts';
import type { FrontendRuntime } from '../engine/proxy-runtime.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';

/** srv_admin_state: maintenance inherited from the configuration (`disabled` on a dynamic server). */
export const ADMIN_CMAINT = 0x04;

/** What the runtime API changed on a server, against what the configuration said (for reloads). */
export interface RuntimeServerEdits {
  addr?: { host: string; port: number; fileHost: string; filePort: number };
  maxconn?: { value: number; file: number | null };
}

const edits = new WeakMap<ServerState, RuntimeServerEdits>();
/** Servers the runtime API added, per backend (carried into the next engine's backend of that name). */
const added = new WeakMap<BackendState, Set<ServerState>>();
/** Frontend limits set at run time. */
const frontendMax = new WeakMap<FrontendRuntime, number>();

export const serverEdits = (s: ServerState): RuntimeServerEdits | undefined => edits.get(s);
export const dynamicServers = (be: BackendState): ReadonlySet<ServerState> => added.get(be) ?? new Set();
export const isDynamic = (be: BackendState, s: ServerState): boolean => added.get(be)?.has(s) === true;
export const frontendMaxconnSet = (fe: FrontendRuntime): number | undefined => frontendMax.get(fe);

/** IPv4 or IPv6 literal (HAProxy's `set server addr` takes no names). */
function isIp(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

/** `set server B/S addr IP [port P]`: HAProxy's reply (server.c srv_update_addr_port). */
export function setServerAddr(
  srv: ServerState,
  ip: string | undefined,
  portText: string | undefined,
): string {
  if (ip === undefined) return 'set server <b>/<s> addr requires an address and optionally a port.\n\n';
  if (!isIp(ip)) return `Invalid addr '${ip}' by 'stats socket command'\n\n`;
  const spec = srv.spec;
  let port = spec.port;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535)
      return `Invalid port '${portText}' by 'stats socket command'\n\n`;
  }
  const parts: string[] = [];
  parts.push(ip === spec.host ? 'no need to change the addr' : `IP changed from '${spec.host}' to '${ip}'`);
  if (portText !== undefined)
    parts.push(
      port === spec.port ? 'no need to change the port' : `port changed from '${spec.port}' to '${port}'`,
    );
  applyAddr(srv, ip, port);
  return `${parts.join(', ')} by 'stats socket command'\n\n`;
}

/** Points the server at host:port now (and remembers it against the configured address). */
export function applyAddr(srv: ServerState, host: string, port: number): void {
  const spec = srv.spec;
  if (spec.host === host && spec.port === port) return;
  const e = edits.get(srv) ?? {};
  const fileHost = e.addr?.fileHost ?? spec.host;
  const filePort = e.addr?.filePort ?? spec.port;
  srv.spec = { ...spec, host, port };
  e.addr = { host, port, fileHost, filePort };
  edits.set(srv, e);
  // pooled connections go to the old address: close them, new ones use the new one
  for (const c of srv.idle.splice(0)) c.socket.destroy();
  drainMuxes(srv);
}

/** `set maxconn server B/S N`: 0 removes the limit; waiting requests are served at once when it rises. */
export function setServerMaxconn(srv: ServerState, n: number): void {
  const e = edits.get(srv) ?? {};
  e.maxconn = { value: n, file: e.maxconn?.file ?? srv.spec.maxconn };
  edits.set(srv, e);
  const l = serverLimits(n === 0 ? null : n, null, srv.spec.maxqueue ?? null);
  srv.maxconn = l.maxconn;
  srv.minconn = l.minconn;
  processServerQueue(srv);
}

/** `set maxconn frontend F N` (HAProxy takes N as written: 0 accepts no new connection). */
export function setFrontendMaxconn(rt: StatsRuntime, fe: FrontendRuntime, n: number): void {
  frontendMax.set(fe, n);
  fe.gate.setMax(n);
  for (const p of rt.proxies) if (p.frontend === fe) p.frontendMaxconn = n;
}

/** `set maxconn global N` (0: the hard limit, as HAProxy). */
export function setGlobalMaxconn(rt: StatsRuntime, n: number): void {
  const hard = rt.hardMaxconn;
  const v = n === 0 ? hard : hard > 0 && n > hard ? hard : n;
  rt.maxconn = v;
  rt.frontends[0]?.gate.parent?.setMax(v === 0 ? null : v);
}

/** Keywords a dynamic server takes here; the other server keywords are refused, not ignored. */
const VALUE_KEYWORDS = new Set(['weight', 'maxconn', 'maxqueue', 'minconn', 'id']);
const FLAG_KEYWORDS = new Set(['disabled', 'enabled', 'backup']);
const OTHER_SERVER_KEYWORDS = new Set([
  'check',
  'cookie',
  'ssl',
  'inter',
  'rise',
  'fall',
  'port',
  'addr',
  'track',
  'send-proxy',
  'send-proxy-v2',
  'verify',
  'sni',
  'alpn',
  'observe',
  'agent-check',
  'slowstart',
]);

/** Rebuilds the backend's algorithm on its current server list (after an add or a delete). */
function rebuildAlgorithm(be: BackendState): void {
  const balance = be.spec.balance ?? { algorithm: 'roundrobin' as const };
  be.lb = algorithmFor(balance)(be.servers, {
    balance,
    hashType: be.spec.hashType ?? { method: 'map-based', function: 'sdbm', avalanche: false },
    allBackups: be.spec.allBackups === true,
  });
}

/** `add server B/S ADDR[:PORT] [opts]`: HAProxy's replies (cli_parse_add_server). */
export function addServer(rt: StatsRuntime, be: BackendState, name: string, args: string[]): string {
  if (!dynamicWeights(be.spec))
    return 'Backend must use a dynamic load balancing to support dynamic servers.\n';
  if (args.length === 0) return "'server' expects <name> and <addr>[:<port>] as arguments.\n\n";
  const parsed = parseAddress(args[0], { what: 'server' });
  const a = parsed.ok ? parsed.value.address : null;
  if (a === null || a.kind !== 'inet') return `Invalid address '${args[0]}' for server '${name}'.\n\n`;
  const spec: ServerSpec = {
    name,
    host: a.host || '127.0.0.1',
    port: a.portMin,
    path: null,
    weight: 1,
    maxconn: null,
    disabled: false,
    backup: false,
  };
  for (let i = 1; i < args.length; i++) {
    const k = args[i];
    if (FLAG_KEYWORDS.has(k)) {
      if (k === 'disabled') spec.disabled = true;
      else if (k === 'enabled') spec.disabled = false;
      else spec.backup = true;
      continue;
    }
    if (VALUE_KEYWORDS.has(k)) {
      const v = args[++i];
      if (v === undefined || !/^\d+$/.test(v)) return `'${k}' expects an integer argument.\n\n`;
      const n = Number(v);
      if (k === 'weight') {
        if (n > 256) return `weight of server ${name} is not within the 0..256 range.\n\n`;
        spec.weight = n;
      } else if (k === 'maxconn') spec.maxconn = n;
      else if (k === 'maxqueue') spec.maxqueue = n;
      else if (k === 'minconn') spec.minconn = n;
      else spec.id = n;
      continue;
    }
    if (OTHER_SERVER_KEYWORDS.has(k))
      return `'${k}' is not supported on dynamic servers by this balancer yet.\n\n`;
    return `unknown keyword '${k}'.\n\n`;
  }
  if (be.servers.some((s) => s.spec.name === name))
    return 'Already exists a server with the same name in backend.\n\n';
  if (spec.id === undefined) {
    let id = 1;
    while (be.servers.some((s) => s.spec.id === id)) id++;
    spec.id = id;
  }
  insertServer(rt, be, spec);
  return 'New server registered.\n\n';
}

/** Creates the server in `be` in maintenance, as HAProxy creates dynamic servers. */
export function insertServer(
  rt: StatsRuntime | null,
  be: BackendState,
  spec: ServerSpec,
  admin?: number,
): ServerState {
  const srv = newServerState(spec);
  srv.admin = admin ?? ADMIN_MAINT | (spec.disabled ? ADMIN_CMAINT : 0);
  srv.healthUp = (srv.admin & ADMIN_MAINT) === 0;
  srv.up = srv.healthUp;
  srv.load = be.load;
  srv.queue.timeout = be.load.queue.timeout;
  be.servers.push(srv);
  rebuildAlgorithm(be);
  const set = added.get(be) ?? new Set<ServerState>();
  added.set(be, set);
  set.add(srv);
  const p = rt?.proxies.find((x) => x.backend === be);
  p?.servers.push({ state: srv, check: undefined });
  return srv;
}

/** `del server B/S`: HAProxy's replies (cli_parse_delete_server). */
export function delServer(rt: StatsRuntime, be: BackendState, srv: ServerState): string {
  if ((srv.admin & ADMIN_MAINT) === 0) return 'Only servers in maintenance mode can be deleted.\n';
  if (srv.served > 0 || srv.queue.length > 0 || srv.conns > srv.idle.length)
    return 'Server still has connections attached to it, cannot remove it.\n';
  for (const c of srv.idle.splice(0)) c.socket.destroy();
  drainMuxes(srv);
  be.servers.splice(be.servers.indexOf(srv), 1);
  rebuildAlgorithm(be);
  added.get(be)?.delete(srv);
  const p = rt.proxies.find((x) => x.backend === be);
  if (p !== undefined) {
    const i = p.servers.findIndex((v) => v.state === srv);
    if (i >= 0) p.servers.splice(i, 1);
  }
  return 'Server deleted.\n';
}
