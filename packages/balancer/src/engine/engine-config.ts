/**
 * What the data path needs, resolved once at start. It is derived from the shared haproxy.cfg model
 * (contract A, see from-haproxy.ts) or built directly (the built-in default configuration), so the
 * engine never reads the config model on the hot path and tests can build one in a few lines.
 */

import type { Balance } from '@ha-lb/shared-config/haproxy';
import type { LogLine } from '../rules/log-format.ts';

export type { Balance };

import type { CookieSpec } from '../backend/persistence/cookie-spec.ts';
import type { BackendCheckSpec, CheckGlobals, ServerCheckSpec } from '../checks/check-spec.ts';
import type { H2Tuning } from '../http/h2-connection.ts';
import type { ProxyLogSpec } from '../log/log-spec.ts';
import type { ProxyRules } from '../rules/rule-set.ts';
import type { TcpContent } from '../rules/tcp-content.ts';
import type { TcpRules } from '../rules/tcp-rules.ts';
import type { ProxyOrder } from '../stats/snapshot.ts';
import type { StatsPageSpec, StatsSocketSpec } from '../stats/stats-config.ts';
import type { BindTlsSpec, ServerTlsSpec } from '../tls/tls-spec.ts';

export type BindAddress =
  | { kind: 'inet'; family: 4 | 6 | null; host: string; portMin: number; portMax: number }
  | { kind: 'unix'; path: string; mode?: number }
  | { kind: 'fd'; fd: number };

export interface BindSpec {
  address: BindAddress;
  /** as written, for messages and the health API */
  text: string;
  file: string;
  line: number;
  /** `bind … maxconn N` */
  maxconn?: number | null;
  /** `bind … backlog N` (or the proxy's `backlog`) */
  backlog?: number | null;
  /** `bind … v6only` (true) / `v4v6` (false); undefined = the system default (dual-stack for `::`) */
  v6only?: boolean;
  /** `ssl crt …`: TLS termination (tls/bind-tls.ts); absent or null: clear text */
  tls?: BindTlsSpec | null;
  /** `proto h2`: HTTP/2 with prior knowledge (http/h2-connection.ts); absent or null: by ALPN, else HTTP/1 */
  proto?: 'h2' | null;
}

export interface Cidr {
  family: 4 | 6;
  address: string;
  prefix: number;
}

export interface ForwardFor {
  except: Cidr | null;
  /** lower-case or as written; emitted as written */
  header: string;
  ifNone: boolean;
}

export interface Timeouts {
  client: number | null;
  server: number | null;
  connect: number | null;
  httpRequest: number | null;
  httpKeepAlive: number | null;
  tunnel: number | null;
  clientFin: number | null;
  serverFin: number | null;
  queue: number | null;
}

/** HAProxy's "http connection modes", combined from frontend and backend options. */
export type HttpConnMode = 'keep-alive' | 'server-close' | 'close';

export interface HttpOptions {
  httpServerClose: boolean;
  httpClose: boolean;
  /** `option disable-h2-upgrade`: an HTTP/1 connection that starts with the HTTP/2 preface is not upgraded */
  disableH2Upgrade?: boolean;
}

export interface ServerSpec {
  name: string;
  /** the address connected to (a name in the configuration: the address it resolved to while loading) */
  host: string;
  /** the name as written when the configuration gave one (`show servers state`'s srv_fqdn) */
  fqdn?: string;
  port: number;
  /** unix socket path when the server address is unix@ */
  path: string | null;
  weight: number;
  maxconn: number | null;
  /** `minconn`: the dynamic limit's floor while the backend is below `fullconn` (queue.ts) */
  minconn?: number | null;
  /** `maxqueue`: at most this many requests wait in its queue (0/absent = no limit) */
  maxqueue?: number | null;
  /** `slowstart` in ms (backend/slowstart.ts); 0/absent = none */
  slowstart?: number;
  disabled: boolean;
  backup: boolean;
  /**
   * HAProxy's server id (`id N`, else the first free number in declaration order, from 1): consistent
   * hashing places the server's points on the ring by it. Unset: the position in the backend, from 1.
   */
  id?: number;
  /** `cookie VALUE` (or the `dynamic` one): the persistence cookie's value naming this server */
  cookie?: string | null;
  /** `check` and its settings (checks/check-spec.ts); absent or null: not checked */
  check?: ServerCheckSpec | null;
  /** `ssl …`: TLS to this server (tls/server-tls.ts); absent or null: clear text */
  tls?: ServerTlsSpec | null;
  /** TLS for its health checks (`check-ssl`, or `ssl` inherited); absent or null: clear text */
  checkTls?: ServerTlsSpec | null;
  /** `proto h2`, or `ssl … alpn` offering h2: HTTP/2 to it (backend/h2-server-mux.ts); absent or null: HTTP/1.1 */
  proto?: 'h2' | null;
}

/** `hash-type <method> <function> [avalanche]` */
export interface HashType {
  method: 'map-based' | 'consistent';
  function: 'sdbm' | 'djb2' | 'wt6' | 'crc32';
  avalanche: boolean;
}

export type HttpReuse = 'never' | 'safe' | 'aggressive' | 'always';

