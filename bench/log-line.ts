/**
 * The cost of one access-log line in the balancer, by step, CPU time per line (process.cpuUsage):
 * formatting (httpLine, and the same format as a compiled log-format string), the syslog header (frame), and the UDP send through a LogTarget to a local
 * receiver in another process (socat, writing to /dev/null).
 *
 *   node bench/log-line.ts [--lines 100000]
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { httpLine } from '../packages/balancer/src/log/access-formats.ts';
import { LogRecord } from '../packages/balancer/src/log/log-record.ts';
import { LogTarget } from '../packages/balancer/src/log/log-sender.ts';
import type { LogTargetSpec } from '../packages/balancer/src/log/log-spec.ts';
import { frame } from '../packages/balancer/src/log/syslog-frame.ts';
import { compileLogFormat } from '../packages/balancer/src/rules/log-format.ts';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '100000' } } });
const N = Math.min(2_000_000, Math.max(1000, Number(values.lines)));

const r = new LogRecord();
Object.assign(r, {
  clientIp: '127.0.0.1',
  clientPort: 47328,
  frontend: 'proxy',
  backend: 'dynamic',
  server: 'web1',
  acceptDate: Date.now(),
  requestDate: Date.now(),
  TR: 0,
  Tw: 0,
  Tc: 0,
  Tr: 1,
  Ta: 1,
  status: 200,
  bytesOut: 119,
  actconn: 50,
  feconn: 50,
  beconn: 1,
  srvconn: 1,
  requestLine: 'GET /index.html HTTP/1.1',
});

function cpu<T>(label: string, fn: () => T): T {
  const t0 = process.cpuUsage();
  const out = fn();
  const d = process.cpuUsage(t0);
  console.log(`${label.padEnd(34)} ${(((d.user + d.system) * 1000) / N).toFixed(0).padStart(6)} ns/line`);
  return out;
}

// the receiver is another process (socat), so its reads are not counted here
const probe = dgram.createSocket('udp4');
await new Promise<void>((ok) => probe.bind(0, '127.0.0.1', () => ok()));
const sinkPort = probe.address().port;
probe.close();
const socat = spawn('socat', ['-u', `UDP-RECV:${sinkPort},bind=127.0.0.1`, 'OPEN:/dev/null'], {
  stdio: 'ignore',
});
await new Promise((ok) => setTimeout(ok, 300));
const spec: LogTargetSpec = {
  text: 'bench',
  kind: 'udp',
  host: '127.0.0.1',
  port: sinkPort,
  family: 4,
  path: '',
  facility: 18,
  maxLevel: 7,
  minLevel: 0,
  format: 'default',
  len: 1024,
  sample: null,
};
const origin = { tag: 'haproxy', pid: process.pid, hostname: null };
let keep = 0;
cpu('httpLine (format the record)', () => {
  for (let i = 0; i < N; i++) {
    r.requestDate += 1;
    keep += httpLine(r).length;
  }
});
// the same line written as HAProxy defines httplog, through the log-format compiler
const compiled = compileLogFormat(
  '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r',
  { loadMap: () => '' },
);
cpu('log-format httplog (compiled)', () => {
  for (let i = 0; i < N; i++) {
    r.requestDate += 1;
    keep += compiled(r).length;
  }
});
cpu('frame (RFC 3164 header)', () => {
  const line = httpLine(r);
  for (let i = 0; i < N; i++) keep += frame(spec, 6, origin, line, r.requestDate + i).length;
});
const target = new LogTarget(spec);
// let the socket connect, then send in batches of 50 per turn (as 50 keep-alive clients would)
target.send(6, origin, 'warm-up', Date.now());
await new Promise((ok) => setTimeout(ok, 50));
const t0 = process.cpuUsage();
for (let i = 0; i < N; i += 50) {
  for (let j = 0; j < 50; j++) target.send(6, origin, httpLine(r), Date.now());
  await new Promise((ok) => setImmediate(ok));
}
const d = process.cpuUsage(t0);
console.log(
  `${'format + frame + send (UDP)'.padEnd(34)} ${(((d.user + d.system) * 1000) / N).toFixed(0).padStart(6)} ns/line: user ${((d.user * 1000) / N).toFixed(0)}, system ${((d.system * 1000) / N).toFixed(0)} (the kernel's loopback delivery is charged to the sender)  (sent ${target.counters.sent}, dropped ${target.counters.dropped})`,
);
socat.kill();
target.close();
if (keep < 0) console.log(keep);
