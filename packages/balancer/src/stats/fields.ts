/**
 * HAProxy 2.6's stats fields (stats.h `enum stat_field`, then the `-` separator and the ssl/h2/h1
 * modules' fields that 2.6 appends to every CSV): the column list and order of `;csv` and `show stat`,
 * and one row of values per frontend, backend and server, as the stats_fill_{fe,be,sv}_stats
 * functions fill them (an empty string where HAProxy leaves a field unset for that kind of line).
 */

import { ADMIN_DRAIN, ADMIN_MAINT } from '../backend/server.ts';
import { shownWeight, throttlePercent, WEIGHT_SCALE } from '../backend/slowstart.ts';
import { describeStatus as describe } from '../checks/check-result.ts';
import { fullHealth } from '../checks/health-counter.ts';
import type { ProxyView, ServerView, StatsFlags } from './snapshot.ts';

export const FIELD_NAMES = [
  'pxname',
  'svname',
  'qcur',
  'qmax',
  'scur',
  'smax',
  'slim',
  'stot',
  'bin',
  'bout',
  'dreq',
  'dresp',
  'ereq',
  'econ',
  'eresp',
  'wretr',
  'wredis',
  'status',
  'weight',
  'act',
  'bck',
  'chkfail',
  'chkdown',
  'lastchg',
  'downtime',
  'qlimit',
  'pid',
  'iid',
  'sid',
  'throttle',
  'lbtot',
  'tracked',
  'type',
  'rate',
  'rate_lim',
  'rate_max',
  'check_status',
  'check_code',
  'check_duration',
  'hrsp_1xx',
  'hrsp_2xx',
  'hrsp_3xx',
  'hrsp_4xx',
  'hrsp_5xx',
  'hrsp_other',
  'hanafail',
  'req_rate',
  'req_rate_max',
  'req_tot',
  'cli_abrt',
  'srv_abrt',
  'comp_in',
  'comp_out',
  'comp_byp',
  'comp_rsp',
  'lastsess',
  'last_chk',
  'last_agt',
  'qtime',
  'ctime',
  'rtime',
  'ttime',
  'agent_status',
  'agent_code',
  'agent_duration',
  'check_desc',
  'agent_desc',
  'check_rise',
  'check_fall',
  'check_health',
  'agent_rise',
  'agent_fall',
  'agent_health',
  'addr',
  'cookie',
  'mode',
  'algo',
  'conn_rate',
  'conn_rate_max',
  'conn_tot',
  'intercepted',
  'dcon',
  'dses',
  'wrew',
  'connect',
  'reuse',
  'cache_lookups',
  'cache_hits',
  'srv_icur',
  'src_ilim',
  'qtime_max',
  'ctime_max',
  'rtime_max',
  'ttime_max',
  'eint',
  'idle_conn_cur',
  'safe_conn_cur',
  'used_conn_cur',
  'need_conn_est',
  'uweight',
  'agg_server_status',
  'agg_server_check_status',
  'agg_check_status',
] as const;

/** The extra modules' fields HAProxy 2.6 dumps after a `-` column: ssl, then h2, then h1. */
export const MODULE_FIELDS = {
  ssl: ['ssl_sess', 'ssl_reused_sess', 'ssl_failed_handshake'],
  h2: [
    'h2_headers_rcvd',
    'h2_data_rcvd',
    'h2_settings_rcvd',
    'h2_rst_stream_rcvd',
    'h2_goaway_rcvd',
    'h2_detected_conn_protocol_errors',
    'h2_detected_strm_protocol_errors',
    'h2_rst_stream_resp',
    'h2_goaway_resp',
    'h2_open_connections',
    'h2_backend_open_streams',
    'h2_total_connections',
    'h2_backend_total_streams',
  ],
  h1: [
    'h1_open_connections',
    'h1_open_streams',
    'h1_total_connections',
    'h1_total_streams',
    'h1_bytes_in',
    'h1_bytes_out',
    'h1_spliced_bytes_in',
    'h1_spliced_bytes_out',
  ],
} as const;

export const ALL_FIELDS: readonly string[] = [
  ...FIELD_NAMES,
  '-',
  ...MODULE_FIELDS.ssl,
  ...MODULE_FIELDS.h2,
  ...MODULE_FIELDS.h1,
];

