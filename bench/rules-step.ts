/**
 * The cost of the rule engine alone, per request: the config of rules-vs-haproxy.ts (20 ACL routing
 * rules and 5 header rewrites) compiled once, then in a bounded loop a request head is parsed, the
 * frontend's request rules and use_backend evaluated (HttpRules.request), a response head parsed and
 * its response rules run, and both forwarded heads built — vs the same work without rules. No sockets,
 * and CPU time rather than wall time, so the figure holds better on a loaded machine.
 *
 *   node bench/rules-step.ts [--iterations 200000] [--repeat 5]
 *
 * Plain and rules runs alternate `--repeat` times; the minimum of each is the figure (the least
 * disturbed by other processes), the median is shown beside it. Two request shapes: a browser's (five
 * headers) and the one wrk sends in rules-vs-haproxy.ts (Host only), answered as nginx answers it there.
 */
import type net from 'node:net';
import { parseArgs } from 'node:util';
import { newBackendState } from '../packages/balancer/src/backend/backend.ts';
import { loadBalancerConfigText } from '../packages/balancer/src/config/load.ts';
import { FrontendRuntime } from '../packages/balancer/src/engine/proxy-runtime.ts';
import { BodyFraming } from '../packages/balancer/src/http/body-framing.ts';
import { HeadEdits } from '../packages/balancer/src/http/head-edits.ts';
import { findHeadEnd, newHead, parseHead } from '../packages/balancer/src/http/head-parser.ts';
import { Transaction } from '../packages/balancer/src/http/transaction.ts';
import { ConnGate } from '../packages/balancer/src/listen/conn-gate.ts';
import { HttpRules } from '../packages/balancer/src/rules/http-rules.ts';
import { RULE_LINES } from './rules-vs-haproxy.ts';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '200000' }, repeat: { type: 'string', default: '5' } },
});
const N = Math.min(5_000_000, Math.max(1000, Number(values.iterations)));
const REPEAT = Math.min(50, Math.max(1, Number(values.repeat)));

const text = `defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nfrontend proxy\n    bind 127.0.0.1:1\n${RULE_LINES.map((l) => `    ${l}\n`).join('')}    default_backend be1\nbackend be1\n    server web1 127.0.0.1:2\nbackend be2\n    server web1 127.0.0.1:2\n`;
const loaded = loadBalancerConfigText([{ path: 'bench.cfg', text }], { env: {} });
if (!loaded.engine) throw new Error(JSON.stringify(loaded.diagnostics));
const cfg = loaded.engine;
const backends = new Map([...cfg.backends].map(([n, s]) => [n, newBackendState(s)]));
const fe = new FrontendRuntime(cfg.frontends[0], backends.get('be1')!, new ConnGate(null, null), cfg.global);
const env = { backend: (n: string) => backends.get(n) ?? null };
const fakeSocket = {
  remoteAddress: '127.0.0.1',
  remotePort: 40000,
  localAddress: '127.0.0.1',
  localPort: 80,
};
const rules = new HttpRules(env, fakeSocket as unknown as net.Socket);

/** two request/response pairs: a browser's request, and what wrk sends in rules-vs-haproxy.ts (Host only) with nginx's answer */
const SHAPES = {
  browser: {
    req: Buffer.from(
      'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nCookie: lang=en; theme=dark\r\n\r\n',
    ),
    res: Buffer.from(
      'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 25\r\n\r\n',
    ),
  },
  wrk: {
    req: Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'),
    res: Buffer.from(
      'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Thu, 03 Dec 2026 17:30:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 23\r\nConnection: keep-alive\r\n\r\n',
    ),
  },
};
let REQ = SHAPES.browser.req;
let RES = SHAPES.browser.res;
const h = newHead(101);
const r = newHead(101);
const ed = new HeadEdits();
const red = new HeadEdits();
const body = new BodyFraming();
const tx = new Transaction();
let reqEnd = 0;
let resEnd = 0;

function once(withRules: boolean): number {
  parseHead(h, REQ, reqEnd, true, 101, null);
  ed.reset(h, REQ);
  let be = fe.defaultBackend;
  if (withRules) be = rules.request(fe, REQ, h, ed, tx);
  const a = ed.build(reqEnd, 0, body)!.buf.length;
  parseHead(r, RES, resEnd, false, 101, null);
  red.reset(r, RES);
  if (withRules) rules.response(fe, be, be!.servers[0], RES, r, red);
  return a + red.build(resEnd, 0, body)!.buf.length;
}

function measure(withRules: boolean): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += once(withRules); // warm-up
  // CPU time, not wall time: other processes on a shared machine do not count
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sink += once(withRules);
  const d = process.cpuUsage(t0);
  const ns = ((d.user + d.system) * 1000) / N;
  if (sink === 0) console.log('');
  return ns;
}

const min = (xs: number[]) => Math.min(...xs);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [shape, pair] of Object.entries(SHAPES)) {
  REQ = pair.req;
  RES = pair.res;
  reqEnd = findHeadEnd(REQ, 0);
  resEnd = findHeadEnd(RES, 0);
  const plainNs: number[] = [];
  const rulesNs: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    plainNs.push(measure(false));
    rulesNs.push(measure(true));
  }
  const plain = min(plainNs);
  const withRules = min(rulesNs);
  console.log(`${shape} request (${REQ.length} bytes, ${h.nHeaders} headers):`);
  console.log(
    `  parse + build, no rules:                       ${plain.toFixed(0)} ns/request (median ${med(plainNs).toFixed(0)})`,
  );
  console.log(
    `  parse + 20 routing rules + 5 rewrites + build: ${withRules.toFixed(0)} ns/request (median ${med(rulesNs).toFixed(0)})`,
  );
  console.log(
    `  the rules add ${(withRules - plain).toFixed(0)} ns per request (medians: ${(med(rulesNs) - med(plainNs)).toFixed(0)})`,
  );
}
