/**
 * The haproxy.cfg model (contract A): what the balancer runs from. Every object is strict (an unknown
 * key is a bug in the parser, not something to carry along), defaults and units live here, and the
 * loader returns the parsed value deep-frozen. Times are milliseconds, sizes are bytes.
 */
import { z } from 'zod';
import { deepFreeze } from '../common/deep-freeze.ts';

/**
 * A default every parse shares: one deep-frozen value, where a default given as a value is copied into
 * each object (zod clones it). The loaded model is deep-frozen anyway, so the sharing cannot be seen, and
 * a generated configuration of 100 000 proxies is spared millions of empty arrays and default objects.
 */
function shared<T>(value: T): () => T {
  const frozen = deepFreeze(value);
  return () => frozen;
}
const EMPTY_LIST = shared([]);
const EMPTY_RECORD = shared({});

// ---------------------------------------------------------------------------------------------
// Values

/** HAProxy's largest timer: 2^31-1 ms (about 24.8 days). */
export const MAX_TIME_MS = 2147483647;

export const TimeMs = z.int().min(0).max(MAX_TIME_MS);
export const Port = z.int().min(0).max(65535);
export const Family = z.union([z.literal(4), z.literal(6)]);

export const InetAddressSchema = z.strictObject({
  kind: z.literal('inet'),
  /** 4 or 6 when the address (or an `ipv4@`/`ipv6@` prefix) says so; null for `*`, `''` and host names. */
  family: Family.nullable(),
  /** '' = any address (from `*`, `:port`, `0.0.0.0` stays literal). IPv6 without brackets. */
  host: z.string(),
  /** True when `host` is a DNS name that the engine must resolve (servers, log targets). */
  hostname: z.boolean().default(false),
  portMin: Port,
  portMax: Port,
});
export const UnixAddressSchema = z.strictObject({ kind: z.literal('unix'), path: z.string().min(1) });
export const FdAddressSchema = z.strictObject({ kind: z.literal('fd'), fd: z.int().min(0) });
export const AddressSchema = z.discriminatedUnion('kind', [
  InetAddressSchema,
  UnixAddressSchema,
  FdAddressSchema,
]);

export const CidrSchema = z.strictObject({
  family: Family,
  /** Normalised textual address (network bits as written; host bits are kept, HAProxy masks them). */
  address: z.string(),
  prefix: z.int().min(0).max(128),
});

const Where = { file: z.string(), line: z.int().min(0) };

// ---------------------------------------------------------------------------------------------
// ACLs and conditions

export const ConverterSchema = z.strictObject({ name: z.string(), args: z.array(z.string()) });

/** `fetch(args),conv(args) [flags] [values]` — the part shared by named and anonymous ACLs. */
export const AclCriterionSchema = z.strictObject({
  fetch: z.string(),
  fetchArgs: z.array(z.string()),
  converters: z.array(ConverterSchema),
  /** Flags as written, in order, e.g. ['-i'], ['-m', 'beg'] is stored as match. */
  ignoreCase: z.boolean().default(false),
  /** `-m METHOD` or implied by the fetch suffix (`path_beg` → 'beg'); null = the fetch's default. */
  match: z.string().nullable().default(null),
  /** `-f FILE` pattern files, as written. */
  patternFiles: z.array(z.string()).default(EMPTY_LIST),
  /** Other flags (`-n`, `-u ID`, `-M`), as written. */
  otherFlags: z.array(z.string()).default(EMPTY_LIST),
  values: z.array(z.string()),
});

export const AclSchema = z.strictObject({ name: z.string(), ...AclCriterionSchema.shape, ...Where });

export const ConditionTermSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('named'), negate: z.boolean(), name: z.string() }),
  z.strictObject({ kind: z.literal('inline'), negate: z.boolean(), criterion: AclCriterionSchema }),
]);

/** `if|unless` followed by OR-ed groups of AND-ed terms: `if a b || !c` = [[a, b], [!c]]. */
export const ConditionSchema = z.strictObject({
  polarity: z.enum(['if', 'unless']),
  anyOf: z.array(z.array(ConditionTermSchema).min(1)),
});