export type FieldName = (typeof FIELD_NAMES)[number];
export type Value = string | number;
/** One line of stats: the standard fields by name (absent = empty), then the modules' values. */
export type Row = Partial<Record<FieldName, Value>> & {
  modules: readonly Value[];
  /** fields set to an empty string (the typed and JSON views show them; CSV cannot tell) */
  setEmpty?: readonly FieldName[];
};

/** `type` column: 0 frontend, 1 backend, 2 server. */
export const TYPE_FE = 0;
export const TYPE_BE = 1;
export const TYPE_SV = 2;

const secs = (now: number, at: number): number => Math.max(0, Math.floor((now - at) / 1000));
const zeros = (n: number): Value[] => new Array<Value>(n).fill(0);
const empties = (n: number): Value[] => new Array<Value>(n).fill('');

function hrsp(row: Row, h: Float64Array): void {
  row.hrsp_1xx = h[1];
  row.hrsp_2xx = h[2];
  row.hrsp_3xx = h[3];
  row.hrsp_4xx = h[4];
  row.hrsp_5xx = h[5];
  row.hrsp_other = h[0];
}

export function frontendRow(p: ProxyView, now: number): Row {
  const fe = p.frontend!;
  const c = fe.counters;
  const http = fe.spec.mode === 'http';
  const slim = p.frontendMaxconn;
  const row: Row = {
    pxname: p.name,
    svname: 'FRONTEND',
    scur: c.scur,
    smax: c.smax,
    slim,
    stot: c.stot,
    bin: c.bin,
    bout: c.bout,
    dreq: c.dreq,
    dresp: c.dresp,
    ereq: c.ereq,
    status: p.stopped ? 'STOP' : c.scur >= slim ? 'FULL' : 'OPEN',
    pid: 1,
    iid: p.uuid,
    sid: 0,
    type: TYPE_FE,
    rate: c.sessRate.read(now),
    rate_lim: 0,
    rate_max: c.rateMax,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    mode: fe.spec.mode,
    conn_rate: c.connRate.read(now),
    conn_rate_max: c.connRateMax,
    conn_tot: c.connTot,
    dcon: c.dcon,
    dses: c.dses,
    wrew: c.wrew,
    cache_lookups: 0,
    cache_hits: 0,
    eint: c.eint,
    modules: [
      ...zeros(3 + 13),
      // h1 module: connections and streams of this frontend, raw bytes
      c.scur,
      http ? fe.sessions.size - idleCount(fe) : 0,
      c.connTot - c.h1Base[0],
      c.reqTot - c.ereq - c.h1Base[1],
      c.bin - c.h1Base[2],
      c.bout - c.h1Base[3],
      0,
      0,
    ],
  };
  if (http) {
    hrsp(row, c.hrsp);
    row.req_rate = c.reqRate.read(now);
    row.req_rate_max = c.reqRateMax;
    row.req_tot = c.reqTot;
    // HTTP only: a mode tcp frontend leaves the field empty (HAProxy 2.6, recorded)
    row.intercepted = c.intercepted;
  }
  return row;
}

function idleCount(fe: NonNullable<ProxyView['frontend']>): number {
  let n = 0;
  for (const s of fe.sessions) if (s.idle()) n++;
  return n;
}

