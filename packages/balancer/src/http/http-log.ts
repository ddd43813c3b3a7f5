/**
 * The access log of one HTTP exchange: fills the session's LogRecord from the Transaction, the
 * dispatch step and the connection counters, then hands it to the frontend's logger. Called once per
 * exchange (Transaction.logged) where the exchange ends: the response is done, an error response was
 * sent, or the connection closed (client abort, a head that never completed). Only runs when the
 * frontend has log targets.
 */
import type { Dispatch } from '../backend/dispatch.ts';
import type { CookieVerdict } from '../backend/persistence/cookie-request.ts';
import type { ProxyRuntime } from '../engine/proxy-runtime.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import { type LogRecord, nextStreamId } from '../log/log-record.ts';
import type { LogLine } from '../rules/log-format.ts';
import { LOG_SILENT, type Transaction } from './transaction.ts';

const VERDICT: Record<CookieVerdict, string> = {
  none: 'N',
  invalid: 'I',
  down: 'D',
  valid: 'V',
  expired: 'E',
  old: 'O',
  unused: 'U',
};

/** The record's per-connection fields, once per session. */
export function initRecord(
  rec: LogRecord,
  clientIp: string,
  clientPort: number,
  feIp: string,
  fePort: number,
) {
  rec.mode = 'http';
  rec.clientIp = clientIp;
  rec.clientPort = clientPort;
  rec.frontendIp = feIp;
  rec.frontendPort = fePort;
}

function rootActive(g: ConnGate): number {
  let top = g;
  while (top.parent !== null) top = top.parent;
  return top.active;
}

/**
 * %ID for this request (`unique-id-format`), computed once the request head and its rules are done,
 * as HAProxy does before adding `unique-id-header`: from what the record knows at that point.
 */
export function uniqueIdOf(px: ProxyRuntime, tx: Transaction, rec: LogRecord, format: LogLine): string {
  rec.frontend = px.fe.name;
  rec.acceptDate = tx.tStart;
  rec.requestDate = tx.tFirstByte < 0 ? tx.tStart : tx.tFirstByte;
  rec.requestCounter = tx.uniqId;
  rec.requestLine = tx.requestLine;
  rec.uniqueId = '';
  return format(rec);
}

const since = (from: number, to: number) => (from < 0 || to < 0 ? -1 : to - from);

/**
 * `asap` (`option logasap`): the line is sent when the response head has been forwarded, with the
 * times and bytes so far (HAProxy prints them with a `+`); the exchange is still counted on its server.
 */
export function logHttpExchange(
  px: ProxyRuntime,
  tx: Transaction,
  d: Dispatch,
  rec: LogRecord,
  asap = false,
): void {
  const lg = px.frontend.logger;
  if (lg === null || tx.logged) return;
  tx.logged = true;
  const now = tx.tEnd < 0 || asap ? Date.now() : tx.tEnd;
  // a connection that sent nothing: `option dontlognull` hides it
  if (tx.tFirstByte < 0 && tx.tRequest < 0 && lg.spec.dontlognull) return;
  // a null connection that is logged gets a stream of its own in HAProxy (its uniq_id, %rt)
  if (tx.tFirstByte < 0) tx.uniqId = nextStreamId();
  if (!asap) d.end();
  // `set-log-level silent`
  if (tx.logLevel === LOG_SILENT) return;
  rec.level = tx.logLevel;
  rec.asap = asap;
  const headRead = tx.tRequest >= 0 && tx.requestLine !== '';
  const be = headRead ? px.be : null;
  rec.frontend = px.fe.name;
  rec.backend = be !== null ? be.spec.name : px.fe.name;
  // a server was assigned to this exchange when a connection was sought (acquire)
  const srv = headRead && tx.tConnect >= 0 ? d.server : null;
  rec.server = srv !== null ? srv.spec.name : '<NOSRV>';
  const first = tx.tFirstByte < 0 ? tx.tStart : tx.tFirstByte;
  rec.acceptDate = tx.tStart;
  rec.requestDate = first;
  rec.Th = 0;
  rec.Ti = since(tx.tStart, first);
  rec.TR = since(first, tx.tRequest);
  rec.Tw = since(tx.tRequest, tx.tConnect);
  if (tx.phase === 'T') {
    // tarpit (HAProxy's http_process_tarpit): the request time is never stamped (-1) and the wait is
    // logged as the queue time, from the accept (tConnect stamped at its end), minus that -1
    rec.TR = -1;
    rec.Tw = since(tx.tStart, tx.tConnect) + 1;
  }
  rec.Tc = since(tx.tConnect, tx.tConnected);
  rec.Tr = since(tx.tConnected, tx.tResponse);
  rec.Ta = now - first;
  rec.Tt = now - tx.tStart;
  rec.requestLine = headRead ? tx.requestLine : '<BADREQ>';
  let cause: string = tx.cause;
  let phase: string = tx.phase;
  let status = tx.status;
  if (!headRead && cause === '-') {
    // the client went away before a complete request head: HAProxy's CR, logged as a 400
    cause = 'C';
    phase = 'R';
    status = 400;
  }
  rec.status = status;
  rec.bytesOut = tx.bytesOut;
  rec.bytesIn = tx.bytesIn;
  rec.termCause = cause;
  rec.termPhase = phase;
  if (be !== null && be.cookie !== null) {
    rec.cookieReq = VERDICT[tx.cookie.verdict];
    rec.cookieRes = tx.cookie.resFlag;
  } else {
    rec.cookieReq = '-';
    rec.cookieRes = '-';
  }
  rec.actconn = rootActive(px.gate);
  rec.feconn = px.gate.active;
  let bc = 0;
  if (be !== null) for (const s of be.servers) bc += s.served;
  rec.beconn = bc;
  rec.srvconn = srv !== null ? srv.served : 0;
  rec.retries = srv !== null && d.attempts > 1 ? d.attempts - 1 : 0;
  rec.redispatched = srv !== null && d.redispatched;
  rec.error = false;
  rec.uniqueId = tx.uniqueId;
  rec.requestCounter = tx.uniqId;
  rec.backendIp = srv !== null ? tx.connIp : '';
  rec.backendPort = srv !== null ? tx.connPort : 0;
  rec.serverIp = srv !== null ? srv.spec.host : '';
  rec.serverPort = srv !== null ? srv.spec.port : 0;
  lg.access(rec);
}