// ---------------------------------------------------------------------------------------------
// Rules (http-request, http-response, http-after-response, tcp-request, tcp-response)

const RuleBase = { cond: ConditionSchema.nullable().default(null), ...Where };

export const ReturnBodySchema = z.strictObject({
  kind: z.enum(['none', 'string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles']),
  value: z.string().default(''),
});

export const HttpRuleSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('allow'), ...RuleBase }),
  z.strictObject({
    action: z.enum(['deny', 'tarpit']),
    /** `deny_status` / `status`; null when not written (403 in http-request, 502 in http-response). */
    status: z.int().min(200).max(599).nullable().default(null),
    /** `deny_status` / `status` may be followed by a `return`-like payload; kept when present. */
    body: ReturnBodySchema.nullable().default(null),
    contentType: z.string().nullable().default(null),
    /** `hdr NAME FMT` lines of the payload, in order. */
    headers: z.array(z.strictObject({ name: z.string(), format: z.string() })).default(EMPTY_LIST),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.literal('redirect'),
    type: z.enum(['location', 'prefix', 'scheme']),
    value: z.string(),
    code: z
      .union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)])
      .default(302),
    dropQuery: z.boolean().default(false),
    appendSlash: z.boolean().default(false),
    setCookie: z.string().nullable().default(null),
    clearCookie: z.string().nullable().default(null),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.enum(['set-header', 'add-header', 'early-hint']),
    name: z.string(),
    /** A log-format string, as written (the engine compiles it). */
    format: z.string(),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.literal('del-header'),
    name: z.string(),
    method: z.enum(['str', 'beg', 'end', 'sub', 'reg']).default('str'),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.enum(['replace-header', 'replace-value']),
    name: z.string(),
    regex: z.string(),
    replace: z.string(),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.enum(['replace-path', 'replace-pathq', 'replace-uri']),
    regex: z.string(),
    replace: z.string(),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.enum(['set-path', 'set-pathq', 'set-query', 'set-uri', 'set-method', 'set-status-text']),
    format: z.string(),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.literal('set-status'),
    status: z.int().min(100).max(999),
    reason: z.string().nullable().default(null),
    ...RuleBase,
  }),
  z.strictObject({
    action: z.literal('return'),
    status: z.int().min(200).max(599).default(200),
    contentType: z.string().nullable().default(null),
    body: ReturnBodySchema,
    headers: z.array(z.strictObject({ name: z.string(), format: z.string() })).default(EMPTY_LIST),
    ...RuleBase,
  }),
  z.strictObject({ action: z.literal('auth'), realm: z.string().nullable().default(null), ...RuleBase }),
  z.strictObject({
    action: z.literal('set-var'),
    scope: z.string(),
    variable: z.string(),
    expression: z.string(),
    ...RuleBase,
  }),
  /** Any other action (capture, track-sc*, set-log-level, use-service, cache-use, …): parsed loosely. */
  z.strictObject({ action: z.literal('other'), name: z.string(), args: z.array(z.string()), ...RuleBase }),
]);

export const TcpRuleSchema = z.strictObject({
  stage: z.enum(['connection', 'session', 'content']),
  action: z.string(),
  args: z.array(z.string()),
  ...RuleBase,
});

// ---------------------------------------------------------------------------------------------
// Logging

export const LogTargetSchema = z.discriminatedUnion('kind', [
  /** `log global`: use the global section's targets. */
  z.strictObject({ kind: z.literal('global'), ...Where }),
  z.strictObject({
    kind: z.literal('target'),
    /** As written: `127.0.0.1`, `udp@host:514`, `/dev/log`, `stdout`, `ring@name`. */
    target: z.string(),
    /** Parsed address when the target is a socket address (default port 514); null for stdout/stderr/ring. */
    address: AddressSchema.nullable(),
    facility: z.string(),
    level: z.string().nullable().default(null),
    minLevel: z.string().nullable().default(null),
    format: z.string().nullable().default(null),
    len: z.int().nullable().default(null),
    sample: z.string().nullable().default(null),
    ...Where,
  }),
]);