export function backendRow(p: ProxyView, flags: StatsFlags, now: number): Row {
  const be = p.backend!;
  const c = be.counters;
  const http = be.spec.mode === 'http';
  let act = 0;
  let bck = 0;
  let actW = 0;
  let bckW = 0;
  let actU = 0;
  let bckU = 0;
  let conns = 0;
  for (const s of be.servers) {
    conns += s.conns;
    // usable servers (srv_willbe_usable): up and not draining
    if (!s.up || (s.admin & ADMIN_DRAIN) !== 0) continue;
    if (s.spec.backup) {
      bck++;
      bckW += s.weight;
      bckU += s.uweight;
    } else {
      act++;
      actW += s.weight;
      actU += s.uweight;
    }
  }
  // lbprm.tot_weight: the active servers', or the backups' when no active server is up
  const allBackups = be.spec.allBackups === true;
  // effective weights are sixteenths of the user weight during a slowstart: the sum, rounded up
  const weight = Math.ceil(act > 0 ? actW : allBackups ? bckW : bckW > 0 ? firstBackupWeight(p) : 0);
  const uweight = act > 0 ? actU : bckU;
  const hasServers = be.servers.length > 0;
  const row: Row = {
    pxname: p.name,
    svname: 'BACKEND',
    qcur: be.load.queue.length,
    qmax: be.load.queue.max,
    scur: c.scur,
    smax: c.smax,
    slim: p.fullconn,
    stot: c.stot,
    bin: c.bin,
    bout: c.bout,
    dreq: c.dreq,
    dresp: c.dresp,
    econ: c.econ,
    eresp: c.eresp,
    wretr: be.load.retries,
    wredis: be.load.redispatches,
    status: weight > 0 || !hasServers ? 'UP' : 'DOWN',
    weight,
    act,
    bck,
    chkdown: c.chkdown,
    lastchg: secs(now, c.lastChange),
    pid: 1,
    iid: p.uuid,
    sid: 0,
    lbtot: c.lbtot,
    type: TYPE_BE,
    rate: c.sessRate.read(now),
    rate_max: c.rateMax,
    cli_abrt: c.cliAbrt,
    srv_abrt: c.srvAbrt,
    comp_in: 0,
    comp_out: 0,
    comp_byp: 0,
    comp_rsp: 0,
    lastsess: c.lastSess === 0 ? -1 : secs(now, c.lastSess),
    qtime: c.avg(c.qtime),
    ctime: c.avg(c.ctime),
    rtime: c.avg(c.rtime),
    ttime: c.avg(c.ttime),
    mode: be.spec.mode,
    wrew: c.wrew,
    connect: c.connect,
    reuse: c.reuse,
    cache_lookups: 0,
    cache_hits: 0,
    qtime_max: c.qtimeMax,
    ctime_max: c.ctimeMax,
    rtime_max: c.rtimeMax,
    ttime_max: c.ttimeMax,
    eint: c.eint,
    uweight,
    agg_server_status: 0,
    agg_server_check_status: 0,
    agg_check_status: 0,
    // h1 module, backend side: server connections and exchanges (HAProxy counts their own bytes; we
    // have no separate count of the bytes on server connections, so 0), restarted by `clear counters`
    modules: [
      ...zeros(3 + 13),
      conns,
      c.scur,
      c.connect - c.h1Base[0],
      (http ? c.reqTot : 0) - c.h1Base[1],
      0,
      0,
      0,
      0,
    ],
  };
  if (hasServers) {
    const down = c.downtime + (c.downSince > 0 ? now - c.downSince : 0);
    row.downtime = Math.floor(down / 1000);
  }
  if (http) {
    hrsp(row, c.hrsp);
    row.req_tot = c.reqTot;
  }
  if (flags.legends) {
    if (be.spec.cookie) row.cookie = be.spec.cookie.name;
    row.algo = algoName(be.spec.balance?.algorithm ?? (be.spec.dispatch ? 'none' : 'roundrobin'));
  }
  return row;
}

function firstBackupWeight(p: ProxyView): number {
  for (const s of p.backend!.servers) if (s.up && s.spec.backup) return s.weight;
  return 0;
}

/** backend_lb_algo_str() */
function algoName(a: string): string {
  return a === 'random' ? 'random' : a;
}