export interface BackendSpec {
  name: string;
  mode: 'http' | 'tcp';
  /** mode tcp: its own `tcp-request inspect-delay` / `tcp-request content` rules, run after switching; absent or null: none */
  tcpRequest?: TcpContent | null;
  /** `tcp-response inspect-delay` / `tcp-response content` (rules/tcp-content.ts); absent or null: none */
  tcpResponse?: TcpContent | null;
  servers: ServerSpec[];
  timeouts: Timeouts;
  retries: number;
  httpReuse: HttpReuse;
  options: HttpOptions;
  forwardfor: ForwardFor | null;
  /** `balance …` (null: none written, i.e. roundrobin, or `dispatch` when set) */
  balance: Balance | null;
  /** `hash-type` (default map-based sdbm) */
  hashType?: HashType;
  /** `option allbackups`: every usable backup serves when no active server can, not only the first */
  allBackups?: boolean;
  /** `dispatch ADDR:PORT`: the one destination of a backend without `balance` */
  dispatch?: { host: string; port: number } | null;
  /** raw HTTP responses read from `errorfile` at start */
  errorfiles: Map<number, Buffer>;
  /** the `cookie` line (mode http), null/absent = no cookie persistence */
  cookie?: CookieSpec | null;
  /** `option persist`: a cookie naming a DOWN server still goes to it */
  persist?: boolean;
  /** `option redispatch [N]`: null/absent = off, else N (-1 = on the last retry) */
  redispatch?: number | null;
  /** `fullconn` as written (null: 10% of the frontends' maxconn, computed by from-haproxy.ts) */
  fullconn?: number | null;
  /** `retry-on` (backend/retry-on.ts): what a retry is made for; absent = conn-failure */
  retryOn?: number;
  /** how its servers are checked (`option httpchk`, `tcp-check`…); absent or null: no server checks */
  checks?: BackendCheckSpec | null;
  /** its http-request/response rules (rules/rule-set.ts); absent or null: none */
  rules?: ProxyRules | null;
  /** its `log` targets (UP/DOWN messages go there); absent or null: none */
  log?: ProxyLogSpec | null;
}

export interface FrontendSpec {
  name: string;
  mode: 'http' | 'tcp';
  binds: BindSpec[];
  maxconn: number | null;
  timeouts: Timeouts;
  options: HttpOptions;
  forwardfor: ForwardFor | null;
  /** name of the backend that gets the traffic (a listen section names itself) */
  defaultBackend: string | null;
  errorfiles: Map<number, Buffer>;
  /** `monitor-uri`: requests for exactly this URI are answered 200 by the balancer itself */
  monitorUri?: string | null;
  /** `unique-id-format` (compiled) and `unique-id-header`: the request's %ID, and the header that carries it to the server */
  uniqueId?: { format: LogLine; header: string | null } | null;
  /** its ACL-based rules and use_backend (rules/rule-set.ts); absent or null: none */
  rules?: ProxyRules | null;
  /** `tcp-request connection|session|content accept|reject` (rules/tcp-rules.ts); absent or null: none */
  tcpRules?: TcpRules | null;
  /** `mode tcp`: tcp-request content rules, inspect-delay and use_backend (rules/tcp-content.ts); absent or null: none */
  tcpContent?: TcpContent | null;
  /** access logging (log/log-spec.ts); absent or null: the frontend does not log */
  log?: ProxyLogSpec | null;
}

export interface CpuMapLine {
  auto: boolean;
  processes: string;
  threads: string | null;
  cpus: string[];
  file: string;
  line: number;
}

export interface EngineConfig {
  global: {
    maxconn: number | null;
    pidfile: string | null;
    /** `daemon` / `master-worker` in global (cli/process-mode.ts applies them with the flags) */
    daemon?: boolean;
    masterWorker?: boolean;
    healthSocket: { path: string; mode: number } | null;
    tuneBufsize: number;
    tuneMaxrewrite: number;
    /** tune.http.maxhdr */
    maxHeaders: number;
    /** SO_REUSEPORT on TCP listeners (default true; `-dR` turns it off) */
    reusePort?: boolean;
    /** `hard-stop-after`: bound of a graceful stop, ms */
    hardStopAfter?: number | null;
    /** `spread-checks` / `max-spread-checks` */
    checks?: CheckGlobals;
    /** `stats socket` lines (the runtime API) and `stats timeout`, ms */
    statsSockets?: StatsSocketSpec[];
    statsTimeout?: number;
    /** `tune.h2.*` (http/h2-connection.ts); absent: HAProxy's defaults */
    h2?: H2Tuning;
    /** `nbthread`: worker processes (src/workers/); absent or 1: one process serves */
    nbthread?: number;
    /** `cpu-map` lines (workers/cpu-map.ts) */
    cpuMap?: CpuMapLine[];
    /** `user`/`uid`, `group`/`gid`: dropped to after binding (cli/privileges.ts) */
    user?: string | null;
    group?: string | null;
    uid?: number | null;
    gid?: number | null;
    /** `chroot DIR`: entered after binding, before the privileges are dropped (cli/jail.ts) */
    chroot?: string | null;
  };
  /** the proxies in configuration order with their stats numbers (absent: frontends then backends) */
  proxies?: ProxyOrder[];
  /** the stats page of each proxy that serves one (`stats enable`…), by proxy name */
  statsPages?: Map<string, StatsPageSpec>;
  frontends: FrontendSpec[];
  backends: Map<string, BackendSpec>;
}

export const NO_TIMEOUTS: Timeouts = Object.freeze({
  client: null,
  server: null,
  connect: null,
  httpRequest: null,
  httpKeepAlive: null,
  tunnel: null,
  clientFin: null,
  serverFin: null,
  queue: null,
});

/** HAProxy 2.6: tune.bufsize 16384, tune.maxrewrite 1024, tune.http.maxhdr 101. */
export const DEFAULT_TUNE = Object.freeze({ tuneBufsize: 16384, tuneMaxrewrite: 1024, maxHeaders: 101 });
