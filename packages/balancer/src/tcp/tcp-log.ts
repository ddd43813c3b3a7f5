/**
 * The access log of one `mode tcp` connection (`option tcplog`, or the `Connect from` line without
 * it): what the session measured, into its LogRecord, once, when the connection closes.
 */
import type { Dispatch } from '../backend/dispatch.ts';
import type { ProxyRuntime } from '../engine/proxy-runtime.ts';
import { type LogRecord, nextStreamId } from '../log/log-record.ts';

/** What a TcpSession measures for its log line (ms timestamps, -1 = not reached). */
export class TcpLogState {
  tAccept = Date.now();
  /** %rt: the stream number of this connection (HAProxy's uniq_id, taken at the accept) */
  readonly uniqId = nextStreamId();
  /** %bi %bp: the server connection's local address, once connected */
  connIp = '';
  connPort = 0;
  tConnect = -1;
  tConnected = -1;
  bytesIn = 0;
  bytesOut = 0;
  cause = '-';
  phase = '-';
  /** the line was sent (`option logasap`: at the server connection) */
  logged = false;

  /** The first abnormal end is the one logged. */
  terminate(cause: string, phase: string): void {
    if (this.cause !== '-') return;
    this.cause = cause;
    this.phase = phase;
  }
}

const since = (from: number, to: number) => (from < 0 || to < 0 ? -1 : to - from);

/** `asap`: `option logasap`, sent when the server connection is up (Tt and bytes so far, with a `+`). */
export function logTcpSession(
  px: ProxyRuntime,
  st: TcpLogState,
  d: Dispatch | null,
  rec: LogRecord,
  asap = false,
): void {
  const lg = px.frontend.logger;
  if (lg === null || st.logged) return;
  st.logged = true;
  if (!asap && st.bytesIn === 0 && lg.spec.dontlognull) return;
  if (!asap) d?.end();
  rec.asap = asap;
  const now = Date.now();
  const srv = d !== null && st.tConnect >= 0 ? d.server : null;
  rec.mode = 'tcp';
  rec.frontend = px.fe.name;
  rec.backend = px.be !== null ? px.be.spec.name : px.fe.name;
  rec.server = srv !== null ? srv.spec.name : '<NOSRV>';
  rec.acceptDate = st.tAccept;
  rec.requestDate = st.tAccept;
  rec.Tw = since(st.tAccept, st.tConnect);
  rec.Tc = since(st.tConnect, st.tConnected);
  rec.Tt = now - st.tAccept;
  rec.Ta = rec.Tt;
  rec.bytesOut = st.bytesOut;
  rec.bytesIn = st.bytesIn;
  rec.termCause = st.cause;
  rec.termPhase = st.phase;
  let top = px.gate;
  while (top.parent !== null) top = top.parent;
  rec.actconn = top.active;
  rec.feconn = px.gate.active;
  let bc = 0;
  if (px.be !== null) for (const s of px.be.servers) bc += s.served;
  rec.beconn = bc;
  rec.srvconn = srv !== null ? srv.served : 0;
  rec.retries = d !== null && d.attempts > 1 ? d.attempts - 1 : 0;
  rec.redispatched = d?.redispatched === true;
  rec.requestCounter = st.uniqId;
  rec.backendIp = srv !== null ? st.connIp : '';
  rec.backendPort = srv !== null ? st.connPort : 0;
  rec.serverIp = srv !== null ? srv.spec.host : '';
  rec.serverPort = srv !== null ? srv.spec.port : 0;
  lg.access(rec);
}
