/**
 * HAProxy 2.6's Prometheus exporter (`http-request use-service prometheus-exporter`): the same
 * snapshot as the CSV (fields.ts rows, show-info.ts fields) in the exporter's text format, with its
 * metric names, HELP and TYPE lines (promex-families.ts, recorded) and its rules:
 * - families in HAProxy's order, each with its samples over every object (proxies in configuration
 *   order, then servers); a family without a sample is left out, header included;
 * - a field HAProxy leaves empty prints `NaN`; times in ms are printed in seconds (`%f`);
 * - `status` and `check_status` are one sample per state label (1 for the current one), the
 *   `http_responses_total` one per `code`, code first; `agg_*` count a backend's servers per state;
 * - `?scope=global|frontend|backend|server` (repeatable; empty = nothing) and `no-maint` (servers in
 *   maintenance left out).
 * The text is written by hand rather than with prom-client: the exporter's sample order, its `NaN`s,
 * `%f` seconds and per-state families are not what a client library's registry prints (README).
 */
import { ADMIN_MAINT } from '../backend/server.ts';
import { infoFields } from '../runtime/show-info.ts';
import { backendRow, frontendRow, type Row, serverRow, serverStatus } from './fields.ts';
import { PROMEX_FAMILIES } from './promex-families.ts';
import type { ProxyView, ServerView } from './snapshot.ts';
import type { StatsRuntime } from './stats-runtime.ts';

const SCOPE_GLOBAL = 1;
const SCOPE_FRONT = 2;
const SCOPE_BACK = 4;
const SCOPE_SERVER = 8;
const SCOPE_ALL = 15;

export interface PromQuery {
  scopes: number;
  noMaint: boolean;
}

/** The exporter's query string (`scope=…` repeatable, `no-maint`); unknown parameters are ignored. */
export function parsePromQuery(query: string): PromQuery {
  let scopes = -1;
  let noMaint = false;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (key === 'no-maint') noMaint = true;
    else if (key === 'scope') {
      if (scopes < 0) scopes = 0;
      if (value === '*') scopes = SCOPE_ALL;
      else if (value === 'global') scopes |= SCOPE_GLOBAL;
      else if (value === 'frontend') scopes |= SCOPE_FRONT;
      else if (value === 'backend') scopes |= SCOPE_BACK;
      else if (value === 'server') scopes |= SCOPE_SERVER;
    }
  }
  return { scopes: scopes < 0 ? SCOPE_ALL : scopes, noMaint };
}

/** The process metrics: exporter suffix → `show info` field. */
const INFO: Record<string, string> = {
  nbthread: 'Nbthread',
  nbproc: 'Nbproc',
  relative_process_id: 'Process_num',
  uptime_seconds: 'Uptime_sec',
  pool_failures_total: 'PoolFailed',
  max_fds: 'Ulimit-n',
  max_sockets: 'Maxsock',
  max_connections: 'Maxconn',
  hard_max_connections: 'Hard_maxconn',
  current_connections: 'CurrConns',
  connections_total: 'CumConns',
  requests_total: 'CumReq',
  max_ssl_connections: 'MaxSslConns',
  current_ssl_connections: 'CurrSslConns',
  ssl_connections_total: 'CumSslConns',
  max_pipes: 'Maxpipes',
  pipes_used_total: 'PipesUsed',
  pipes_free_total: 'PipesFree',
  current_connection_rate: 'ConnRate',
  limit_connection_rate: 'ConnRateLimit',
  max_connection_rate: 'MaxConnRate',
  current_session_rate: 'SessRate',
  limit_session_rate: 'SessRateLimit',
  max_session_rate: 'MaxSessRate',
  current_ssl_rate: 'SslRate',
  limit_ssl_rate: 'SslRateLimit',
  max_ssl_rate: 'MaxSslRate',
  current_frontend_ssl_key_rate: 'SslFrontendKeyRate',
  max_frontend_ssl_key_rate: 'SslFrontendMaxKeyRate',
  frontend_ssl_reuse: 'SslFrontendSessionReuse_pct',
  current_backend_ssl_key_rate: 'SslBackendKeyRate',
  max_backend_ssl_key_rate: 'SslBackendMaxKeyRate',
  ssl_cache_lookups_total: 'SslCacheLookups',
  ssl_cache_misses_total: 'SslCacheMisses',
  http_comp_bytes_in_total: 'CompressBpsIn',
  http_comp_bytes_out_total: 'CompressBpsOut',
  limit_http_comp: 'CompressBpsRateLim',
  current_tasks: 'Tasks',
  current_run_queue: 'Run_queue',
  idle_time_percent: 'Idle_pct',
  stopping: 'Stopping',
  jobs: 'Jobs',
  unstoppable_jobs: 'Unstoppable Jobs',
  listeners: 'Listeners',
  active_peers: 'ActivePeers',
  connected_peers: 'ConnectedPeers',
  dropped_logs_total: 'DroppedLogs',
  busy_polling_enabled: 'BusyPolling',
  failed_resolutions: 'FailedResolutions',
  bytes_out_total: 'TotalBytesOut',
  spliced_bytes_out_total: 'TotalSplicdedBytesOut',
  bytes_out_rate: 'BytesOutRate',
  recv_logs_total: 'CumRecvLogs',
  max_memory_bytes: 'Memmax_bytes',
  pool_allocated_bytes: 'PoolAlloc_bytes',
  pool_used_bytes: 'PoolUsed_bytes',
  start_time_seconds: 'Start_time_sec',
};

