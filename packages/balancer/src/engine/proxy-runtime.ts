import type { BackendState } from '../backend/backend.ts';
import { RE_CONN_FAILED } from '../backend/retry-on.ts';
import { FrontendCounters } from '../counters/counters.ts';
import type { ClientConn } from '../http/client-conn.ts';
import { type ForwardForPlan, forwardForPlan } from '../http/forwardfor.ts';
import type { ParseError } from '../http/head-parser.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import type { ProxyLogger } from '../log/proxy-log.ts';
import type { RuleEnv } from '../rules/context.ts';
import type { StatsPage } from '../stats/stats-page.ts';
import type { Cidr, FrontendSpec, HttpConnMode } from './engine-config.ts';

/**
 * Everything a session needs about a frontend and one of its backends, combined once (and cached per
 * pair by FrontendRuntime) so the hot path reads plain fields. The backend is chosen per request: an
 * HTTP session switches to another pair when a request goes to another backend.
 */
/** The last invalid request a frontend saw, as `show errors` shows it (http/error-snapshot.ts). */
export interface InvalidRequest {
  at: number;
  src: string;
  /** HAProxy's event number: one counter for the whole process */
  event: number;
  /** the bytes received (at most tune.bufsize, the size of the buffer they were in) */
  bytes: Buffer;
  bufsize: number;
  /** the head's end in `bytes`, and what the head parser found wrong */
  headEnd: number;
  error: ParseError;
}

export interface ProxyRuntime {
  fe: FrontendSpec;
  be: BackendState | null;
  mode: 'http' | 'tcp';
  connMode: HttpConnMode;
  ff: ForwardForPlan | null;
  /** an extra except network from the other side (HAProxy checks both frontend's and backend's) */
  ffExcept2: Cidr | null;
  gate: ConnGate;
  maxHead: number;
  maxHeaders: number;
  bufsize: number;
  /** tune.maxrewrite: the part of a buffer kept free (content inspection decides when the rest is full) */
  maxrewrite: number;
  errorfiles: Map<number, Buffer>;
  // timeouts in ms, 0 = none
  tClient: number;
  tServer: number;
  tConnect: number;
  tHttpRequest: number;
  tKeepAlive: number;
  tTunnel: number;
  tClientFin: number;
  tServerFin: number;
  retries: number;
  /** `retry-on` bits (backend/retry-on.ts); conn-failure only in mode tcp */
  retryOn: number;
  /** the frontend's open sessions (for graceful stop), shared by all its pairs */
  sessions: Set<Session>;
  /** the frontend this pair belongs to */
  frontend: FrontendRuntime;
  /** `monitor-uri`, as bytes to compare with request targets */
  monitorUri: Buffer | null;
  /** the stats page this frontend, else its backend, serves (`stats enable`…); null = none */
  statsPage: StatsPage | null;
}

/** What `show sess` prints of a stream (runtime/show-sess.ts). */
export interface StreamSummary {
  /** the number `show sess` prints as the stream's pointer and `shutdown session` takes back */
  id: number;
  family: 4 | 6;
  src: string;
  srcPort: number;
  frontend: string;
  /** the backend and server names, `<NONE>` / `<none>` when not chosen yet */
  backend: string;
  server: string;
  /** when the stream started (ms) */
  since: number;
  /** what `show sess <id>` adds (runtime/show-sess.ts); absent for a TCP tunnel */
  detail?: StreamDetail;
}

export interface StreamDetail {
  mode: 'http' | 'tcp';
  /** the client connection's local address (the bind), the server connection's local one, the server's */
  listenerAddr: string;
  backendAddr: string | null;
  serverAddr: string | null;
  serverId: number | null;
  method: string;
  /** the response status, -1 before one */
  status: number;
  /** the request is all in (no body left) / the response head has come */
  requestDone: boolean;
  responseStarted: boolean;
  /** bytes in and out as HAProxy counts them (%U, %B) */
  reqTotal: number;
  resTotal: number;
}

let streams = 0;
/** The next stream number (each session keeps its own). */
export const nextSessionId = (): number => ++streams;

let errorEvents = 0;
/** HAProxy's error_snapshot_id: `show errors` numbers its captures from 0, process-wide. */
export const nextErrorEvent = (): number => errorEvents++;

export interface Session {
  /** is an exchange of this session on `server` now? (`shutdown sessions server`) */
  usesServer?(server: unknown): boolean;
  /** its stream for `show sess`, null while it has none (an idle keep-alive connection) */
  summary?(): StreamSummary | null;
  /** `shutdown session`: the stream is killed (HTTP: the client gets a 502 if nothing was sent yet) */
  kill?(): void;
  shutdown(): void;
  idle(): boolean;
  close(): void;
  /** the engine retires (a reload): a multiplexed connection says so now (HTTP/2 GOAWAY) */
  retiring?(): void;
  /** a multiplexed connection: closes its exchanges on `server` only; how many */
  closeOn?(server: unknown): number;
}

