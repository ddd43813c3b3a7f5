/**
 * Wires the stats views into a running engine: a StatsPage for each proxy with `stats enable`
 * (attached to its frontend, or to its backend for requests routed there), the proxies' snapshot
 * (snapshot.ts) and the runtime API sockets (runtime/cli-server.ts).
 */
import { hostname } from 'node:os';
import type { BackendState } from '../backend/backend.ts';
import type { StateEvents } from '../backend/state-events.ts';
import type { HealthChecks } from '../checks/scheduler.ts';
import type { EngineConfig } from '../engine/engine-config.ts';
import type { FrontendRuntime } from '../engine/proxy-runtime.ts';
import type { MessageSink } from '../log/messages.ts';
import { type CliServer, startCliServers } from '../runtime/cli-server.ts';
import type { CliLevel } from '../runtime/commands.ts';
import { adminAction } from '../runtime/server-admin.ts';
import { BALANCER_VERSION } from '../version.ts';
import { type ProxyOrder, type ProxyView, proxyViews } from './snapshot.ts';
import { StatsPage } from './stats-page.ts';

export function statsPagesOf(config: EngineConfig): Map<string, StatsPage> {
  const pages = new Map<string, StatsPage>();
  for (const [name, spec] of config.statsPages ?? []) pages.set(name, new StatsPage(spec, name));
  return pages;
}

/** Gives a frontend its own stats page and its backends' (before its first pair is built). */
export function attachStatsPages(
  frontend: FrontendRuntime,
  pages: Map<string, StatsPage>,
  backends: Map<string, BackendState>,
): void {
  if (pages.size === 0) return;
  frontend.statsPage = pages.get(frontend.spec.name) ?? null;
  const byBackend = new Map<BackendState, StatsPage>();
  for (const [name, be] of backends) {
    const p = pages.get(name);
    if (p) byBackend.set(be, p);
  }
  frontend.backendStatsPages = byBackend;
}

/** What the stats views and the runtime API work on. */
export interface StatsRuntime {
  readonly proxies: readonly ProxyView[];
  readonly startedAt: number;
  readonly events: StateEvents;
  readonly checks: HealthChecks;
  readonly frontends: readonly FrontendRuntime[];
  /** the process's maxconn (`set maxconn global` changes it); hardMaxconn: the configured one */
  maxconn: number;
  readonly hardMaxconn: number;
  /** `nbthread`: worker processes (1: this process serves alone) */
  readonly nbthread?: number;
  readonly version: string;
  readonly node: string;
  currentConns(): number;
  /** `nbthread` master (workers/master.ts): brings the workers' counters in before a command line runs */
  refresh?: () => Promise<void>;
  /** `nbthread` master: a command that ran here, for the workers to run too */
  ran?: (command: string, level: CliLevel) => void;
  /** the fds of the listening sockets `_getsocks` hands over (`-x` on the other side); set by the engine */
  listeningFds?: () => number[];
  /** `nbthread` master: the stats page's admin form changed servers (sent to the workers before it answers) */
  adminDone?: () => void;
  /** closes the runtime API's sockets (a reload closes them before the new engine binds the same ones) */
  stop(): void;
  /** binds them again (a reload whose new engine could not start) */
  reopen(): Promise<void>;
}

export async function startStats(
  config: EngineConfig,
  pages: Map<string, StatsPage>,
  frontends: readonly FrontendRuntime[],
  backends: readonly BackendState[],
  checks: HealthChecks,
  events: StateEvents,
  messages: MessageSink,
): Promise<StatsRuntime> {
  const order: ProxyOrder[] =
    config.proxies ??
    [...new Set([...config.frontends.map((f) => f.name), ...config.backends.keys()])].map((name, i) => ({
      name,
      uuid: i + 1,
      fullconn: 0,
      frontendMaxconn: config.global.maxconn ?? 0,
    }));
  const proxies = proxyViews(order, frontends, backends, checks.monitors);
  let servers: CliServer[] = [];
  const rt: StatsRuntime = {
    proxies,
    startedAt: Date.now(),
    events,
    checks,
    frontends,
    maxconn: config.global.maxconn ?? 0,
    hardMaxconn: config.global.maxconn ?? 0,
    nbthread: config.global.nbthread ?? 1,
    version: BALANCER_VERSION,
    node: hostname(),
    currentConns: () => frontends.reduce((n, f) => n + f.counters.scur, 0),
    stop() {
      for (const s of servers) s.close();
      servers = [];
    },
    async reopen() {
      if (servers.length === 0) servers = await openSockets();
    },
  };
  const env = {
    proxies,
    admin: (b: number, servers: readonly string[], action: string) => {
      const r = adminAction(rt, b, servers, action);
      rt.adminDone?.();
      return r;
    },
    startedAt: rt.startedAt,
    pid: process.pid,
    get maxconn() {
      return rt.maxconn;
    },
    currentConns: rt.currentConns,
    node: rt.node,
    version: rt.version,
  };
  for (const p of pages.values()) p.attach(env);
  const openSockets = () =>
    startCliServers(config.global.statsSockets ?? [], config.global.statsTimeout ?? 10_000, rt, messages);
  servers = await openSockets();
  return rt;
}