// ---------------------------------------------------------------------------------------------
// Global section

export const StatsSocketSchema = z.strictObject({
  address: AddressSchema,
  level: z.enum(['user', 'operator', 'admin']).default('operator'),
  /** Unix socket permissions (octal as a number), null = umask. */
  mode: z.int().min(0).max(0o7777).nullable().default(null),
  user: z.string().nullable().default(null),
  group: z.string().nullable().default(null),
  uid: z.int().nullable().default(null),
  gid: z.int().nullable().default(null),
  exposeFdListeners: z.boolean().default(false),
  /** Other bind options on the socket line, as parsed. */
  options: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])).default(EMPTY_RECORD),
  ...Where,
});

export const DEFAULT_HEALTH_SOCKET_PATH = '/run/balancer/health.sock';

export const GlobalSectionSchema = z.strictObject({
  maxconn: z.int().min(1).nullable().default(null),
  nbthread: z.int().min(1).nullable().default(null),
  nbproc: z.int().min(1).nullable().default(null),
  daemon: z.boolean().default(false),
  masterWorker: z.boolean().default(false),
  pidfile: z.string().nullable().default(null),
  chroot: z.string().nullable().default(null),
  user: z.string().nullable().default(null),
  group: z.string().nullable().default(null),
  uid: z.int().nullable().default(null),
  gid: z.int().nullable().default(null),
  ulimitN: z.int().nullable().default(null),
  /** Percent (0–50) of random jitter on health-check intervals. */
  spreadChecks: z.int().min(0).max(50).default(0),
  log: z.array(LogTargetSchema).default(EMPTY_LIST),
  logTag: z.string().nullable().default(null),
  statsSockets: z.array(StatsSocketSchema).default(EMPTY_LIST),
  /** `stats timeout`, ms. */
  statsTimeout: TimeMs.default(10000),
  statsMaxconn: z.int().min(1).default(10),
  tuneBufsize: z.int().min(1024).default(16384),
  /** Reserve kept free in a buffer for header rewriting (HAProxy: 1024, at most half of bufsize). */
  tuneMaxrewrite: z.int().min(0).default(1024),
  tuneHttpMaxhdr: z.int().min(1).max(32767).default(101),
  /** `tune.h2.*`: HTTP/2 SETTINGS a client connection announces (HAProxy 2.6's defaults). */
  tuneH2MaxConcurrentStreams: z.int().min(1).default(100),
  tuneH2InitialWindowSize: z.int().min(0).max(2147483647).default(65535),
  tuneH2HeaderTableSize: z.int().min(0).max(65536).default(4096),
  /** OUR extension: `health-socket PATH [mode OCTAL]`, the Unix socket the ha-agent tracks. */
  healthSocket: z
    .strictObject({ path: z.string().min(1), mode: z.int().min(0).max(0o7777) })
    .default(shared({ path: DEFAULT_HEALTH_SOCKET_PATH, mode: 0o660 })),
  hardStopAfter: TimeMs.nullable().default(null),
  /**
   * OUR extension: start even when keywords that decide access, routing or encryption are not
   * implemented yet (they are then ignored, loudly). Off by default: the balancer fails closed.
   */
  unsafeIgnoreUnimplemented: z.boolean().default(false),
  node: z.string().nullable().default(null),
  description: z.string().nullable().default(null),
  caBase: z.string().nullable().default(null),
  crtBase: z.string().nullable().default(null),
  /** `ssl-*` keywords and other keywords accepted without a dedicated field, last one wins, args as written. */
  settings: z.record(z.string(), z.array(z.string())).default(EMPTY_RECORD),
  /**
   * `cpu-map [auto:]<process-set>[/<thread-set>] <cpu-set>…`, every line in order. Sets are as written
   * (`all`, `odd`, `even`, `N`, `N-M`); the parser checked their syntax.
   */
  cpuMap: z
    .array(
      z.strictObject({
        auto: z.boolean(),
        processes: z.string(),
        threads: z.string().nullable(),
        cpus: z.array(z.string()),
        ...Where,
      }),
    )
    .default(EMPTY_LIST),
});

