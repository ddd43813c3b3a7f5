/**
 * What the engine does with each haproxy.cfg feature the parser records (a `KeywordUse`). This is the
 * balancer's own knowledge and the one place it is written: `-c` and start-up both read it, and
 * `test/in-effect.test.ts` shows every `applied` entry's effect on a running engine.
 *
 * - `applied`: the engine applies it (from-haproxy.ts consumes it). No message.
 * - `inert`: there is nothing to apply beyond recording it (`description`, `id`); no message.
 * - `warn`: not applied yet, and ignoring it only changes tuning, logging, reporting, persistence or
 *   availability: one "parsed but not applied yet" warning at its file:line.
 * - `refuse`: not applied yet, and ignoring it would let through traffic the configuration stops, send
 *   traffic elsewhere or in clear text, or serve the proxy differently from what is written: an alert,
 *   the balancer does not start (fail closed). `unsafe-ignore-unimplemented` in `global` turns these
 *   into loud warnings for operators who accept that.
 *
 * Rules match a use's key exactly, or by prefix when they end in `*`; the first match wins.
 */
import { chrootAvailable, unixDatagramAvailable } from '@ha-lb/sd-notify';
import type { KeywordUse } from '@ha-lb/shared-config/haproxy';
import { checkRuleSupport } from '../checks/from-model.ts';
import { APPLIED_ACTIONS } from '../rules/actions/index.ts';
import { TCP_RESPONSE_ACTIONS } from '../rules/tcp-content.ts';
import { TCP_ACTIONS, TCP_STAGES } from '../rules/tcp-rules.ts';

export type Effect =
  | { readonly status: 'applied' }
  | { readonly status: 'inert'; readonly why: string }
  | { readonly status: 'warn'; readonly note: string }
  | { readonly status: 'refuse'; readonly note: string; readonly reason: string };

type Rule = readonly [match: string, effect: Effect];

const APPLIED: Effect = { status: 'applied' };
const inert = (why: string): Effect => ({ status: 'inert', why });
const warn = (note: string): Effect => ({ status: 'warn', note });
const refuse = (note: string, reason: string): Effect => ({ status: 'refuse', note, reason });

// Why ignoring a feature would be unsafe (the end of the alert's sentence).
const ACCESS = 'it decides who may reach what';
const REWRITE = 'it decides who may reach what and what servers and clients see';
const ROUTE = 'it decides where traffic goes';
const CLEAR = 'without it traffic would travel in clear text';
const SERVE = 'without it this proxy would not serve what the configuration says';

// Why a feature is not in effect yet.
const LOG = 'logging is planned';
const CHECKS = 'this part of health checks is planned';
const CHECK_KIND = 'this check kind is planned; a TCP connect check runs instead';
// Why ignoring a check rule would be wrong: the check would pass or fail on something else.
const CHECK_TEST = 'the health check would test something else than the configuration says';
const TLS = 'TLS is planned';
const RULES = 'ACLs and rules are planned';
const MORE_ACTIONS = 'this action is planned; the rule engine applies the others';
const STATS = 'this part of the stats page is planned';
const TUNING = 'this tuning knob is not applied';
const STICK = 'stick tables are planned';
const DNS = 'DNS resolution at runtime is planned';
const WORKERS =
  "worker processes come from 'nbthread N' (every worker serves every bind); tying binds, servers or threads to given workers is not supported";

/** bind TLS options applied by tls/bind-tls.ts (each has its behaviour test in test/tls-effects.ts) */
const TLS_BIND_APPLIED = [
  'ssl',
  'crt',
  'crt-list',
  'ca-file',
  'verify',
  'crl-file',
  'alpn',
  'ciphers',
  'ciphersuites',
  'curves',
  'ssl-min-ver',
  'ssl-max-ver',
  'force-tlsv12',
  'force-tlsv13',
  'no-tlsv12',
  'no-tlsv13',
  'no-tls-tickets',
  'strict-sni',
  'prefer-client-ciphers',
];

/** server TLS options applied by tls/server-tls.ts (tests in test/tls-effects.ts) */
const TLS_SERVER_APPLIED = [
  'ssl',
  'verify',
  'verifyhost',
  'sni',
  'ca-file',
  'crt',
  'ciphers',
  'ciphersuites',
  'alpn',
  'ssl-min-ver',
  'ssl-max-ver',
  'ssl-reuse',
  'check-ssl',
];

