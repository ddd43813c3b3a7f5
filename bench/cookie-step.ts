/**
 * The cost of the cookie-persistence step alone, per request, on the seed's backend
 * (`cookie SESSION_ID insert indirect nocache`): the request head is parsed and edited (onRequest),
 * the response head parsed and edited (onResponse), the forwarded heads built — with the step, and
 * without it (the same work minus onRequest/onResponse). A bounded loop in one process; no sockets.
 *
 *   node bench/cookie-step.ts [--iterations 300000]
 */
import { parseArgs } from 'node:util';
import {
  CookieExchange,
  CookiePersistence,
} from '../packages/balancer/src/backend/persistence/cookie-persistence.ts';
import { newServerState } from '../packages/balancer/src/backend/server.ts';
import { BodyFraming } from '../packages/balancer/src/http/body-framing.ts';
import { HeadEdits } from '../packages/balancer/src/http/head-edits.ts';
import { findHeadEnd, newHead, parseHead } from '../packages/balancer/src/http/head-parser.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '300000' } } });
const N = Math.min(5_000_000, Math.max(1000, Number(values.iterations)));

const spec = {
  name: 'SESSION_ID',
  mode: 'insert' as const,
  indirect: true,
  nocache: true,
  postonly: false,
  preserve: false,
  httponly: false,
  secure: false,
  domains: [],
  attrs: [],
  maxidle: 0,
  maxlife: 0,
  dynamic: false,
};
const servers = ['A', 'B'].map((c, i) =>
  newServerState({
    name: `web${i + 1}`,
    host: '127.0.0.1',
    port: 80 + i,
    path: null,
    weight: 1,
    maxconn: null,
    disabled: false,
    backup: false,
    cookie: c,
  }),
);
const ck = new CookiePersistence(spec, servers, false);
const st = new CookieExchange();

const REQUESTS = {
  'no cookie (insert)':
    'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n',
  'persistent, mixed cookies':
    'GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\nCookie: lang=en; SESSION_ID=A; theme=dark\r\n\r\n',
};
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 25\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n',
);

const reqHead = newHead(101);
const resHead = newHead(101);
const reqEd = new HeadEdits();
const resEd = new HeadEdits();
const body = new BodyFraming();

function once(req: Buffer, withCookie: boolean): number {
  const now = Date.now();
  let h = parseHead(reqHead, req, findHeadEnd(req, 0), true, 101, null);
  let ed = reqEd.reset(h, req);
  let server = servers[0];
  if (withCookie) server = ck.onRequest(h, req, ed, st, now) ?? servers[0];
  let out = ed.build(h.headEnd, 0, body)!.buf.length;
  h = parseHead(resHead, RESPONSE, findHeadEnd(RESPONSE, 0), false, 101, null);
  ed = resEd.reset(h, RESPONSE);
  if (withCookie) ck.onResponse(h, RESPONSE, ed, st, server, st.server !== null, now);
  out += ed.build(h.headEnd, 0, body)!.buf.length;
  return out;
}

for (const [label, text] of Object.entries(REQUESTS)) {
  const req = Buffer.from(text);
  const ns: Record<string, number> = {};
  for (const withCookie of [false, true, false, true]) {
    for (let i = 0; i < N / 10; i++) once(req, withCookie); // warm-up
    const t0 = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < N; i++) sink += once(req, withCookie);
    const per = Number(process.hrtime.bigint() - t0) / N;
    ns[withCookie ? 'with' : 'without'] = per;
    if (sink === 0) console.log('');
  }
  console.log(
    `${label.padEnd(28)} heads parsed+built: ${ns.without.toFixed(0)} ns without the cookie step, ${ns.with.toFixed(0)} ns with it (+${(ns.with - ns.without).toFixed(0)} ns/request)`,
  );
}
