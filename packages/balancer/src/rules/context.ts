/**
 * The per-request context the compiled rules read and write: the request and response heads (through
 * HeadView, so edits are seen), the connection's addresses, the proxy/server names, variables and
 * captures. A session owns one and resets it per request; nothing is allocated per request unless a
 * rule stores something (a variable, a capture, an added header).
 */
import { type Credentials, parseAuthorization } from '../auth/basic-credentials.ts';
import type { BackendState } from '../backend/backend.ts';
import type { ServerState } from '../backend/server.ts';
import type { Transaction } from '../http/transaction.ts';
import type { ClientTls } from '../tls/tls-info.ts';
import { HeaderCursor } from './fetches/headers.ts';
import { HeadView } from './head-view.ts';
import type { Sample } from './sample.ts';

const AUTH_CURSOR = new HeaderCursor();

/** `set-var(proc.x)`: one process-wide scope. */
const PROC_VARS = new Map<string, Sample>();

/** What a frontend's rules may need from the running engine (resolved lazily: backends exist after compile). */
export interface RuleEnv {
  backend(name: string): BackendState | null;
  /**
   * `use-service prometheus-exporter`: the exporter's text for a query string (the engine's stats).
   * It counts the request as the frontend's `intercepted` first, as HAProxy does when it attaches the
   * service, so the scrape sees itself (test/prometheus/self-count.test.ts).
   */
  prometheus?: (query: string) => string;
}

export const NO_ENV: RuleEnv = { backend: () => null };

const NO_SLOTS: readonly number[] = [];

/** RuleContext.persist: a `force-persist` rule held (SF_FORCE_PRST) */
export const PERSIST_FORCE = 1;
/** RuleContext.persist: an `ignore-persist` rule held (SF_IGNORE_PRST) */
export const PERSIST_IGNORE = 2;

export class RuleContext {
  readonly req = new HeadView();
  readonly res = new HeadView();
  tx: Transaction | null = null;
  env: RuleEnv = NO_ENV;
  /** the method as it stands after set-method */
  method = '';
  versionMinor = 1;
  /** the request target as it stands, once computed for this request (path rewrites clear it) */
  uri: string | null = null;
  /** its path part, once computed (cleared with `uri`) */
  path: string | null = null;
  /** response status as it stands (set-status); 0 before a response exists */
  status = 0;
  reason: string | null = null;
  /** true while response rules run */
  inResponse = false;
  src = '';
  /** set-src/set-dst/…-port changed an address: the session updates forwardfor, balancing and logs */
  addrSet = false;
  srcPort = 0;
  /** the client connection's TLS facts (ssl_fc* / ssl_c_* fetches); null on clear text */
  tls: ClientTls | null = null;
  dst = '';
  dstPort = 0;
  feName = '';
  beName = '';
  srvName = '';
  /** set when a request rule or use_backend chose a backend by name */
  backendName: string | null = null;
  /** the response a terminal action produced (deny, return, redirect), null while none */
  reply: Buffer | null = null;
  /** what the client gets as the status of `reply` (for logs and after-response) */
  replyStatus = 0;
  /** what the log's termination state says of `reply`: P (deny, tarpit) or L (return, redirect, auth) */
  replyCause: 'P' | 'L' = 'L';
  /** the client connection closes after `reply` (deny, as HAProxy does) */
  replyClose = false;
  /** request rules asked to close the connection (reject) */
  reject = false;
  /** the backend's force-persist (PERSIST_FORCE) or ignore-persist (PERSIST_IGNORE) rule that held, else 0 */
  persist = 0;
  /** the server a `use-server` rule assigned (before the cookie), else null */
  useServer: ServerState | null = null;
  /** `tarpit`: `reply` is sent after `tarpitMs` (null: no timeout set, held until the client's) */
  tarpit = false;
  tarpitMs: number | null = null;
  /** the terminal action was a denial (deny, reject, tarpit: HAProxy's dreq/dresp), not an answer */
  denied = false;
  /** the action counted the request as intercepted already (use-service) */
  intercepted = false;
  /** the terminal action was the backend's (its http-request rules): the backend counts the answer */
  byBackend = false;
  /** `tcp-request content`: the client's bytes inspected so far (layer-6 fetches read them); null: none */
  payload: Buffer | null = null;
  /** `tcp-response content`: the server's bytes inspected so far (res.len, res.payload); null: none */
  resPayload: Buffer | null = null;
  /**
   * No more bytes can change what a fetch finds (the inspect delay ended, the client closed, the
   * buffer is full, or nothing waits): HAProxy's SMP_OPT_FINAL
   */
  final = true;
  /** a fetch found its bytes incomplete (HAProxy's SMP_F_MAY_CHANGE): the condition waits for more */
  mayChange = false;
  readonly sessVars = new Map<string, Sample>();
  readonly txnVars = new Map<string, Sample>();
  readonly procVars = PROC_VARS;
  readonly reqCaptures: (string | null)[] = [];
  /** the request's Authorization header, read at the first http_auth* fetch */
  private auth: Credentials | null = null;
  readonly resCaptures: (string | null)[] = [];
  /** the frontend's capture slots: the length of each (`capture … id N` writes slot N when it exists) */
  reqCapLen: readonly number[] = NO_SLOTS;
  resCapLen: readonly number[] = NO_SLOTS;

  /** The request's credentials (the first `Authorization` header), parsed once per request. */
  credentials(): Credentials {
    if (this.auth === null) {
      AUTH_CURSOR.start(this.req, 'authorization', false);
      this.auth = parseAuthorization(AUTH_CURSOR.next());
    }
    return this.auth;
  }

  /** A new request: forget the previous one's transaction state. */
  resetRequest(): void {
    this.auth = null;
    if (this.txnVars.size > 0) this.txnVars.clear();
    for (let i = 0; i < this.reqCaptures.length; i++) this.reqCaptures[i] = null;
    for (let i = 0; i < this.resCaptures.length; i++) this.resCaptures[i] = null;
    this.backendName = null;
    this.uri = null;
    this.path = null;
    this.reply = null;
    this.replyStatus = 0;
    this.replyCause = 'L';
    this.reject = false;
    this.persist = 0;
    this.useServer = null;
    this.tarpit = false;
    this.denied = false;
    this.intercepted = false;
    this.byBackend = false;
    this.replyClose = false;
    this.status = 0;
    this.reason = null;
    this.inResponse = false;
    this.srvName = '';
    this.res.reset(null, null, null);
  }

  vars(scope: string): Map<string, Sample> {
    if (scope === 'sess') return this.sessVars;
    if (scope === 'proc') return this.procVars;
    return this.txnVars;
  }
}
