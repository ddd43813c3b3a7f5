/**
 * HAProxy 2.6's built-in access-log formats as fixed formatters over a LogRecord (no format string
 * is interpreted per request). The format strings they implement (doc/configuration.txt §8.2):
 *
 *   option httplog      %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r
 *   option httplog clf  %{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl
 *   option tcplog       %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq
 *   (none)              Connect from %ci:%cp to %fi:%fp (%f/HTTP|TCP), sent at the accept
 *
 * Recorded lines (test/logging-expected.json) are the reference: e.g.
 *   127.0.0.1:47328 [03/Dec/2026:10:51:54.235] fe be/s1 0/0/0/3/3 200 119 - - --NI 1/1/0/0/0 0/0 "GET / HTTP/1.1"
 * Header captures (%hr %hs, %hrl %hsl) print as configured; cookie captures (%CC %CS) are not built: `-`.
 */
import { clfDate, logDate } from './log-date.ts';
import type { LogRecord } from './log-record.ts';

/** HAProxy's tune.http.logurilen: the request line is cut after this many bytes */
const LOG_URI_LEN = 1024;

const HEX = '0123456789ABCDEF';

/**
 * %r as HAProxy encodes it (http_encode_map): control characters, `"`, `#`, DEL and 8-bit bytes
 * become `#XX`; the line is first cut at tune.http.logurilen.
 */
export function encodeRequestLine(line: string): string {
  const s = line.length > LOG_URI_LEN ? line.slice(0, LOG_URI_LEN) : line;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c >= 127 || c === 34 || c === 35) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) & 0xff;
    out += c < 32 || c >= 127 || c === 34 || c === 35 ? `#${HEX[c >> 4]}${HEX[c & 15]}` : s[i];
  }
  return out;
}

/** %hr / %hs: `{v1|v2}` of the header captures (nothing when none is configured); `q`: +Q. */
export function capturesBraced(caps: readonly (string | null)[], q: boolean): string {
  if (caps.length === 0) return '';
  let s = '{';
  for (let i = 0; i < caps.length; i++) s += (i > 0 ? '|' : '') + encodeRequestLine(caps[i] ?? '');
  s += '}';
  return q ? `"${s}"` : s;
}

/** %hrl / %hsl: each capture on its own, `-` (`""` with +Q) for one that caught nothing. */
export function capturesClf(caps: readonly (string | null)[], q: boolean): string {
  let s = '';
  for (let i = 0; i < caps.length; i++) {
    const v = caps[i];
    const t =
      v === null || v === '' ? (q ? '""' : '-') : q ? `"${encodeRequestLine(v)}"` : encodeRequestLine(v);
    s += (i > 0 ? ' ' : '') + t;
  }
  return s;
}

/** `%hr %hs ` as httplog prints them before the request line: each followed by a space when present. */
function httpCaptures(r: LogRecord): string {
  const a = capturesBraced(r.reqCaptures, false);
  const b = capturesBraced(r.resCaptures, false);
  return (a === '' ? '' : `${a} `) + (b === '' ? '' : `${b} `);
}

const plus = (r: LogRecord) => (r.asap ? '+' : '');
const rc = (r: LogRecord) => (r.redispatched ? `+${r.retries}` : `${r.retries}`);

/** %ft: the frontend's name, followed by `~` when the client connection is TLS (HAProxy's transport mark). */
const ft = (r: LogRecord) => (r.tls === null ? r.frontend : `${r.frontend}~`);

export function httpLine(r: LogRecord): string {
  return `${r.clientIp}:${r.clientPort} [${logDate(r.requestDate)}] ${ft(r)} ${r.backend}/${r.server} ${r.TR}/${r.Tw}/${r.Tc}/${r.Tr}/${plus(r)}${r.Ta} ${r.status} ${plus(r)}${r.bytesOut} - - ${r.termCause}${r.termPhase}${r.cookieReq}${r.cookieRes} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${rc(r)} ${r.srvQueue}/${r.beQueue} ${httpCaptures(r)}"${encodeRequestLine(r.requestLine)}"`;
}

/** `%hrl %hsl` at the end of the CLF line, quoted (`%{+Q}o`) */
function clfCaptures(r: LogRecord): string {
  const a = capturesClf(r.reqCaptures, true);
  const b = capturesClf(r.resCaptures, true);
  return a === '' ? b : b === '' ? a : `${a} ${b}`;
}

export function clfLine(r: LogRecord): string {
  const ms = Math.floor(r.acceptDate) % 1000;
  return `${r.clientIp} - - [${clfDate(r.requestDate)}] "${encodeRequestLine(r.requestLine)}" ${r.status} ${plus(r)}${r.bytesOut} "" "" ${r.clientPort} ${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms} "${ft(r)}" "${r.backend}" "${r.server}" ${r.TR} ${r.Tw} ${r.Tc} ${r.Tr} ${plus(r)}${r.Ta} ${r.termCause}${r.termPhase}${r.cookieReq}${r.cookieRes} ${r.actconn} ${r.feconn} ${r.beconn} ${r.srvconn} ${rc(r)} ${r.srvQueue} ${r.beQueue} "" "" ${clfCaptures(r)}`;
}

/**
 * `option httpslog`: httplog, then `%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed]
 * %[ssl_fc_sni]/%sslv/%sslc` (recorded from haproxy 2.6: `0/0000000000000000/0/0/0 a.test/TLSv1.3/TLS_AES_256_GCM_SHA384`,
 * and `0/-/-/-/0 -/-/-` on clear text). A handshake that failed is not logged here, so the errors are 0.
 */
export function httpsLine(r: LogRecord): string {
  const t = r.tls;
  if (t === null) return `${httpLine(r)} 0/-/-/-/0 -/-/-`;
  return `${httpLine(r)} 0/0000000000000000/0/0/${t.resumed ? 1 : 0} ${t.sni || '-'}/${t.protocol}/${t.cipher}`;
}

export function tcpLine(r: LogRecord): string {
  return `${r.clientIp}:${r.clientPort} [${logDate(r.acceptDate)}] ${ft(r)} ${r.backend}/${r.server} ${r.Tw}/${r.Tc}/${plus(r)}${r.Tt} ${plus(r)}${r.bytesOut} ${r.termCause}${r.termPhase} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${rc(r)} ${r.srvQueue}/${r.beQueue}`;
}

/** The line HAProxy sends at the accept when the frontend has no log format option. */
export function connectLine(
  clientIp: string,
  clientPort: number,
  feIp: string,
  fePort: number,
  frontend: string,
  mode: 'http' | 'tcp',
): string {
  return `Connect from ${clientIp}:${clientPort} to ${feIp}:${fePort} (${frontend}/${mode === 'http' ? 'HTTP' : 'TCP'})`;
}