// ---------------------------------------------------------------------------------------------
// Servers

export const ServerSchema = z.strictObject({
  name: z.string(),
  address: AddressSchema,
  /**
   * null: the port in `address` is the destination. A number: the destination port is the client's
   * destination port plus this offset (`+N`/`-N`, or no port at all = 0).
   */
  portOffset: z.int().nullable().default(null),
  check: z.boolean().default(false),
  checkSsl: z.boolean().default(false),
  checkSendProxy: z.boolean().default(false),
  /** Health-check interval, ms. */
  inter: TimeMs.default(2000),
  /** ms; resolved to `inter` when not set. */
  fastinter: TimeMs,
  /** ms; resolved to `inter` when not set. */
  downinter: TimeMs,
  rise: z.int().min(1).default(2),
  fall: z.int().min(1).default(3),
  weight: z.int().min(0).max(256).default(1),
  maxconn: z.int().min(0).nullable().default(null),
  maxqueue: z.int().min(0).nullable().default(null),
  minconn: z.int().min(0).nullable().default(null),
  cookie: z.string().nullable().default(null),
  backup: z.boolean().default(false),
  disabled: z.boolean().default(false),
  /** Health-check port / address overrides. */
  port: Port.nullable().default(null),
  addr: z.string().nullable().default(null),
  ssl: z.boolean().default(false),
  verify: z.enum(['none', 'required']).nullable().default(null),
  sni: z.string().nullable().default(null),
  observe: z.enum(['layer4', 'layer7']).nullable().default(null),
  onError: z.enum(['fastinter', 'fail-check', 'sudden-death', 'mark-down']).default('fail-check'),
  errorLimit: z.int().min(1).default(10),
  /** ms, 0 = off. */
  slowstart: TimeMs.default(0),
  sendProxy: z.boolean().default(false),
  sendProxyV2: z.boolean().default(false),
  agentCheck: z.boolean().default(false),
  agentPort: Port.nullable().default(null),
  agentInter: TimeMs.nullable().default(null),
  agentAddr: z.string().nullable().default(null),
  agentSend: z.string().nullable().default(null),
  redir: z.string().nullable().default(null),
  track: z.string().nullable().default(null),
  initAddr: z.array(z.string()).nullable().default(null),
  resolvers: z.string().nullable().default(null),
  resolvePrefer: z.enum(['ipv4', 'ipv6']).nullable().default(null),
  id: z.int().nullable().default(null),
  /** Options accepted and kept as written (ciphers, ca-file, crt, alpn, proto, pool-*, …). */
  other: z.record(z.string(), z.union([z.string(), z.boolean()])).default(EMPTY_RECORD),
  ...Where,
});

// ---------------------------------------------------------------------------------------------
// Proxies

export const BindSchema = z.strictObject({
  address: AddressSchema,
  /**
   * Bind options as parsed: flags are `true`, numbers for maxconn/backlog/id/nice/mode(octal)/uid/gid,
   * strings otherwise (name, crt, interface, process/thread, alpn, …). `ssl` and `crt` are repeated
   * in `crt` as a comma-joined string when several are given.
   */
  options: z.record(z.string(), z.union([z.string(), z.boolean(), z.number()])),
  /** True when the bind came from the legacy `frontend NAME ADDR:PORT` form. */
  legacy: z.boolean().default(false),
  ...Where,
});

const nullableTime = TimeMs.nullable().default(null);
export const TimeoutsSchema = z.strictObject({
  client: nullableTime,
  server: nullableTime,
  connect: nullableTime,
  httpRequest: nullableTime,
  httpKeepAlive: nullableTime,
  queue: nullableTime,
  tunnel: nullableTime,
  clientFin: nullableTime,
  serverFin: nullableTime,
  check: nullableTime,
  tarpit: nullableTime,
});