/** Proxy and server metrics: exporter suffix → stats field (fields.ts), `ms` when printed in seconds. */
const FIELD: Record<string, string> = {
  current_queue: 'qcur',
  max_queue: 'qmax',
  current_sessions: 'scur',
  max_sessions: 'smax',
  limit_sessions: 'slim',
  sessions_total: 'stot',
  bytes_in_total: 'bin',
  bytes_out_total: 'bout',
  requests_denied_total: 'dreq',
  responses_denied_total: 'dresp',
  request_errors_total: 'ereq',
  connection_errors_total: 'econ',
  response_errors_total: 'eresp',
  retry_warnings_total: 'wretr',
  redispatch_warnings_total: 'wredis',
  weight: 'weight',
  active_servers: 'act',
  backup_servers: 'bck',
  check_failures_total: 'chkfail',
  check_up_down_total: 'chkdown',
  check_last_change_seconds: 'lastchg',
  downtime_seconds_total: 'downtime',
  queue_limit: 'qlimit',
  current_throttle: 'throttle',
  loadbalanced_total: 'lbtot',
  limit_session_rate: 'rate_lim',
  max_session_rate: 'rate_max',
  check_code: 'check_code',
  check_duration_seconds: 'check_duration',
  http_requests_rate_max: 'req_rate_max',
  http_requests_total: 'req_tot',
  client_aborts_total: 'cli_abrt',
  server_aborts_total: 'srv_abrt',
  http_comp_bytes_in_total: 'comp_in',
  http_comp_bytes_out_total: 'comp_out',
  http_comp_bytes_bypassed_total: 'comp_byp',
  http_comp_responses_total: 'comp_rsp',
  last_session_seconds: 'lastsess',
  queue_time_average_seconds: 'qtime',
  connect_time_average_seconds: 'ctime',
  response_time_average_seconds: 'rtime',
  total_time_average_seconds: 'ttime',
  connections_rate_max: 'conn_rate_max',
  connections_total: 'conn_tot',
  intercepted_requests_total: 'intercepted',
  denied_connections_total: 'dcon',
  denied_sessions_total: 'dses',
  failed_header_rewriting_total: 'wrew',
  connection_attempts_total: 'connect',
  connection_reuses_total: 'reuse',
  http_cache_lookups_total: 'cache_lookups',
  http_cache_hits_total: 'cache_hits',
  idle_connections_current: 'srv_icur',
  idle_connections_limit: 'src_ilim',
  max_queue_time_seconds: 'qtime_max',
  max_connect_time_seconds: 'ctime_max',
  max_response_time_seconds: 'rtime_max',
  max_total_time_seconds: 'ttime_max',
  internal_errors_total: 'eint',
  unsafe_idle_connections_current: 'idle_conn_cur',
  safe_idle_connections_current: 'safe_conn_cur',
  used_connections_current: 'used_conn_cur',
  need_connections_current: 'need_conn_est',
  uweight: 'uweight',
};

