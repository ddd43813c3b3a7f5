/**
 * The end of one HTTP exchange in the counters: bytes, the status class and HAProxy's four timers
 * (stream_update_time_stats: only exchanges that reached a server and got a response head count in
 * the averages). Called once per exchange by the HTTP session; no allocation.
 */
import type { BackendCounters, FrontendCounters, ServerCounters } from './counters.ts';
import { statusClass } from './counters.ts';

/** What countExchange reads of a transaction (http/transaction.ts has these fields). */
export interface ExchangeFacts {
  status: number;
  bytesIn: number;
  bytesOut: number;
  tStart: number;
  tRequest: number;
  tConnect: number;
  tConnected: number;
  tResponse: number;
  tEnd: number;
}

export function countExchange(
  fe: FrontendCounters,
  be: BackendCounters | null,
  srv: ServerCounters | null,
  tx: ExchangeFacts,
): void {
  const cls = statusClass(tx.status);
  fe.hrsp[cls]++;
  fe.bin += tx.bytesIn;
  fe.bout += tx.bytesOut;
  if (be === null) return;
  be.hrsp[cls]++;
  be.bin += tx.bytesIn;
  be.bout += tx.bytesOut;
  if (srv !== null) {
    srv.bin += tx.bytesIn;
    srv.bout += tx.bytesOut;
  }
  if (tx.tConnected < 0 || tx.tResponse < 0) return;
  const end = tx.tEnd >= 0 ? tx.tEnd : Date.now();
  const tq = tx.tConnect - tx.tRequest;
  const tc = tx.tConnected - tx.tConnect;
  const tr = tx.tResponse - tx.tConnected;
  const tt = end - tx.tStart;
  be.addTimes(tq, tc, tr, tt);
  srv?.addTimes(tq, tc, tr, tt);
}