/** Options that are plain on/off switches (may be prefixed with `no`). */
export const BOOLEAN_OPTIONS = [
  'abortonclose',
  'accept-invalid-http-request',
  'accept-invalid-http-response',
  'allbackups',
  'checkcache',
  'clitcpka',
  'contstats',
  'disable-h2-upgrade',
  'dontlog-normal',
  'dontlognull',
  'h1-case-adjust-bogus-client',
  'h1-case-adjust-bogus-server',
  'http-buffer-request',
  'http-ignore-probes',
  'http-keep-alive',
  'http-no-delay',
  'http-pretend-keepalive',
  'http-server-close',
  'http-use-proxy-header',
  'httpclose',
  'idle-close-on-response',
  'independent-streams',
  'log-health-checks',
  'log-separate-errors',
  'logasap',
  'nolinger',
  'persist',
  'prefer-last-server',
  'redispatch',
  'socket-stats',
  'splice-auto',
  'splice-request',
  'splice-response',
  'srvtcpka',
  'tcp-smart-accept',
  'tcp-smart-connect',
  'tcpka',
  'transparent',
] as const;
export type BooleanOptionName = (typeof BOOLEAN_OPTIONS)[number];

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
export function camelCase<S extends string>(s: S): CamelCase<S> {
  return s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;
}

const booleanOptionShape = Object.fromEntries(
  BOOLEAN_OPTIONS.map((name) => [camelCase(name), z.boolean().default(false)]),
) as { [K in BooleanOptionName as CamelCase<K>]: z.ZodDefault<z.ZodBoolean> };

export const ForwardforSchema = z.strictObject({
  except: CidrSchema.nullable().default(null),
  header: z.string().default('x-forwarded-for'),
  ifNone: z.boolean().default(false),
});

export const HttpchkSchema = z.strictObject({
  method: z.string().default('OPTIONS'),
  uri: z.string().default('/'),
  version: z.string().default('HTTP/1.0'),
  /** Extra request headers given in the legacy `VER\r\nHost:\ x` form, as written after the version. */
  extra: z.string().nullable().default(null),
});

export const OptionsSchema = z.strictObject({
  ...booleanOptionShape,
  httplog: z.boolean().default(false),
  /** `option httplog clf`. */
  httplogClf: z.boolean().default(false),
  httpslog: z.boolean().default(false),
  tcplog: z.boolean().default(false),
  forwardfor: ForwardforSchema.nullable().default(null),
  originalto: z
    .strictObject({ except: CidrSchema.nullable(), header: z.string().default('x-original-to') })
    .nullable()
    .default(null),
  httpchk: HttpchkSchema.nullable().default(null),
  /** `option redispatch <interval>`: redispatch on every Nth retry (negative: count from the last); null = last. */
  redispatchInterval: z.int().nullable().default(null),
  /** The other check kinds: tcp-check, ssl-hello-chk, smtpchk, mysql-check, pgsql-check, redis-check, ldap-check, spop-check, external-check. */
  checkType: z.string().nullable().default(null),
  checkArgs: z.array(z.string()).default(EMPTY_LIST),
});

export const CookieSchema = z.strictObject({
  name: z.string(),
  /** null = the server sets the cookie itself and the balancer only reads it. */
  mode: z.enum(['rewrite', 'insert', 'prefix']).nullable().default(null),
  indirect: z.boolean().default(false),
  nocache: z.boolean().default(false),
  postonly: z.boolean().default(false),
  preserve: z.boolean().default(false),
  httponly: z.boolean().default(false),
  secure: z.boolean().default(false),
  domains: z.array(z.string()).default(EMPTY_LIST),
  /** ms, null = unset. */
  maxidle: TimeMs.nullable().default(null),
  maxlife: TimeMs.nullable().default(null),
  dynamic: z.boolean().default(false),
  attrs: z.array(z.string()).default(EMPTY_LIST),
  ...Where,
});