/** Fields HAProxy keeps in ms and the exporter prints in seconds. */
const MS = new Set([
  'check_duration',
  'qtime',
  'ctime',
  'rtime',
  'ttime',
  'qtime_max',
  'ctime_max',
  'rtime_max',
  'ttime_max',
]);

const FRONT_STATES = ['DOWN', 'UP'];
const SRV_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'];
const CHECK_STATES = [
  'HANA',
  'SOCKERR',
  'L4OK',
  'L4TOUT',
  'L4CON',
  'L6OK',
  'L6TOUT',
  'L6RSP',
  'L7TOUT',
  'L7RSP',
  'L7OK',
  'L7OKC',
  'L7STS',
  'PROCERR',
  'PROCTOUT',
  'PROCOK',
];
const CODES: [string, string][] = [
  ['1xx', 'hrsp_1xx'],
  ['2xx', 'hrsp_2xx'],
  ['3xx', 'hrsp_3xx'],
  ['4xx', 'hrsp_4xx'],
  ['5xx', 'hrsp_5xx'],
  ['other', 'hrsp_other'],
];

function value(v: unknown, ms: boolean): string {
  if (v === undefined || v === '') return 'NaN';
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(n)) return 'NaN';
  return ms ? (n / 1000).toFixed(6) : String(n);
}

/** The state label of a server (promex_srv_status): admin state first, then health. */
function serverState(sv: ServerView): string {
  const s = serverStatus(sv);
  if (s.startsWith('MAINT')) return 'MAINT';
  if (s.startsWith('DRAIN')) return 'DRAIN';
  if (s.startsWith('NOLB')) return 'NOLB';
  return sv.state.healthUp ? 'UP' : 'DOWN';
}

const checked = (sv: ServerView) => sv.check !== undefined && (sv.state.admin & ADMIN_MAINT) === 0;

/** The check_status word of a server's row without HAProxy's `* ` (check in progress) mark. */
const checkWord = (row: Row) => String(row.check_status ?? '').replace(/^\* /, '');

interface Objects {
  fe: { p: ProxyView; row: Row }[];
  be: { p: ProxyView; row: Row; servers: { sv: ServerView; row: Row }[] }[];
  sv: { p: ProxyView; sv: ServerView; row: Row }[];
}

function objects(rt: StatsRuntime, q: PromQuery, now: number): Objects {
  const flags = { legends: false };
  const out: Objects = { fe: [], be: [], sv: [] };
  for (const p of rt.proxies) {
    if (p.frontend !== null) out.fe.push({ p, row: frontendRow(p, now) });
    if (p.backend === null) continue;
    const servers = p.servers.map((sv) => ({ sv, row: serverRow(p, sv, flags, now) }));
    out.be.push({ p, row: backendRow(p, flags, now), servers });
    for (const s of servers) {
      if (q.noMaint && (s.sv.state.admin & ADMIN_MAINT) !== 0) continue;
      out.sv.push({ p, sv: s.sv, row: s.row });
    }
  }
  return out;
}

