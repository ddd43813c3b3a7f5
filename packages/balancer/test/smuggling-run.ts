/** Runs smuggling-table rows against a proxy (HAProxy or the balancer) on loopback. */

import type { Outcome, SmugglingCase } from './smuggling-cases.ts';
import { header, type ParsedRequest, splitRequests } from './support/http1.ts';
import { exchange } from './support/raw-client.ts';
import type { Recorder } from './support/recorder.ts';

/**
 * The config both proxies run for the table. `http-server-close` gives every request its own server
 * connection, so what the backend got can be attributed to one row; no forwardfor so both proxies
 * forward the same headers.
 */
export function smugglingConfig(frontPort: number, backPort: number, extraGlobal: string[] = []): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 1000',
    ...extraGlobal.map((l) => `    ${l}`),
    'defaults',
    '    mode http',
    '    option http-server-close',
    '    timeout connect 2s',
    '    timeout client 5s',
    '    timeout server 5s',
    '    timeout http-request 3s',
    '    timeout http-keep-alive 3s',
    'frontend fe',
    `    bind 127.0.0.1:${frontPort}`,
    '    default_backend be',
    'backend be',
    `    server s1 127.0.0.1:${backPort}`,
    '',
  ].join('\n');
}

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…(${s.length} bytes)` : s);

/** The desync-relevant view of one request a backend received: line, framing, host, body. */
export function describeRequest(r: ParsedRequest): string {
  const parts = [JSON.stringify(clip(r.head.startLine, 60))];
  for (const name of ['host', 'content-length', 'transfer-encoding']) {
    const v = header(r.head, name);
    if (v !== null) parts.push(`${name}=${JSON.stringify(v)}`);
  }
  parts.push(`body=${JSON.stringify(clip(r.body, 60))}`);
  if (!r.complete) parts.push('incomplete');
  return parts.join(' ');
}

export type CaseRun = {
  outcome: Outcome;
  /** What the client received (latin1, clipped). */
  clientRaw: string;
  /** What the backend received, one string per server connection (latin1, clipped). */
  backendRaw: string[];
  /** Bodies of 4xx/5xx responses, by status. */
  errorBodies: Record<string, string>;
};

/** One row, sequentially: the recorder must not be shared with another row running at the same time. */
export async function runCase(c: SmugglingCase, proxyPort: number, rec: Recorder): Promise<CaseRun> {
  rec.take();
  rec.script = c.backend ?? { kind: 'ok' };
  const ex = await exchange(proxyPort, c.steps, { headRequests: c.headRequests, idleMs: 300, ms: 5000 });
  // The proxy closes its server side once the client is gone; wait for it (bounded) so late bytes
  // are attributed to this row, then drop whatever is left.
  await new Promise((ok) => setTimeout(ok, 20));
  await rec.settle(1500);
  const conns = rec.take();
  for (const k of conns) k.socket.destroy();
  const errorBodies: Record<string, string> = {};
  for (const r of ex.responses) if (r.status >= 400 && r.complete) errorBodies[r.status] = r.body;
  return {
    outcome: {
      responses: ex.responses.map((r) => `${r.status}${r.complete ? '' : ' incomplete'}`),
      closed: ex.closed,
      backend: conns.flatMap((k) => splitRequests(k.data).map(describeRequest)),
    },
    clientRaw: clip(ex.text, 1500),
    backendRaw: conns.map((k) => clip(k.data, 1500)),
    errorBodies,
  };
}

/** The outcome a row expects from the balancer: HAProxy's, unless the row is deliberately stricter. */
export function expectedForBalancer(c: SmugglingCase, haproxy: Outcome): Outcome {
  return c.stricter ? c.stricter.expect : haproxy;
}
