/**
 * The Prometheus exporter scenario, run against HAProxy 2.6 (prometheus-record.ts) or the balancer
 * (prometheus.test.ts): `http-request use-service prometheus-exporter if { path /metrics }` on a
 * frontend, a backend with a checked UP server, a checked DOWN one and one in maintenance, a known
 * traffic pattern (5 × 200, 2 × 404, 1 × 503 from a backend without servers), then scrapes with and
 * without `scope` / `no-maint`. Each scrape is parsed into its metric families (name, HELP, TYPE)
 * and samples.
 */
import { freePorts } from '../support/ports.ts';
import { type ProxyKind, startProxy } from '../support/proc.ts';
import { exchange } from '../support/raw-client.ts';
import { startRawServer } from '../support/raw-server.ts';
import { waitFor } from '../support/wait-for.ts';

export interface Family {
  name: string;
  help: string;
  type: string;
}

export interface Scrape {
  /** the response head (status line and header names/values, lower-cased names) */
  head: string[];
  families: Family[];
  /** `name{labels}` → value text */
  samples: Record<string, string>;
}

export const SCRAPES = [
  '/metrics',
  '/metrics?scope=server&no-maint',
  '/metrics?scope=frontend&scope=backend',
  '/metrics?scope=',
  '/metrics?scope=global',
] as const;

export function scenarioConfig(fe: number, feEmpty: number, up: number, closed: number): string {
  return `global
    nbthread 1
    maxconn 500
defaults
    mode http
    timeout connect 1s
    timeout client 3s
    timeout server 3s
frontend fe
    bind 127.0.0.1:${fe}
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend web
frontend fe_empty
    bind 127.0.0.1:${feEmpty}
    default_backend empty
backend web
    server s1 127.0.0.1:${up} check inter 300
    server s2 127.0.0.1:${closed} check inter 300 fall 1
    server s3 127.0.0.1:${up} disabled
backend empty
`;
}

export function parseScrape(text: string, head: string[]): Scrape {
  const families: Family[] = [];
  const samples: Record<string, string> = {};
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP (\S+) (.*)$/.exec(line);
    if (m) {
      help.set(m[1], m[2]);
      continue;
    }
    m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) {
      families.push({ name: m[1], help: help.get(m[1]) ?? '', type: m[2] });
      continue;
    }
    const sp = line.lastIndexOf(' ');
    samples[line.slice(0, sp)] = line.slice(sp + 1);
  }
  return { head, families, samples };
}

/** Decodes a chunked or Content-Length response into its head lines and body. */
function splitResponse(raw: string): { head: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end).split('\r\n');
  let body = raw.slice(end + 4);
  if (head.some((h) => /^transfer-encoding: *chunked/i.test(h))) {
    let out = '';
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      const n = Number.parseInt(rest.slice(0, nl), 16);
      if (!(n > 0)) break;
      out += rest.slice(nl + 2, nl + 2 + n);
      rest = rest.slice(nl + 2 + n + 2);
    }
    body = out;
  }
  return { head: head.map((h, i) => (i === 0 ? h : h.replace(/^[^:]+/, (k) => k.toLowerCase()))), body };
}

export async function runScenario(kind: ProxyKind): Promise<Record<string, Scrape>> {
  const up = await startRawServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const path = head.split(' ')[1] ?? '/';
        if (head.startsWith('OPTIONS') || !head.includes('HTTP/1.')) {
          sock.end('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n');
          return;
        }
        const status = path.startsWith('/missing') ? '404 Not Found' : '200 OK';
        sock.write(`HTTP/1.1 ${status}\r\ncontent-length: 5\r\n\r\nhello`);
      }
    });
  });
  const [fe, feEmpty, closed] = await freePorts(3);
  const proxy = await startProxy(kind, scenarioConfig(fe, feEmpty, up.port, closed), [fe, feEmpty]);
  const get = async (port: number, path: string) => {
    const r = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, {
      ms: 4000,
    });
    return r.text ?? '';
  };
  try {
    // s2 (closed port, fall 1) goes DOWN, s1 stays UP: wait until the exporter says so
    await waitFor(async () => {
      const t = await get(fe, '/metrics?scope=server');
      return (
        /haproxy_server_status\{proxy="web",server="s2",state="DOWN"\} 1/.test(t) &&
        /haproxy_server_check_status\{proxy="web",server="s1",state="L4OK"\} 1/.test(t)
      );
    }, 8000);
    for (let i = 0; i < 5; i++) await get(fe, `/ok${i}`);
    for (let i = 0; i < 2; i++) await get(fe, `/missing${i}`);
    await get(feEmpty, '/none');
    const out: Record<string, Scrape> = {};
    for (const path of SCRAPES) {
      const { head, body } = splitResponse(await get(fe, path));
      out[path] = parseScrape(body, head);
    }
    return out;
  } finally {
    await proxy.stop();
    await up.close();
  }
}