const TLS_BIND_OPTIONS = [
  'crt-ignore-err',
  'ca-ignore-err',
  'ca-sign-file',
  'ca-sign-pass',
  'ca-verify-file',
  'npn',
  'ecdhe',
  'sigalgs',
  'client-sigalgs',
  'force-sslv3',
  'force-tlsv10',
  'force-tlsv11',
  'no-tlsv10',
  'no-tlsv11',
  'no-ca-names',
  'allow-0rtt',
  'generate-certificates',
  'tls-ticket-keys',
];

const TLS_SERVER_OPTIONS = [
  'crl-file',
  'curves',
  'sigalgs',
  'client-sigalgs',
  'npn',
  'force-sslv3',
  'force-tlsv10',
  'force-tlsv11',
  'force-tlsv12',
  'force-tlsv13',
  'allow-0rtt',
  'tls-tickets',
];

const RULES_TABLE: readonly Rule[] = [
  // ---- global
  ['pidfile', APPLIED],
  ['global maxconn', APPLIED],
  ['health-socket', APPLIED],
  ['hard-stop-after', APPLIED],
  ['tune.bufsize', APPLIED],
  ['tune.maxrewrite', APPLIED],
  ['tune.http.maxhdr', APPLIED],
  // HTTP/2 SETTINGS of client connections (http/h2-connection.ts; tests in test/h2-effects.ts)
  ['tune.h2.max-concurrent-streams', APPLIED],
  ['tune.h2.initial-window-size', APPLIED],
  ['tune.h2.header-table-size', APPLIED],
  ['unsafe-ignore-unimplemented', APPLIED],
  ['nbthread', APPLIED], // N > 1: N worker processes and a master (src/workers/)
  ['nbproc', inert('HAProxy 2.5 removed it; the parser already warns')],
  ['node', inert('shown by the stats page')],
  ['description', inert('shown by the stats page')],
  ['daemon', APPLIED], // cli/process-mode.ts, cli/daemonize.ts: background unless -db, -d or -Ws
  ['chroot', APPLIED], // cli/jail.ts: the serving process (each worker) after binding; refined in effectOf
  ['master-worker', APPLIED], // a master and its worker(s), src/workers/ (exit-on-failure as 2.6.12)
  ['mworker-max-reloads', warn(WORKERS)],
  ['bind-process', warn(WORKERS)],
  ['thread-group', warn(WORKERS)],
  ['thread-groups', warn(WORKERS)],
  ['cpu-map', APPLIED], // workers/cpu-map.ts (taskset)
  ['numa-cpu-mapping', inert('the balancer does not pin threads')],
  ['user', APPLIED], // cli/privileges.ts
  ['group', APPLIED], // cli/privileges.ts
  ['uid', APPLIED], // cli/privileges.ts
  ['gid', APPLIED], // cli/privileges.ts
  ['ulimit-n', warn('raise LimitNOFILE= in the systemd unit instead')],
  ['fd-hard-limit', warn('raise LimitNOFILE= in the systemd unit instead')],
  ['log', APPLIED], // refined by its target in effectOf
  ['log-tag', APPLIED],
  ['log-send-hostname', APPLIED],
  ['spread-checks', APPLIED],
  ['max-spread-checks', APPLIED],
  ['external-check', warn(CHECKS)],
  ['crt-base', APPLIED],
  ['ca-base', APPLIED],
  ['ssl-default-bind-options', APPLIED],
  ['ssl-default-bind-ciphers', APPLIED],
  ['ssl-default-bind-ciphersuites', APPLIED],
  ['ssl-default-server-options', APPLIED],
  ['ssl-default-server-ciphers', APPLIED],
  ['ssl-default-bind-curves', APPLIED],
  ['ssl-default-server-ciphersuites', APPLIED],
  ['ssl-server-verify', APPLIED],
  ['issuers-chain-path', warn(TLS)],
  ['ssl-*', warn(TLS)],
  ['tune.ssl.*', warn(TLS)],
  ['httpclient.*', warn('the internal HTTP client is not implemented')],
  ['lua-load', refuse('Lua is not supported', SERVE)],
  ['lua-load-per-thread', refuse('Lua is not supported', SERVE)],
  ['lua-prepend-path', refuse('Lua is not supported', SERVE)],
  ['tune.lua.*', warn('Lua is not supported')],
  ['unix-bind', refuse('UNIX socket ownership and permissions are not applied yet', ACCESS)],
  ['set-var', warn(RULES)],
  ['set-var-fmt', warn(RULES)],
  ['51degrees-*', warn('device detection is not implemented')],
  ['deviceatlas-*', warn('device detection is not implemented')],
  ['wurfl-*', warn('device detection is not implemented')],
  ['server-state-base', warn('server state files are planned')],
  ['server-state-file', warn('server state files are planned')],
  ['localpeer', warn(STICK)],
  ['cluster-secret', warn('QUIC is not implemented')],
  ['tune.quic.*', warn('QUIC is not implemented')],
  ['tune.*', warn(TUNING)],
  ['maxconnrate', warn('rate limits are planned')],
  ['maxsessrate', warn('rate limits are planned')],
  ['maxsslrate', warn('rate limits are planned')],
  ['maxsslconn', warn(TLS)],
  ['maxcomprate', warn('compression is planned')],
  ['maxcompcpuusage', warn('compression is planned')],
  ['maxzlibmem', warn('compression is planned')],
  ['maxpipes', inert('the balancer does not splice')],
  ['noepoll', inert('the event loop is libuv’s')],
  ['noevports', inert('the event loop is libuv’s')],
  ['nokqueue', inert('the event loop is libuv’s')],
  ['nopoll', inert('the event loop is libuv’s')],
  ['nosplice', inert('the balancer does not splice')],
  ['busy-polling', inert('the event loop is libuv’s')],
  ['noreuseport', warn(TUNING)],
  ['nogetaddrinfo', inert('name resolution is Node’s')],
  ['no-memory-trimming', inert('memory is managed by V8')],
  ['profiling.*', warn(TUNING)],
  ['grace', warn('graceful stop uses hard-stop-after')],
  ['close-spread-time', warn(TUNING)],
  ['strict-limits', warn(TUNING)],
  ['set-dumpable', warn(TUNING)],
  ['insecure-fork-wanted', inert('the balancer forks nothing')],
  ['insecure-setuid-wanted', inert('the balancer forks nothing')],
  ['expose-experimental-directives', inert('nothing experimental is exposed')],
  ['quiet', APPLIED],
  ['zero-warning', APPLIED],
  ['h1-case-adjust', warn('header case adjustment is planned')],
  ['h1-case-adjust-file', warn('header case adjustment is planned')],
  ['h1-accept-payload-with-any-method', warn('the engine stays strict')],
  ['h2-workaround-bogus-websocket-clients', warn('HTTP/2 is planned')],
  ['pp2-never-send-local', warn('the PROXY protocol is planned')],
  ['ssl-engine', warn(TLS)],
  ['ssl-mode-async', warn(TLS)],
  ['stats socket', APPLIED],
  ['stats timeout', APPLIED],
  ['stats maxconn', warn('the runtime API does not limit its connections yet')],
  ['stats bind-process', inert('one process serves')],

  // ---- sections kept as written
  ['section userlist', APPLIED], // users checked by http_auth*/http-request auth (SHA-crypt or clear passwords)
  ['section peers', warn('stick-table replication is planned')],
  ['section resolvers', warn(DNS)],
  ['section mailers', warn('email alerts are planned')],
  ['section cache', warn('caching is planned')],
  ['section ring', warn('ring buffers for logs are planned')],
  ['section program', warn('external programs are planned')],
  ['section fcgi-app', warn('FastCGI is planned')],
  ['section log-forward', warn('log forwarding is planned')],

  // ---- proxies
  ['mode', APPLIED],
  ['maxconn', APPLIED],
  ['backlog', APPLIED],
  ['bind', APPLIED],
  ['bind name', inert('shown by the stats page')],
  ['bind backlog', APPLIED],
  ['bind maxconn', APPLIED],
  ['bind v4v6', APPLIED],
  ['bind v6only', APPLIED],
  ['bind id', inert('shown by the stats page')],
  ...TLS_BIND_APPLIED.map((o): Rule => [`bind ${o}`, APPLIED]),
  ['bind no-sslv3', inert("SSLv3 is never offered (Node's OpenSSL has none)")],
  ...TLS_BIND_OPTIONS.map(
    (o): Rule => [`bind ${o}`, refuse(`'${o}' on a TLS bind is not implemented`, CLEAR)],
  ),
  ['bind accept-proxy', refuse('the PROXY protocol is planned', SERVE)],
  ['bind accept-netscaler-cip', refuse('the NetScaler client IP protocol is not implemented', SERVE)],
  ['bind proto', APPLIED], // refined by value in effectOf: `proto h2` is what is spoken
  ['bind interface', refuse('binding to an interface is not implemented', ACCESS)],
  ['bind namespace', refuse('network namespaces are not implemented', ACCESS)],
  ['bind transparent', refuse('transparent binding is not implemented', ACCESS)],
  ['bind mode', refuse('UNIX socket permissions are not applied yet', ACCESS)],
  ['bind uid', refuse('UNIX socket ownership is not applied yet', ACCESS)],
  ['bind gid', refuse('UNIX socket ownership is not applied yet', ACCESS)],
  ['bind user', refuse('UNIX socket ownership is not applied yet', ACCESS)],
  ['bind group', refuse('UNIX socket ownership is not applied yet', ACCESS)],
  ['bind quic-*', refuse('QUIC is not implemented', SERVE)],
  ['bind level', warn(STATS)],
  ['bind expose-fd', warn(STATS)],
  ['bind severity-output', warn(STATS)],
  ['bind process', warn(WORKERS)],
  ['bind thread', warn(WORKERS)],
  ['bind shards', warn(WORKERS)],
  ['bind *', warn(TUNING)],
  ['timeout client', APPLIED],
  ['timeout server', APPLIED],
  ['timeout connect', APPLIED],
  ['timeout http-request', APPLIED],
  ['timeout http-keep-alive', APPLIED],
  ['timeout tunnel', APPLIED],
  ['timeout client-fin', APPLIED],
  ['timeout server-fin', APPLIED],
  ['timeout queue', APPLIED],
  ['timeout check', APPLIED],
  ['timeout tarpit', APPLIED],
  ['option http-server-close', APPLIED],
  ['option httpclose', APPLIED],
  ['option http-keep-alive', APPLIED],
  ['option forwardfor', APPLIED],
  ['option transparent', refuse('transparent proxying is not implemented', ROUTE)],
  ['option http-restrict-req-hdr-names', refuse('header-name restrictions are planned', ACCESS)],
  ['option log-health-checks', APPLIED],
  ['option httplog', APPLIED],
  ['option httpslog', APPLIED],
  ['option tcplog', APPLIED],
  ['option dontlognull', APPLIED],
  ['option dontlog-normal', APPLIED],
  ['option log-separate-errors', APPLIED],
  ['option log-*', warn(LOG)],
  ['option logasap', APPLIED],
  ['option http-ignore-probes', warn(LOG)],
  ['option redispatch', APPLIED],
  ['option persist', APPLIED],
  ['option allbackups', APPLIED],
  ['option httpchk', APPLIED],
  ['option tcp-check', APPLIED],
  ['option ssl-hello-chk', warn(CHECK_KIND)],
  ['option smtpchk', warn(CHECK_KIND)],
  ['option mysql-check', warn(CHECK_KIND)],
  ['option pgsql-check', warn(CHECK_KIND)],
  ['option redis-check', warn(CHECK_KIND)],
  ['option ldap-check', warn(CHECK_KIND)],
  ['option spop-check', warn(CHECK_KIND)],
  ['option external-check', warn(CHECK_KIND)],
  ['option checkcache', warn('cacheable-response checks are planned')],
  ['option contstats', inert('counters are always continuous')],
  ['option disable-h2-upgrade', APPLIED], // http/h2-preface.ts; test in test/h2-effects.ts
  ['option splice-*', inert('the balancer does not splice')],
  ['option *', warn('this option is planned')],
  ['server', APPLIED],
  ['default-server', APPLIED],
  ['server weight', APPLIED],
  ['server backup', APPLIED],
  ['server disabled', APPLIED],
  ['server enabled', APPLIED],
  ['server id', inert('shown by the stats page')],
  [
    'server port-offset',
    refuse(
      "a server without a port or with '+N'/'-N' follows the client's destination port, which is planned; write an explicit port",
      ROUTE,
    ),
  ],
  [
    'server any-address',
    refuse(
      "a server at '*', '0.0.0.0' or '::' connects to the address the client connected to, which is planned; write the server's address",
      ROUTE,
    ),
  ],
  ...TLS_SERVER_APPLIED.map((o): Rule => [`server ${o}`, APPLIED]),
  [
    'server crl-file',
    refuse('CRL checking is wired to OpenSSL but not yet shown by a behaviour test', CLEAR),
  ],
  ...TLS_SERVER_OPTIONS.map(
    (o): Rule => [`server ${o}`, refuse(`'${o}' on a TLS server is not implemented`, CLEAR)],
  ),
  ['server send-proxy*', refuse('the PROXY protocol is planned', ACCESS)],
  ['server proxy-v2-options', refuse('the PROXY protocol is planned', ACCESS)],
  ['server set-proxy-v2-tlv-fmt', refuse('the PROXY protocol is planned', ACCESS)],
  ['server socks4', refuse('SOCKS4 is not implemented', ROUTE)],
  ['server namespace', refuse('network namespaces are not implemented', ROUTE)],
  ['server redir', refuse('redirect mode is planned', ROUTE)],
  ['server proto', APPLIED], // refined by value in effectOf: `proto h2` is what is spoken
  ['server cookie', APPLIED],
  ['server maxconn', APPLIED],
  ['server maxqueue', APPLIED],
  ['server minconn', APPLIED],
  ['server slowstart', APPLIED],
  ['server agent-*', warn('agent checks are planned')],
  ['server init-addr', warn(DNS)],
  ['server resolvers', warn(DNS)],
  ['server resolve-*', warn(DNS)],
  ['server source', warn('choosing the source address is planned')],
  ['server stick', warn(STICK)],
  ['server non-stick', warn(STICK)],
  ['server log-proto', warn(LOG)],
  ['server check', APPLIED],
  ['server check*', warn(CHECKS)],
  ['server inter', APPLIED],
  ['server fastinter', APPLIED],
  ['server downinter', APPLIED],
  ['server rise', APPLIED],
  ['server fall', APPLIED],
  ['server port', APPLIED],
  ['server addr', APPLIED],
  ['server observe', APPLIED],
  ['server error-limit', APPLIED],
  ['server on-error', APPLIED],
  ['server track', warn('tracking another server’s checks is planned')],
  ['server on-*', warn(CHECKS)],
  ['server pool-*', warn(TUNING)],
  ['server max-reuse', warn(TUNING)],
  ['server tfo', warn(TUNING)],
  ['server tcp-ut', warn(TUNING)],
  ['server hash-key', warn("consistent hashing places servers by 'hash-key id' (the default) only")],
  ['server shard', warn(WORKERS)],
  ['server ws', warn('HTTP/2 is planned')],
  ['server *', warn('this server option is planned')],
  ['default_backend', APPLIED],
  ['errorfile', APPLIED],
  ['errorfiles', APPLIED],
  ['http-reuse', APPLIED],
  ['retries', APPLIED],
  ['disabled', APPLIED],
  ['enabled', APPLIED],
  ['balance roundrobin', APPLIED],
  ['balance static-rr', APPLIED],
  ['balance leastconn', APPLIED],
  ['balance first', APPLIED],
  ['balance source', APPLIED],
  ['balance uri', APPLIED],
  ['balance url_param', APPLIED],
  ['balance hdr', APPLIED],
  ['balance random', APPLIED],
  ['balance rdp-cookie', refuse('RDP cookie hashing is not implemented', ROUTE)],
  ['balance hash', refuse('hashing a sample expression needs sample fetches, which are planned', ROUTE)],
  ['balance *', refuse('this algorithm is not implemented', ROUTE)],
  ['hash-type', APPLIED],
  ['hash-balance-factor', warn('bounded loads for consistent hashing are planned')],
  ['dispatch', APPLIED],
  ['id', inert('shown by the stats page')],
  // each action applied (rules/actions/index.ts) has its own key; the others stay refused
  ...ruleActions(),
  ['http-request', refuse(MORE_ACTIONS, REWRITE)],
  ['http-response', refuse(MORE_ACTIONS, REWRITE)],
  ['http-after-response', refuse(MORE_ACTIONS, REWRITE)],
  ...TCP_STAGES.flatMap((s) => TCP_ACTIONS.map((a): Rule => [`tcp-request ${s} ${a}`, APPLIED])),
  // content rules wait for content in mode tcp (rules/tcp-content.ts, tcp/content-inspection.ts)
  ['tcp-request content set-var', APPLIED],
  ['tcp-request content unset-var', APPLIED],
  ['tcp-request inspect-delay', APPLIED],
  // mode tcp backends (rules/tcp-content.ts compileTcpResponse; in mode http refused at start-up)
  ...TCP_RESPONSE_ACTIONS.map((a): Rule => [`tcp-response content ${a}`, APPLIED]),
  ['tcp-response inspect-delay', APPLIED],
  ['tcp-request', refuse(MORE_ACTIONS, ACCESS)],
  ['tcp-response', refuse(RULES, ACCESS)],
  ['use_backend', APPLIED],
  // mode http (rules/http-rules.ts); a mode tcp backend's is refused at start-up (engine/from-haproxy.ts)
  ['use-server', APPLIED],
  ['redirect', APPLIED],
  ['monitor', APPLIED], // monitor fail (rules/http-rules.ts monitorFails)
  ['filter', refuse('filters are planned', ACCESS)],
  ['transparent', refuse('transparent proxying is not implemented', ROUTE)],
  ['server-template', refuse('server templates need DNS resolution at runtime, which is planned', ROUTE)],
  ['use-fcgi-app', refuse('FastCGI is planned', SERVE)],
  ['acl', APPLIED],
  ['monitor-uri', APPLIED],
  ['monitor-net', warn('monitoring requests are planned')],
  ['http-error', warn('http-error responses are planned')],
  ['errorloc', warn('error redirects are planned')],
  ['errorloc302', warn('error redirects are planned')],
  ['errorloc303', warn('error redirects are planned')],
  ['cookie', APPLIED],
  ['dynamic-cookie-key', APPLIED],
  // with cookie persistence in effect, ignoring these would send matching requests elsewhere
  ['force-persist', APPLIED],
  ['ignore-persist', APPLIED],
  ['persist', warn('RDP cookie persistence (mode tcp) is planned')],
  ['stick', warn(STICK)],
  ['stick-table', warn(STICK)],
  ['http-check', APPLIED], // refined by its form in effectOf
  ['tcp-check', APPLIED], // refined by its form in effectOf
  ['external-check', warn(CHECKS)],
  ['email-alert', warn('email alerts are planned')],
  // ('log' and 'log-tag' in proxies: the same keys as in global, above)
  // src/rules/log-format.ts compileLogFormat over the log record (test/logging-cases.ts custom-*)
  ['log-format', APPLIED],
  ['log-format-sd', APPLIED],
  ['error-log-format', warn(LOG)],
  ['capture', APPLIED], // refined by its form in effectOf
  [
    'declare',
    warn("its slots are what 'http-request|http-response capture … id N' fill; they print in %hr %hs"),
  ],
  ['unique-id-format', APPLIED],
  ['unique-id-header', APPLIED],
  ['compression', warn('compression is planned')],
  ['retry-on', APPLIED],
  ['fullconn', APPLIED],
  ['max-keep-alive-queue', warn(TUNING)],
  ['max-session-srv-conns', warn(TUNING)],
  ['rate-limit', warn('rate limits are planned')],
  ['source', warn('choosing the source address is planned')],
  ['http-send-name-header', warn('this keyword is planned')],
  ['load-server-state-from-file', warn('server state files are planned')],
  ['server-state-file-name', warn('server state files are planned')],
  ['clitcpka-*', warn(TUNING)],
  ['srvtcpka-*', warn(TUNING)],
  // the stats page (stats/stats-page.ts)
  ['stats enable', APPLIED],
  ['stats disable', APPLIED],
  ['stats uri', APPLIED],
  ['stats realm', APPLIED],
  ['stats auth', APPLIED],
  ['stats refresh', APPLIED],
  ['stats hide-version', APPLIED],
  ['stats show-legends', APPLIED],
  ['stats show-node', APPLIED],
  ['stats show-desc', APPLIED],
  ['stats scope', APPLIED],
  ['stats show-modules', warn('the stats page shows no extra modules')],
  // granting admin rights or applying rules to the page's requests: not without them being built
  ['stats admin', APPLIED], // any condition: the rule engine evaluates it per stats request

  ['stats http-request', APPLIED], // allow, deny, auth (rules/rule-set.ts StatsRules)
  ['stats *', warn(STATS)],
];

