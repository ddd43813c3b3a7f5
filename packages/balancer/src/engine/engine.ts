import { lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { type BackendState, newBackendState } from '../backend/backend.ts';
import { closeMuxes } from '../backend/h2-server-mux.ts';
import { StateEvents } from '../backend/state-events.ts';
import { type HealthChecks, startHealthChecks } from '../checks/scheduler.ts';
import type { FrontendCounters } from '../counters/counters.ts';
import { LB_ERR, LbError } from '../errors.ts';
import { H2_DEFAULTS, H2Connection } from '../http/h2-connection.ts';
import { replayed } from '../http/h2-preface.ts';
import { HttpSession } from '../http/http-session.ts';
import { listenOptions, listenText } from '../listen/bind.ts';
import { ConnGate } from '../listen/conn-gate.ts';
import { fdOf } from '../listen/socket-fd.ts';
import { type MessageSink, withProxyLogs } from '../log/messages.ts';
import { LogTargets, ProxyLogger } from '../log/proxy-log.ts';
import { needsRules } from '../rules/http-rules.ts';
import { ACCEPTED, acceptConnection } from '../rules/tcp-rules.ts';
import { prometheusText } from '../stats/prometheus.ts';
import { attachStatsPages, type StatsRuntime, startStats, statsPagesOf } from '../stats/stats-runtime.ts';
import { TcpSession } from '../tcp/tcp-session.ts';
import { BindTls } from '../tls/bind-tls.ts';
import type { EngineConfig } from './engine-config.ts';
import { adoptListener, type ListenerOffer } from './listener-handover.ts';
import { FrontendRuntime } from './proxy-runtime.ts';

export interface ListenerInfo {
  proxy: string;
  address: string;
  listening: boolean;
}

/**
 * Who serves what (src/workers/): `single` — one process does everything (the default); `worker` — one
 * of `nbthread` processes: binds the traffic frontends (SO_REUSEPORT), runs no health check (the
 * master sends the servers' state) and opens no runtime API socket; `master` — runs the checks, the
 * runtime API and the proxies that serve a stats page, and binds no other frontend (their listeners
 * are listed, `listening` as the workers report).
 */
export type EngineRole = 'single' | 'master' | 'worker';

export interface Engine {
  readonly role: EngineRole;
  readonly listeners: ListenerInfo[];
  readonly backends: BackendState[];
  /** the listening sockets, in listener order (their addresses tell the bound ports) */
  readonly listenSockets: net.Server[];
  /** stop accepting, let in-flight requests finish for up to graceMs, then close everything */
  stop(graceMs: number): Promise<void>;
  /**
   * SIGTTOU: stop accepting. Address and UNIX-socket listeners are closed (their ports are free for
   * another process, as HAProxy's pause allows); inherited `fd@` listeners cannot be reopened, so
   * they stay bound and new connections wait unread until resume().
   */
  pause(): void;
  /** SIGTTIN: listen again where pause() stopped. Rejects with the first bind error. */
  resume(): Promise<void>;
  /** open sessions per frontend, for state dumps */
  sessionCounts(): { proxy: string; sessions: number }[];
  /** server and listener state changes (the health API, stats and logs subscribe) */
  readonly events: StateEvents;
  /** the servers' health checks (checks/scheduler.ts) */
  readonly checks: HealthChecks;
  /** one runtime per frontend (its counters, sessions, stats page) */
  readonly frontends: readonly FrontendRuntime[];
  /** the stats views' snapshot and the runtime API (stats/stats-runtime.ts) */
  readonly stats: StatsRuntime;
  /**
   * Reload: the listening sockets a new engine may take over (engine/listener-handover.ts). The new
   * engine detaches what it takes; retire() then closes the rest.
   */
  readonly offer: ListenerOffer;
  /**
   * Reload, after a new engine took over: stop accepting on what is left, stop checking, and let the
   * connections finish — HTTP ones after their next response (sent with `Connection: close`), so a
   * client's request is never cut — for up to graceMs, then close everything.
   */
  retire(graceMs: number): Promise<number>;
  /** the log targets of every proxy (lines sent and dropped: `logs.totals()`) */
  readonly logs: LogTargets;
}

interface Listening {
  server: net.Server;
  opts: net.ListenOptions;
  info: ListenerInfo;
  inherited: boolean;
  /** connections accepted on an inherited listener while paused */
  held: net.Socket[];
  admit: (sock: net.Socket) => void;
  /** the address as configured (`listenText`): what a reload's new engine looks it up by */
  key: string;
  /** set while the socket is being taken over from the previous engine */
  onConnection?: (sock: net.Socket) => void;
  onError?: (err: Error) => void;
}

/**
 * A listener's accept backlog, as HAProxy 2.6 sizes it (checked with `ss -ltn` against haproxy): the
 * bind's `backlog`, else the frontend's maxconn (its own or its defaults'), else global maxconn; the
 * kernel caps it at net.core.somaxconn. Without any of them HAProxy uses its global maxconn computed
 * from the fd limit; we use BACKLOG.
 */
const BACKLOG = 1024;
const backlogOf = (
  bind: { backlog?: number | null },
  fe: { maxconn: number | null },
  global: number | null,
) => bind.backlog ?? fe.maxconn ?? global ?? BACKLOG;

/**
 * server.listen(): Node takes an inherited socket's backlog (`{ fd }`) only as the second argument,
 * not from the options (it would call listen(2) on it with 511, shrinking what systemd or the old
 * process set).
 */
function listenOn(server: net.Server, opts: net.ListenOptions, done: () => void): void {
  if ((opts as { fd?: number }).fd !== undefined && opts.backlog !== undefined)
    (server.listen as (o: net.ListenOptions, b: number, cb: () => void) => void).call(
      server,
      opts,
      opts.backlog,
      done,
    );
  else server.listen(opts, done);
}

export async function startEngine(
  config: EngineConfig,
  messages: MessageSink,
  /** reload: the running engine, whose listeners on the same addresses this one takes over */
  previous?: Engine,
  role: EngineRole = previous?.role ?? 'single',
): Promise<Engine> {
  const backends = new Map<string, BackendState>();
  for (const [name, spec] of config.backends) {
    backends.set(name, newBackendState(spec));
  }
  const globalGate = new ConnGate(config.global.maxconn, null);
  const runtimes: FrontendRuntime[] = [];
  const listeners: ListenerInfo[] = [];
  const servers: net.Server[] = [];
  const listening: Listening[] = [];
  /** listeners taken over from the previous engine: switched to this one once all binds succeeded */
  const adopted: Listening[] = [];
  const tlsBinds = new Map<string, BindTls>();
  let paused = false;
  const pages = statsPagesOf(config);
  const logs = new LogTargets();
  const statsRef: { rt: StatsRuntime | null } = { rt: null };
  try {
    for (const fe of config.frontends) {
      let be: BackendState | null = null;
      if (fe.defaultBackend !== null) {
        be = backends.get(fe.defaultBackend) ?? null;
        if (be === null)
          throw new LbError(
            LB_ERR.NO_BACKEND,
            `Proxy '${fe.name}': unable to find required default_backend: '${fe.defaultBackend}'.`,
          );
        if (be.spec.mode !== fe.mode)
          throw new LbError(
            LB_ERR.CONFIG,
            `Proxy '${fe.name}': unable to use backend '${be.spec.name}' in mode '${be.spec.mode}' from a frontend in mode '${fe.mode}'.`,
          );
      }
      const gate = new ConnGate(fe.maxconn, globalGate);
      const frontend = new FrontendRuntime(fe, be, gate, config.global);
      attachStatsPages(frontend, pages, backends);
      // a log-format or unique-id-format reads the rule context (%[sample], captures): sessions keep one
      const formats = fe.log?.custom != null || fe.uniqueId != null;
      if (needsRules(frontend) || formats)
        frontend.ruleEnv = {
          backend: (name) => backends.get(name) ?? null,
          // the stats runtime starts after the frontends: read when a request asks
          prometheus: (query) => {
            frontend.counters.intercepted++;
            return statsRef.rt === null ? '' : prometheusText(statsRef.rt, query);
          },
        };
      if (fe.log) frontend.logger = new ProxyLogger(fe.log, logs);
      runtimes.push(frontend);
      const px = frontend.pairFor(be);
      const tuning = config.global.h2 ?? H2_DEFAULTS;
      const h1 =
        fe.mode === 'tcp'
          ? (s: net.Socket, g: ConnGate) => new TcpSession(px, s, g)
          : (s: net.Socket, g: ConnGate) => new HttpSession(px, s, g);
      const h2 = (s: net.Socket, g: ConnGate) => new H2Connection(px, s, g, tuning);
      // HAProxy's default: prior knowledge on any HTTP/1 bind upgrades the connection (h2-preface.ts)
      if (fe.mode === 'http' && !fe.options.disableH2Upgrade)
        frontend.h2Upgrade = (c, g, already) => {
          const s = c as net.Socket;
          for (const ev of ['data', 'end', 'drain', 'timeout', 'close']) s.removeAllListeners(ev);
          s.setTimeout(0);
          new H2Connection(px, s, g, tuning, replayed(s, already));
        };
      // HTTP/2 by `proto h2` on the bind (prior knowledge), or by the ALPN protocol a TLS client chose
      const byAlpn = (s: net.Socket, g: ConnGate) =>
        (s as { alpnProtocol?: unknown }).alpnProtocol === 'h2' ? h2(s, g) : h1(s, g);
      const tcpRules = fe.tcpRules ?? null;
      const ruleEnv = { backend: (name: string) => backends.get(name) ?? null };
      // tcp-request rules (rules/tcp-rules.ts): a rejected connection is closed before any session
      const gated =
        (session: (s: net.Socket, g: ConnGate) => unknown) =>
        (s: net.Socket, g: ConnGate): void => {
          if (tcpRules === null) {
            session(s, g);
            return;
          }
          const stage = acceptConnection(tcpRules, fe.name, ruleEnv, s);
          if (stage === ACCEPTED) {
            session(s, g);
            return;
          }
          countTcpReject(frontend.counters, stage);
          s.destroy();
          g.release();
        };
      // master/worker: a proxy with a stats page is the master's (it sees the whole balancer), the rest the workers'
      const bindHere = role === 'single' || (role === 'master') === (frontend.statsPage !== null);
      if (!bindHere && role === 'master')
        for (const bind of fe.binds)
          for (const bare of listenOptions(
            bind.address,
            backlogOf(bind, fe, config.global.maxconn ?? null),
            bind.v6only,
          ))
            listeners.push({ proxy: fe.name, address: listenText(bare), listening: false });
      for (const bind of bindHere ? fe.binds : []) {
        const start = gated(fe.mode === 'tcp' ? h1 : bind.proto === 'h2' ? h2 : bind.tls ? byAlpn : h1);
        const bindGate = bind.maxconn ? new ConnGate(bind.maxconn, gate) : gate;
        const tlsBind = bind.tls
          ? new BindTls(bind.tls, `parsing [${bind.file}:${bind.line}] : 'bind ${bind.text}'`)
          : null;
        if (tlsBind) tlsBinds.set(`${fe.name} ${bind.text}`, tlsBind);
        const startOn = tlsBind ? tlsBind.accept(start, fe.timeouts.client) : start;
        for (const bare of listenOptions(
          bind.address,
          backlogOf(bind, fe, config.global.maxconn ?? null),
          bind.v6only,
        )) {
          // SO_REUSEPORT on TCP binds (HAProxy's default; -dR turns it off): a new process started with
          // -sf/-st binds next to the old one, so no connection is refused during the hand-over
          const opts = bare.port && config.global.reusePort !== false ? { ...bare, reusePort: true } : bare;
          const inherited = (opts as { fd?: number }).fd !== undefined;
          const entry = { held: [] as net.Socket[] } as unknown as Listening;
          entry.admit = (sock) => bindGate.admit(sock, startOn);
          const onConnection = (sock: net.Socket) => {
            if (paused && inherited) {
              entry.held.push(sock);
              sock.on('error', () => {});
            } else entry.admit(sock);
          };
          const info: ListenerInfo = { proxy: fe.name, address: listenText(opts), listening: false };
          const onError = (err: Error) =>
            messages.alert(`proxy ${fe.name} [${info.address}]: ${err.message}`);
          entry.key = info.address;
          const taken = opts.port === 0 ? null : (previous?.offer.find(entry.key) ?? null);
          const server =
            taken ??
            net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, onConnection);
          if (taken !== null) {
            entry.onConnection = onConnection;
            entry.onError = onError;
            adopted.push(entry);
          } else {
            if (opts.path) removeStaleSocket(opts.path);
            await new Promise<void>((resolve, reject) => {
              server.once('error', (err: NodeJS.ErrnoException) => {
                const what = opts.path
                  ? 'cannot bind UNIX socket'
                  : (opts as { fd?: number }).fd !== undefined
                    ? 'cannot use inherited socket'
                    : 'cannot bind socket';
                reject(
                  new LbError(
                    (opts as { fd?: number }).fd !== undefined ? LB_ERR.FD_BIND : LB_ERR.BIND,
                    `Starting ${fe.binds.length && fe.defaultBackend === fe.name ? 'proxy' : 'frontend'} ${fe.name}: ${what} (${strerror(err)}) [${info.address}] (${bind.file}:${bind.line})`,
                    { cause: err },
                  ),
                );
              });
              listenOn(server, opts, () => resolve());
            });
            server.on('error', onError);
          }
          const addr = server.address();
          if (
            addr &&
            typeof addr === 'object' &&
            (opts.port === 0 || (opts as { fd?: number }).fd !== undefined)
          )
            info.address =
              addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
          info.listening = true;
          listeners.push(info);
          servers.push(server);
          Object.assign(entry, { server, opts, info, inherited });
          listening.push(entry);
        }
      }
    }
  } catch (err) {
    for (const l of listening) if (!adopted.includes(l)) l.server.close();
    throw err;
  }
  // every bind succeeded: the taken-over sockets switch to this engine in one synchronous step, so each
  // connection is accepted by exactly one of the two engines
  for (const l of adopted) adoptListener(previous!.offer, l.server, l.onConnection!, l.onError!);

  /** resolves with the number of connections still open when the grace period ended (then closed) */
  let stopped: Promise<number> | null = null;
  /** when the lingering connections are closed; a later stop() with a shorter grace brings it forward */
  const until = { at: Number.POSITIVE_INFINITY };
  const backendLoggers = new Map<string, ProxyLogger>();
  for (const [name, be] of backends)
    if (be.spec.log) backendLoggers.set(name, new ProxyLogger(be.spec.log, logs));
  const closeLogs = async (cut: number) => {
    await logs.close();
    return cut;
  };
  const events = new StateEvents();
  // a worker's servers follow the master's checks (workers/server-sync.ts)
  const checks = startHealthChecks(
    role === 'worker' ? [] : [...backends.values()],
    events,
    withProxyLogs(messages, backendLoggers),
    {
      spreadChecks: config.global.checks?.spreadChecks ?? 0,
      maxSpreadChecks: config.global.checks?.maxSpreadChecks ?? null,
    },
  );
  let stats: StatsRuntime;
  try {
    // the runtime API is the master's: a worker runs the commands it forwards (workers/worker.ts)
    const statsConfig =
      role === 'worker' ? { ...config, global: { ...config.global, statsSockets: [] } } : config;
    stats = await startStats(statsConfig, pages, runtimes, [...backends.values()], checks, events, messages);
    statsRef.rt = stats;
    // `_getsocks` (`expose-fd listeners`): the TCP listening sockets this engine accepts on
    stats.listeningFds = () =>
      listening
        .filter((l) => l.opts.path === undefined && l.info.listening)
        .map((l) => fdOf(l.server))
        .filter((fd) => fd >= 0);
  } catch (err) {
    checks.stop();
    for (const s of servers) s.close();
    throw err;
  }
  return {
    role,
    events,
    checks,
    frontends: runtimes,
    stats,
    logs,
    listeners,
    listenSockets: servers,
    backends: [...backends.values()],
    stop(graceMs: number) {
      for (const l of listening) for (const s of l.held.splice(0)) s.destroy();
      for (const t of tlsBinds.values()) t.closePending();
      checks.stop();
      stats.stop();
      until.at = Math.min(until.at, Date.now() + graceMs);
      stopped ??= stopAll(servers, listeners, runtimes, backends, until, true).then(closeLogs);
      return stopped.then(() => undefined);
    },
    retire(graceMs: number) {
      for (const l of listening) for (const s of l.held.splice(0)) s.destroy();
      checks.stop();
      // (the runtime API's sockets were closed by the reload before the new engine bound them)
      stats.stop();
      for (const f of runtimes) f.closeAfterResponses();
      until.at = Math.min(until.at, Date.now() + graceMs);
      stopped ??= stopAll(servers, listeners, runtimes, backends, until, false).then(closeLogs);
      return stopped;
    },
    offer: {
      find(address) {
        if (stopped || paused) return null;
        return listening.find((l) => l.key === address && l.info.listening)?.server ?? null;
      },
      release(server) {
        const i = listening.findIndex((l) => l.server === server);
        if (i < 0) return;
        const [l] = listening.splice(i, 1);
        servers.splice(servers.indexOf(server), 1);
        listeners.splice(listeners.indexOf(l!.info), 1);
        l!.info.listening = false;
      },
    },
    pause() {
      if (paused || stopped) return;
      paused = true;
      for (const l of listening) {
        l.info.listening = false;
        if (!l.inherited) l.server.close();
      }
      events.emit({ kind: 'listeners', listening: false });
    },
    async resume() {
      if (!paused || stopped) return;
      paused = false;
      for (const l of listening) {
        if (l.opts.path) removeStaleSocket(l.opts.path);
        if (!l.inherited)
          await new Promise<void>((resolve, reject) => {
            const onError = (err: Error) => reject(err);
            l.server.once('error', onError);
            listenOn(l.server, l.opts, () => {
              l.server.off('error', onError);
              resolve();
            });
          });
        l.info.listening = true;
        for (const s of l.held.splice(0)) if (!s.destroyed) l.admit(s);
      }
      events.emit({ kind: 'listeners', listening: true });
    },
    sessionCounts() {
      return runtimes.map((f) => ({ proxy: f.spec.name, sessions: f.sessions.size }));
    },
  };
}