/** The exporter's text for `query` (the part after `?`). */
export function prometheusText(rt: StatsRuntime, query: string, now = Date.now()): string {
  const q = parsePromQuery(query);
  const info = new Map<string, string | number>();
  if (q.scopes & SCOPE_GLOBAL) for (const [name, , , v] of infoFields(rt)) info.set(name, v);
  const objs = objects(rt, q, now);
  let out = '';
  for (const [name, help, type] of PROMEX_FAMILIES) {
    const lines: string[] = [];
    const scope = name.slice(8, name.indexOf('_', 8));
    const suffix = name.slice(9 + scope.length);
    if (scope === 'process') {
      if (!(q.scopes & SCOPE_GLOBAL)) continue;
      if (suffix === 'build_info') lines.push(`${name}{version="${rt.version}"} 1`);
      // a `show info` field the balancer does not have: NaN, as HAProxy prints an unset one
      else lines.push(`${name} ${value(info.get(INFO[suffix]), false)}`);
    } else if (scope === 'frontend') {
      if (!(q.scopes & SCOPE_FRONT)) continue;
      proxyLines(lines, name, suffix, objs.fe, FRONT_STATES, (r) => (r.status === 'OPEN' ? 'UP' : 'DOWN'));
    } else if (scope === 'backend') {
      if (!(q.scopes & SCOPE_BACK)) continue;
      if (suffix.startsWith('agg_')) aggLines(lines, name, suffix, objs.be);
      else proxyLines(lines, name, suffix, objs.be, FRONT_STATES, (r) => (r.status === 'UP' ? 'UP' : 'DOWN'));
    } else if (scope === 'server') {
      if (!(q.scopes & SCOPE_SERVER)) continue;
      serverLines(lines, name, suffix, objs.sv);
    }
    if (lines.length === 0) continue;
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${lines.join('\n')}\n`;
  }
  return out;
}

function proxyLines(
  lines: string[],
  name: string,
  suffix: string,
  list: readonly { p: ProxyView; row: Row }[],
  states: readonly string[],
  stateOf: (r: Row) => string,
): void {
  if (suffix === 'http_responses_total') {
    for (const [code, field] of CODES)
      for (const { p, row } of list)
        if (p.mode === 'http')
          lines.push(`${name}{proxy="${p.name}",code="${code}"} ${value(row[field as keyof Row], false)}`);
    return;
  }
  if (suffix === 'status') {
    for (const { p, row } of list) {
      const st = stateOf(row);
      for (const s of states) lines.push(`${name}{proxy="${p.name}",state="${s}"} ${s === st ? 1 : 0}`);
    }
    return;
  }
  const field = FIELD[suffix];
  if (field === undefined) return;
  for (const { p, row } of list) {
    // HTTP-only counters are not printed for a tcp proxy
    if (
      p.mode !== 'http' &&
      (field.startsWith('req_') ||
        field.startsWith('comp_') ||
        field.startsWith('cache_') ||
        field === 'intercepted')
    )
      continue;
    lines.push(`${name}{proxy="${p.name}"} ${value(row[field as keyof Row], MS.has(field))}`);
  }
}

function aggLines(lines: string[], name: string, suffix: string, list: Objects['be']): void {
  for (const { p, servers } of list) {
    if (servers.length === 0) continue;
    if (suffix === 'agg_check_status') {
      const n = new Map<string, number>();
      for (const s of servers) if (checked(s.sv)) n.set(checkWord(s.row), (n.get(checkWord(s.row)) ?? 0) + 1);
      for (const st of CHECK_STATES) lines.push(`${name}{proxy="${p.name}",state="${st}"} ${n.get(st) ?? 0}`);
    } else {
      const n = new Map<string, number>();
      for (const s of servers) n.set(serverState(s.sv), (n.get(serverState(s.sv)) ?? 0) + 1);
      for (const st of SRV_STATES) lines.push(`${name}{proxy="${p.name}",state="${st}"} ${n.get(st) ?? 0}`);
    }
  }
}

function serverLines(lines: string[], name: string, suffix: string, list: Objects['sv']): void {
  const labels = (p: ProxyView, sv: ServerView) => `proxy="${p.name}",server="${sv.state.spec.name}"`;
  if (suffix === 'http_responses_total') {
    for (const [code, field] of CODES)
      for (const { p, sv, row } of list)
        if (p.mode === 'http')
          lines.push(`${name}{${labels(p, sv)},code="${code}"} ${value(row[field as keyof Row], false)}`);
    return;
  }
  if (suffix === 'status') {
    for (const { p, sv } of list) {
      const st = serverState(sv);
      for (const s of SRV_STATES) lines.push(`${name}{${labels(p, sv)},state="${s}"} ${s === st ? 1 : 0}`);
    }
    return;
  }
  if (suffix === 'check_status') {
    for (const { p, sv, row } of list) {
      if (!checked(sv)) continue;
      const st = checkWord(row);
      for (const s of CHECK_STATES) lines.push(`${name}{${labels(p, sv)},state="${s}"} ${s === st ? 1 : 0}`);
    }
    return;
  }
  const field = FIELD[suffix];
  if (field === undefined) return;
  for (const { p, sv, row } of list) {
    // the last check's code and duration exist only for a server whose checks run
    if ((field === 'check_code' || field === 'check_duration') && !checked(sv)) continue;
    // no layer 5-7 code (a layer 4 check): the exporter prints 0 where the CSV leaves it empty
    const v = field === 'check_code' && (row.check_code ?? '') === '' ? 0 : row[field as keyof Row];
    lines.push(`${name}{${labels(p, sv)}} ${value(v, MS.has(field))}`);
  }
}