const EXACT = new Map<string, Effect>();
const PREFIXES: [string, Effect][] = [];
for (const [match, effect] of RULES_TABLE) {
  if (match.endsWith('*')) PREFIXES.push([match.slice(0, -1), effect]);
  else if (!EXACT.has(match)) EXACT.set(match, effect);
}

/** Keys no rule names: the safe default is to say so, not to claim the feature. */
export const UNLISTED: Effect = warn('this keyword is planned');

/** The effect of a feature key, with no regard to its arguments. */
export function effectOfKey(key: string): Effect {
  const exact = EXACT.get(key);
  if (exact) return exact;
  for (const [prefix, effect] of PREFIXES) if (key.startsWith(prefix)) return effect;
  return UNLISTED;
}

/** The effect of one use: the key's, refined by what the line says. */
export function effectOf(use: KeywordUse): Effect {
  // `no-X` server options switch X off; with X not implemented, "off" is exactly what runs.
  if (
    use.key.startsWith('server ') &&
    use.label.startsWith('no-') &&
    use.key !== `server ${use.label}` &&
    effectOfKey(use.key).status !== 'applied'
  )
    return inert('it switches off a feature that is not applied');
  // HTTP/2 is spoken to clients (http/h2-connection.ts) and to servers (backend/h2-server-stream.ts)
  if (use.key === 'server proto' && use.args[use.args.indexOf('proto') + 1] !== 'h2')
    return refuse(
      `'proto ${use.args[use.args.indexOf('proto') + 1] ?? ''}' is not implemented on servers; only 'proto h2' is`,
      SERVE,
    );
  if (use.key === 'bind proto' && use.args[use.args.indexOf('proto') + 1] !== 'h2')
    return refuse(
      `'proto ${use.args[use.args.indexOf('proto') + 1] ?? ''}' is not implemented; only 'proto h2' is`,
      SERVE,
    );
  if (use.key === 'chroot' && !chrootAvailable())
    return warn(
      `chroot(2) is made by @ha-lb/sd-notify's addon, which is not built here (run 'pnpm install'); start-up will fail with "Cannot chroot(${use.args[0] ?? ''})"`,
    );
  if (use.key === 'http-check' || use.key === 'tcp-check') {
    const s = checkRuleSupport(use.key, use.args);
    if (s !== null)
      return s.level === 'refuse'
        ? refuse(s.note, CHECK_TEST)
        : s.level === 'warn'
          ? warn(s.note)
          : inert(s.note);
  }
  if (use.key === 'stats socket') {
    const a = use.args[0] === 'socket' ? use.args.slice(1) : use.args;
    if (a[0]?.startsWith('fd@'))
      return warn('a stats socket on an inherited fd@ is planned; it is not opened');
  }
  // `capture request|response header` are built (rules/http-rules.ts, %hr %hs); `capture cookie` is not (%CC %CS print -)
  if (use.key === 'capture' && use.args[0] === 'cookie')
    return warn('cookie captures are planned; %CC and %CS print -');
  if (
    use.key === 'http-request' ||
    use.key === 'http-response' ||
    use.key === 'http-after-response' ||
    use.key === 'tcp-request' ||
    use.key === 'tcp-response'
  ) {
    const exact = EXACT.get(use.label.replace(/\(.*$/, ''));
    if (exact) return exact;
  }
  if (use.key === 'log') {
    const t = use.args[0] ?? '';
    if ((t.startsWith('/') || t.startsWith('unix@')) && !unixDatagramAvailable())
      return warn(
        `unix datagram log targets need @ha-lb/sd-notify's addon, which is not built here (run 'pnpm install'); lines for '${t}' are dropped. Log to 'udp@127.0.0.1:514' (rsyslog's imudp) or 'stdout' instead`,
      );
    if (t.startsWith('ring@'))
      return warn('ring buffers for logs are planned; lines for this target are dropped');
  }
  return effectOfKey(use.key);
}

/** `http-request deny`, `http-response set-header`, …: the actions the rule engine applies. */
function ruleActions(): Rule[] {
  const out: Rule[] = [];
  for (const [list, actions] of Object.entries(APPLIED_ACTIONS))
    for (const a of actions) out.push([`${list} ${a}`, APPLIED]);
  return out;
}

/** Every rule, for the test that walks the table and for documentation. */
export function inEffectRules(): readonly Rule[] {
  return RULES_TABLE;
}