const STRERROR: Record<string, string> = {
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EBADF: 'Bad file descriptor',
  ENOTSOCK: 'Socket operation on non-socket',
  EINVAL: 'Invalid argument',
  ENOENT: 'No such file or directory',
};

function strerror(err: NodeJS.ErrnoException): string {
  return (err.code && STRERROR[err.code]) || err.message;
}

function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent: nothing to remove
  }
}

async function stopAll(
  servers: net.Server[],
  listeners: ListenerInfo[],
  runtimes: FrontendRuntime[],
  backends: Map<string, BackendState>,
  until: { at: number },
  /** soft stop: idle keep-alive connections close now (HAProxy 2.6); retire: after their next response */
  closeIdle: boolean,
): Promise<number> {
  for (const s of servers) s.close();
  for (const l of listeners) l.listening = false;
  for (const px of runtimes) {
    const gates = [px.gate, ...px.gate.children];
    if (closeIdle) for (const g of gates) for (const p of g.parked.splice(0)) p.socket.destroy();
    if (closeIdle) for (const s of [...px.sessions]) s.shutdown();
  }
  while (Date.now() < until.at && runtimes.some((px) => px.sessions.size > 0)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  let cut = 0;
  for (const px of runtimes) {
    for (const g of [px.gate, ...px.gate.children]) for (const p of g.parked.splice(0)) p.socket.destroy();
    cut += px.sessions.size;
    for (const s of [...px.sessions]) s.close();
  }
  for (const be of backends.values())
    for (const srv of be.servers) {
      for (const c of srv.idle.splice(0)) c.socket.destroy();
      closeMuxes(srv);
    }
  return cut;
}

/**
 * A connection closed by `tcp-request … reject`, counted as HAProxy 2.6 counts it: a `connection`
 * rule is a denied connection (dcon), a `session` rule a denied session (dses), a `content` rule a
 * denied request of a session that existed (dreq, and the session in stot).
 */
function countTcpReject(c: FrontendCounters, stage: number): void {
  if (stage === 0) c.dcon++;
  else if (stage === 1) c.dses++;
  else {
    c.stot++;
    c.dreq++;
  }
}