export function serverRow(p: ProxyView, sv: ServerView, flags: StatsFlags, now: number): Row {
  const s = sv.state;
  const c = s.counters;
  const m = sv.check;
  const http = p.backend!.spec.mode === 'http';
  const checked = m !== undefined;
  const active = checked && m.enabled && (s.admin & ADMIN_MAINT) === 0;
  const row: Row = {
    pxname: p.name,
    svname: s.spec.name,
    qcur: s.queue.length,
    qmax: s.queue.max,
    scur: c.scur,
    smax: c.smax,
    stot: c.stot,
    bin: c.bin,
    bout: c.bout,
    dresp: c.dresp,
    econ: c.econ,
    eresp: c.eresp,
    wretr: s.retries,
    wredis: s.redispatches,
    status: serverStatus(sv),
    // cur_eweight: drain does not change it (the server is just not usable); a slowstart does
    weight: s.warmSince !== 0 && s.dynamicWeights ? shownWeight(s.uweight, s.warmStep) : s.uweight,
    act: s.spec.backup ? 0 : 1,
    bck: s.spec.backup ? 1 : 0,
    lastchg: secs(now, c.lastChange),
    pid: 1,
    iid: p.uuid,
    sid: s.spec.id ?? 0,
    lbtot: c.lbtot,
    type: TYPE_SV,
    rate: c.sessRate.read(now),
    rate_max: c.rateMax,
    cli_abrt: c.cliAbrt,
    srv_abrt: c.srvAbrt,
    lastsess: c.lastSess === 0 ? -1 : secs(now, c.lastSess),
    qtime: c.avg(c.qtime),
    ctime: c.avg(c.ctime),
    rtime: c.avg(c.rtime),
    ttime: c.avg(c.ttime),
    mode: p.backend!.spec.mode,
    wrew: c.wrew,
    connect: c.connect,
    reuse: c.reuse,
    srv_icur: s.idle.length,
    qtime_max: c.qtimeMax,
    ctime_max: c.ctimeMax,
    rtime_max: c.rtimeMax,
    ttime_max: c.ttimeMax,
    eint: c.eint,
    idle_conn_cur: s.idle.length,
    safe_conn_cur: 0,
    used_conn_cur: Math.max(0, s.conns - s.idle.length),
    need_conn_est: s.served,
    uweight: s.uweight,
    modules: [...zeros(3), ...empties(13 + 8)],
  };
  if (s.maxconn > 0) row.slim = s.maxconn;
  // starting (slowstart) and not draining
  if (s.warmSince !== 0 && s.uweight > 0 && (s.admin & ADMIN_DRAIN) === 0)
    row.throttle = throttlePercent(s.uweight, s.dynamicWeights ? s.warmStep : WEIGHT_SCALE);
  if (s.maxqueue > 0) row.qlimit = s.maxqueue;
  if (checked) {
    row.chkfail = c.chkfail;
    row.chkdown = c.chkdown;
    row.downtime = Math.floor((c.downtime + (c.downSince > 0 ? now - c.downSince : 0)) / 1000);
  }
  if (active) {
    const last = m.last;
    const status = last === null ? 'INI' : last.status;
    row.check_status = m.inProgress ? `* ${status}` : status;
    if (last !== null && (last.status === 'L7OK' || last.status === 'L7OKC' || last.status === 'L7STS'))
      row.check_code = last.code;
    if (last !== null && last.durationMs >= 0) row.check_duration = last.durationMs;
    row.check_desc = last === null ? 'Initializing' : describe(last.status);
    row.last_chk = last?.info ?? '';
    if (row.last_chk === '') row.setEmpty = ['last_chk'];
    row.check_rise = m.check.rise;
    row.check_fall = m.check.fall;
    row.check_health = m.health;
  }
  if (http) {
    hrsp(row, c.hrsp);
    row.req_tot = c.reqTot;
  }
  if (checked && m.check.observe !== null) row.hanafail = c.hanafail;
  if (flags.legends) {
    const spec = s.spec;
    row.addr =
      spec.path !== null
        ? 'unix'
        : spec.host.includes(':')
          ? `[${spec.host}]:${spec.port}`
          : `${spec.host}:${spec.port}`;
    if (spec.cookie) row.cookie = spec.cookie;
  }
  return row;
}

/** The `status` column of a server line (stats_fill_sv_stats's srv_hlt_st). */
export function serverStatus(sv: ServerView): string {
  const s = sv.state;
  if ((s.admin & ADMIN_MAINT) !== 0) return 'MAINT';
  const m = sv.check;
  const checked = m !== undefined;
  if (s.healthUp) {
    const going = checked && m.health < fullHealth(m.check);
    const draining = (s.admin & ADMIN_DRAIN) !== 0;
    if (draining) return going ? `DRAIN ${m!.health - m!.check.rise + 1}/${m!.check.fall}` : 'DRAIN';
    if (!checked) return 'no check';
    return going ? `UP ${m.health - m.check.rise + 1}/${m.check.fall}` : 'UP';
  }
  if (!checked) return 'DOWN';
  return m.health > 0 ? `DOWN ${m.health}/${m.check.rise}` : 'DOWN';
}

/** The row's values in column order (standard fields, `-`, modules). */
export function rowValues(row: Row): Value[] {
  const out: Value[] = new Array(FIELD_NAMES.length);
  for (let i = 0; i < FIELD_NAMES.length; i++) out[i] = row[FIELD_NAMES[i]] ?? '';
  out.push('-');
  for (const v of row.modules) out.push(v);
  return out;
}