/** One frontend at run time: its connection gate, its sessions, its backend pairs. */
export class FrontendRuntime {
  readonly spec: FrontendSpec;
  readonly gate: ConnGate;
  readonly sessions = new Set<Session>();
  /** the stats counters (counters/counters.ts) */
  readonly counters = new FrontendCounters();
  /** this frontend's stats page (set by the engine), and the backends' ones by backend */
  statsPage: StatsPage | null = null;
  backendStatsPages: Map<BackendState, StatsPage> | null = null;
  /** where requests go unless a rule says otherwise */
  readonly defaultBackend: BackendState | null;
  /** set by the engine when this frontend's sessions run rules (rules/http-rules.ts); null: none */
  ruleEnv: RuleEnv | null = null;
  /** `show errors`: invalid requests seen (HAProxy's error captures) and the last one */
  readonly invalidRequests: { count: number; last: InvalidRequest | null } = {
    count: 0,
    last: null,
  };
  /** the frontend's access log (log/proxy-log.ts), null when it has no log target */
  logger: ProxyLogger | null = null;
  /**
   * Set by the engine unless `option disable-h2-upgrade`: hands an HTTP/1 connection whose first bytes
   * are the HTTP/2 preface (already read) to an HTTP/2 session (http/h2-preface.ts)
   */
  h2Upgrade: ((client: ClientConn, gate: ConnGate, already: Buffer) => void) | null = null;
  private readonly global: { tuneBufsize: number; tuneMaxrewrite: number; maxHeaders: number };
  private readonly pairs = new Map<BackendState | null, ProxyRuntime>();

  constructor(
    spec: FrontendSpec,
    defaultBackend: BackendState | null,
    gate: ConnGate,
    global: { tuneBufsize: number; tuneMaxrewrite: number; maxHeaders: number },
  ) {
    this.spec = spec;
    this.defaultBackend = defaultBackend;
    this.gate = gate;
    this.global = global;
  }

  /** The combined runtime for requests of this frontend going to `be` (built once per pair). */
  pairFor(be: BackendState | null): ProxyRuntime {
    let px = this.pairs.get(be);
    if (px === undefined) {
      px = makeProxyRuntime(this, be, this.global);
      if (this.closing && px.mode === 'http') px.connMode = 'close';
      this.pairs.set(be, px);
    }
    return px;
  }

  private closing = false;

  /**
   * Reload: this frontend's engine is retiring. Every HTTP response from now on carries
   * `Connection: close` and ends its connection (as `option httpclose`), so keep-alive clients move
   * to the new engine between two requests instead of finding their connection closed under a
   * request they already sent (what HAProxy before 2.4 did; 2.6 calls it idle-close-on-response).
   */
  closeAfterResponses(): void {
    this.closing = true;
    for (const px of this.pairs.values()) if (px.mode === 'http') px.connMode = 'close';
    for (const s of this.sessions) s.retiring?.();
  }
}

/**
 * HAProxy 2.6 combines the two sides' options: httpclose on either side wins, then http-server-close on
 * either side, else keep-alive (option http-keep-alive only cancels the others in the same section).
 */
export function combineConnMode(fe: FrontendSpec, be: BackendState | null): HttpConnMode {
  const b = be?.spec.options;
  if (fe.options.httpClose || b?.httpClose) return 'close';
  if (fe.options.httpServerClose || b?.httpServerClose) return 'server-close';
  return 'keep-alive';
}

function makeProxyRuntime(
  frontend: FrontendRuntime,
  be: BackendState | null,
  global: { tuneBufsize: number; tuneMaxrewrite: number; maxHeaders: number },
): ProxyRuntime {
  const fe = frontend.spec;
  const bt = be?.spec.timeouts;
  const ffSpec = be?.spec.forwardfor ?? fe.forwardfor;
  const other = be?.spec.forwardfor && fe.forwardfor ? fe.forwardfor.except : null;
  const errorfiles = new Map(fe.errorfiles);
  for (const [k, v] of be?.spec.errorfiles ?? []) errorfiles.set(k, v);
  return {
    fe,
    be,
    mode: fe.mode,
    connMode: combineConnMode(fe, be),
    ff: forwardForPlan(ffSpec),
    ffExcept2: other,
    gate: frontend.gate,
    maxHead: global.tuneBufsize - global.tuneMaxrewrite,
    maxHeaders: global.maxHeaders,
    bufsize: global.tuneBufsize,
    maxrewrite: global.tuneMaxrewrite,
    errorfiles,
    tClient: fe.timeouts.client ?? 0,
    tServer: bt?.server ?? 0,
    tConnect: bt?.connect ?? 0,
    tHttpRequest: fe.timeouts.httpRequest ?? 0,
    tKeepAlive: fe.timeouts.httpKeepAlive ?? 0,
    tTunnel: bt?.tunnel ?? fe.timeouts.tunnel ?? 0,
    tClientFin: fe.timeouts.clientFin ?? 0,
    tServerFin: bt?.serverFin ?? 0,
    retries: be?.spec.retries ?? 3,
    retryOn: fe.mode === 'http' ? (be?.spec.retryOn ?? RE_CONN_FAILED) : RE_CONN_FAILED,
    sessions: frontend.sessions,
    frontend,
    monitorUri: fe.monitorUri ? Buffer.from(fe.monitorUri, 'latin1') : null,
    statsPage: frontend.statsPage ?? (be !== null ? (frontend.backendStatsPages?.get(be) ?? null) : null),
  };
}