export const StatsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  uri: z.string().default('/haproxy?stats'),
  realm: z.string().nullable().default(null),
  auth: z.array(z.strictObject({ user: z.string(), password: z.string() })).default(EMPTY_LIST),
  hideVersion: z.boolean().default(false),
  /** ms, null = no refresh. */
  refresh: TimeMs.nullable().default(null),
  admin: z.array(ConditionSchema).default(EMPTY_LIST),
  showNode: z.string().nullable().default(null),
  showDesc: z.string().nullable().default(null),
  showLegends: z.boolean().default(false),
  showModules: z.boolean().default(false),
  scope: z.array(z.string()).default(EMPTY_LIST),
  httpRequest: z.array(HttpRuleSchema).default(EMPTY_LIST),
  ...Where,
});

export const HttpCheckRuleSchema = z.strictObject({
  /** send | expect | connect | comment | disable-on-404 | send-state | set-var | unset-var */
  kind: z.string(),
  /** For `expect`: [!]status|rstatus|string|rstring|hdr|fhdr|custom + pattern, as written. */
  args: z.array(z.string()),
  ...Where,
});

export const CaptureSchema = z.strictObject({
  kind: z.enum(['request header', 'response header', 'cookie']),
  name: z.string(),
  len: z.int().min(1),
  ...Where,
});

/** A proxy keyword accepted and kept as written (stick-table, stick on, source, filter, …). */
export const RawDirectiveSchema = z.strictObject({
  keyword: z.string(),
  args: z.array(z.string()),
  ...Where,
});

/** `hash-type <method> <function>`: the functions HAProxy 2.6 offers ('none' came with 2.8). */
export const HASH_FUNCTIONS = ['sdbm', 'djb2', 'wt6', 'crc32'] as const;

/** The algorithms of `balance` that take no argument. */
export const SIMPLE_BALANCE_ALGORITHMS = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source'] as const;
export type SimpleBalanceAlgorithm = (typeof SIMPLE_BALANCE_ALGORITHMS)[number];

/** `balance <algorithm> [arguments]` (configuration.txt §4.2), one variant per algorithm. */
export const BalanceSchema = z.discriminatedUnion('algorithm', [
  z.strictObject({ algorithm: z.enum(SIMPLE_BALANCE_ALGORITHMS) }),
  z.strictObject({
    algorithm: z.literal('uri'),
    /** hash the query string too */
    whole: z.boolean(),
    /** hash only the path (an absolute URI's scheme and authority are skipped) */
    pathOnly: z.boolean(),
    /** hash at most this many characters */
    len: z.int().min(1).nullable(),
    /** hash at most this many directories */
    depth: z.int().min(1).nullable(),
  }),
  z.strictObject({ algorithm: z.literal('url_param'), param: z.string(), checkPost: z.boolean() }),
  z.strictObject({ algorithm: z.literal('hdr'), header: z.string(), useDomainOnly: z.boolean() }),
  z.strictObject({ algorithm: z.literal('random'), draws: z.int().min(1) }),
  z.strictObject({ algorithm: z.literal('rdp-cookie'), cookie: z.string() }),
  z.strictObject({ algorithm: z.literal('hash'), expression: z.string() }),
]);
export type Balance = z.infer<typeof BalanceSchema>;

