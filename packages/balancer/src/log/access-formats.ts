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
 * Captures (%hr %hs %CC %CS) are not built: they print as HAProxy prints them without captures.
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

const rc = (r: LogRecord) => (r.redispatched ? `+${r.retries}` : `${r.retries}`);

export function httpLine(r: LogRecord): string {
  return `${r.clientIp}:${r.clientPort} [${logDate(r.requestDate)}] ${r.frontend} ${r.backend}/${r.server} ${r.TR}/${r.Tw}/${r.Tc}/${r.Tr}/${r.Ta} ${r.status} ${r.bytesOut} - - ${r.termCause}${r.termPhase}${r.cookieReq}${r.cookieRes} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${rc(r)} ${r.srvQueue}/${r.beQueue} "${encodeRequestLine(r.requestLine)}"`;
}

export function clfLine(r: LogRecord): string {
  const ms = Math.floor(r.acceptDate) % 1000;
  return `${r.clientIp} - - [${clfDate(r.requestDate)}] "${encodeRequestLine(r.requestLine)}" ${r.status} ${r.bytesOut} "" "" ${r.clientPort} ${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms} "${r.frontend}" "${r.backend}" "${r.server}" ${r.TR} ${r.Tw} ${r.Tc} ${r.Tr} ${r.Ta} ${r.termCause}${r.termPhase}${r.cookieReq}${r.cookieRes} ${r.actconn} ${r.feconn} ${r.beconn} ${r.srvconn} ${rc(r)} ${r.srvQueue} ${r.beQueue} "" "" `;
}

export function tcpLine(r: LogRecord): string {
  return `${r.clientIp}:${r.clientPort} [${logDate(r.acceptDate)}] ${r.frontend} ${r.backend}/${r.server} ${r.Tw}/${r.Tc}/${r.Tt} ${r.bytesOut} ${r.termCause}${r.termPhase} ${r.actconn}/${r.feconn}/${r.beconn}/${r.srvconn}/${rc(r)} ${r.srvQueue}/${r.beQueue}`;
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
