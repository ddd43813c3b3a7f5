/**
 * What the stats counters add to one keep-alive request on the data path: the same calls the HTTP
 * session and the dispatch step make per request (request and session counts, rates, load-balanced
 * pick, status class, the exchange's bytes and timers, open/close of the backend's and the server's
 * sessions), in a loop; prints ns per request. No sockets: it isolates the counters' cost. The
 * clock is read once per request, as the session does anyway (the counters take its timestamps;
 * Date.now() costs ~130 ns on this VM, so they read no clock of their own).
 *   node bench/counters-step.ts [--iterations 2000000]
 */
import { parseArgs } from 'node:util';
import {
  BackendCounters,
  FrontendCounters,
  ServerCounters,
  statusClass,
} from '../packages/balancer/src/counters/counters.ts';
import { countExchange } from '../packages/balancer/src/counters/exchange.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000000' } } });
const n = Math.min(20_000_000, Math.max(10_000, Number(values.iterations)));
const fe = new FrontendCounters();
const be = new BackendCounters();
const srv = new ServerCounters();
const tx = {
  status: 200,
  bytesIn: 80,
  bytesOut: 120,
  tStart: 0,
  tRequest: 0,
  tConnect: 0,
  tConnected: 0,
  tResponse: 0,
  tEnd: 0,
};

function request(i: number): void {
  const now = Date.now();
  if (i % 100 === 0) fe.accept(now); // a new keep-alive connection every 100 requests
  fe.request(now);
  be.open(now);
  be.lbtot++;
  srv.lbtot++;
  srv.open(now);
  srv.lastSess = now;
  be.lastSess = now;
  be.reqTot++;
  srv.reqTot++;
  srv.hrsp[statusClass(200)]++;
  tx.tStart = now;
  tx.tRequest = now;
  tx.tConnect = now;
  tx.tConnected = now;
  tx.tResponse = now;
  tx.tEnd = now;
  countExchange(fe, be, srv, tx);
  srv.close();
  be.close();
  if (i % 100 === 99) fe.close();
}

function run(): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) request(i);
  return Number(process.hrtime.bigint() - t0) / n;
}

run(); // warm-up (JIT)
const samples = [run(), run(), run()].sort((a, b) => a - b);
console.log(
  `counters per keep-alive request: ${samples[1].toFixed(0)} ns (median of 3 × ${n}; min ${samples[0].toFixed(0)}, max ${samples[2].toFixed(0)})`,
);
console.log(`check: ${fe.reqTot + be.reqTot} requests counted`);