export const ProxySchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['frontend', 'backend', 'listen']),
  /** Name of the defaults section this proxy inherited from ('' for an anonymous one), null if none. */
  defaults: z.string().nullable().default(null),
  capabilities: z.strictObject({ frontend: z.boolean(), backend: z.boolean() }),
  mode: z.enum(['http', 'tcp']).default('tcp'),
  id: z.int().nullable().default(null),
  description: z.string().nullable().default(null),
  disabled: z.boolean().default(false),
  maxconn: z.int().min(0).nullable().default(null),
  fullconn: z.int().min(0).nullable().default(null),
  backlog: z.int().min(0).nullable().default(null),
  binds: z.array(BindSchema).default(EMPTY_LIST),
  timeouts: TimeoutsSchema.default(shared(TimeoutsSchema.parse({}))),
  options: OptionsSchema.default(shared(OptionsSchema.parse({}))),
  httpReuse: z.enum(['never', 'safe', 'aggressive', 'always']).default('safe'),
  retries: z.int().min(0).default(3),
  retryOn: z.array(z.string()).default(shared(['conn-failure'])),
  defaultBackend: z.string().nullable().default(null),
  useBackends: z
    .array(z.strictObject({ backend: z.string(), cond: ConditionSchema.nullable(), ...Where }))
    .default(EMPTY_LIST),
  useServers: z
    .array(z.strictObject({ server: z.string(), cond: ConditionSchema.nullable(), ...Where }))
    .default(EMPTY_LIST),
  /** `force-persist` / `ignore-persist` in file order (the first whose condition holds decides) */
  persistRules: z
    .array(z.strictObject({ type: z.enum(['force', 'ignore']), cond: ConditionSchema, ...Where }))
    .default(EMPTY_LIST),
  acls: z.array(AclSchema).default(EMPTY_LIST),
  httpRequestRules: z.array(HttpRuleSchema).default(EMPTY_LIST),
  httpResponseRules: z.array(HttpRuleSchema).default(EMPTY_LIST),
  httpAfterResponseRules: z.array(HttpRuleSchema).default(EMPTY_LIST),
  tcpRequestRules: z.array(TcpRuleSchema).default(EMPTY_LIST),
  tcpResponseRules: z.array(TcpRuleSchema).default(EMPTY_LIST),
  /** `tcp-request inspect-delay`, ms. */
  tcpRequestInspectDelay: TimeMs.nullable().default(null),
  tcpResponseInspectDelay: TimeMs.nullable().default(null),
  /** Legacy `redirect` keyword rules (same shape as http-request redirect). */
  redirects: z.array(HttpRuleSchema).default(EMPTY_LIST),
  monitorUri: z.string().nullable().default(null),
  /** `monitor fail if|unless COND`: a monitor-uri request gets a 503 when one holds */
  monitorFail: z.array(z.strictObject({ cond: ConditionSchema, ...Where })).default(EMPTY_LIST),
  /** Status code → absolute path of a raw HTTP response file. */
  errorfiles: z.record(z.string(), z.string()).default(EMPTY_RECORD),
  /** Status code → redirect (errorloc/errorloc302 = 302, errorloc303 = 303). */
  errorlocs: z
    .record(
      z.string(),
      z.strictObject({ code: z.union([z.literal(302), z.literal(303)]), location: z.string() }),
    )
    .default(EMPTY_RECORD),
  /** `errorfiles NAME [CODE…]`: http-errors sections to import (resolved into `errorfiles` too). */
  errorfilesFrom: z
    .array(z.strictObject({ name: z.string(), codes: z.array(z.int()), ...Where }))
    .default(EMPTY_LIST),
  /** `balance …`; null when none is written (roundrobin, unless `dispatch` is set). */
  balance: BalanceSchema.nullable().default(null),
  /** `dispatch ADDR:PORT`: where traffic goes when the backend balances nothing (no `balance` line). */
  dispatch: z
    .strictObject({ host: z.string(), port: z.int().min(1).max(65535) })
    .nullable()
    .default(null),
  hashType: z
    .strictObject({
      method: z.enum(['map-based', 'consistent']),
      function: z.enum(HASH_FUNCTIONS),
      modifier: z.literal('avalanche').nullable(),
    })
    .default(shared({ method: 'map-based' as const, function: 'sdbm' as const, modifier: null })),
  hashBalanceFactor: z.int().min(0).nullable().default(null),
  cookie: CookieSchema.nullable().default(null),
  servers: z.array(ServerSchema).default(EMPTY_LIST),
  stats: StatsSchema.nullable().default(null),
  httpChecks: z.array(HttpCheckRuleSchema).default(EMPTY_LIST),
  tcpChecks: z.array(HttpCheckRuleSchema).default(EMPTY_LIST),
  log: z.array(LogTargetSchema).default(EMPTY_LIST),
  logFormat: z.string().nullable().default(null),
  /** Where the log format in effect was set (`option httplog|httpslog|tcplog`, `log-format`; maybe in defaults). */
  logFormatAt: z.strictObject(Where).nullable().default(null),
  logTag: z.string().nullable().default(null),
  /** `log-format-sd`: the RFC 5424 structured data of access lines (a log-format string) */
  logFormatSd: z.string().nullable().default(null),
  errorLogFormat: z.string().nullable().default(null),
  uniqueIdFormat: z.string().nullable().default(null),
  uniqueIdHeader: z.string().nullable().default(null),
  captures: z.array(CaptureSchema).default(EMPTY_LIST),
  compression: z
    .strictObject({
      algorithms: z.array(z.string()).default(EMPTY_LIST),
      types: z.array(z.string()).default(EMPTY_LIST),
      offload: z.boolean().default(false),
    })
    .nullable()
    .default(null),
  /** Keywords accepted and kept as written, in order (stick-table, stick on, source, filter, …). */
  other: z.array(RawDirectiveSchema).default(EMPTY_LIST),
  ...Where,
});

export const UserlistSchema = z.strictObject({
  name: z.string(),
  groups: z.array(z.strictObject({ name: z.string(), users: z.array(z.string()) })),
  users: z.array(
    z.strictObject({
      name: z.string(),
      password: z.string(),
      insecure: z.boolean(),
      groups: z.array(z.string()),
    }),
  ),
  ...Where,
});

export const HttpErrorsSchema = z.strictObject({
  name: z.string(),
  /** Status code → absolute path. */
  errorfiles: z.record(z.string(), z.string()),
  ...Where,
});

/** Sections accepted and kept as written but not modelled yet (resolvers, peers, mailers, cache, ring, program). */
export const OtherSectionSchema = z.strictObject({
  kind: z.string(),
  name: z.string(),
  directives: z.array(RawDirectiveSchema),
  ...Where,
});

export const HaproxyConfigSchema = z.strictObject({
  global: GlobalSectionSchema,
  proxies: z.array(ProxySchema),
  userlists: z.array(UserlistSchema),
  httpErrors: z.array(HttpErrorsSchema).default(EMPTY_LIST),
  otherSections: z.array(OtherSectionSchema).default(EMPTY_LIST),
});

export type Address = z.infer<typeof AddressSchema>;
export type InetAddress = z.infer<typeof InetAddressSchema>;
export type Cidr = z.infer<typeof CidrSchema>;
export type AclCriterion = z.infer<typeof AclCriterionSchema>;
export type Acl = z.infer<typeof AclSchema>;
export type ConditionTerm = z.infer<typeof ConditionTermSchema>;
export type Condition = z.infer<typeof ConditionSchema>;
export type HttpRule = z.infer<typeof HttpRuleSchema>;
export type TcpRule = z.infer<typeof TcpRuleSchema>;
export type LogTarget = z.infer<typeof LogTargetSchema>;
export type StatsSocket = z.infer<typeof StatsSocketSchema>;
export type GlobalSection = z.infer<typeof GlobalSectionSchema>;
export type Server = z.infer<typeof ServerSchema>;
export type Bind = z.infer<typeof BindSchema>;
export type Timeouts = z.infer<typeof TimeoutsSchema>;
export type Options = z.infer<typeof OptionsSchema>;
export type Cookie = z.infer<typeof CookieSchema>;
export type Stats = z.infer<typeof StatsSchema>;
export type Proxy = z.infer<typeof ProxySchema>;
/** Same as `Proxy`, for code that must not shadow the global `Proxy`. */
export type HaproxyProxy = Proxy;
export type Userlist = z.infer<typeof UserlistSchema>;
export type HttpErrors = z.infer<typeof HttpErrorsSchema>;
export type OtherSection = z.infer<typeof OtherSectionSchema>;
export type HaproxyConfig = z.infer<typeof HaproxyConfigSchema>;
/** What the parser hands to the schema (defaults not yet applied). */
export type HaproxyConfigInput = z.input<typeof HaproxyConfigSchema>;
