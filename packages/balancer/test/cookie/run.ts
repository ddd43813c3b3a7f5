/**
 * Runs one cookie case (cases.ts) against a proxy and returns what was seen, in a form that compares
 * equal between HAProxy and the balancer when they behave the same: header names lower-cased (HAProxy
 * lower-cases every header name it forwards; the balancer keeps them as received), cookie dates turned
 * back into `{date:N}` offsets.
 */
import net from 'node:net';
import { decodeDate, encodeDate } from '../../src/backend/persistence/cookie-date.ts';
import { startUpstream, type Upstream } from '../support/harness.ts';
import { type ParsedResponse, splitResponses } from '../support/http1.ts';
import { adoptClient, type RawClient } from '../support/raw-client.ts';
import type { CaseRequest, CookieCase } from './cases.ts';

/** What one request led to. */
export interface Seen {
  /** the request as sent, header lines only */
  sent: string[];
  /** the server that got it (web1, web2, …), null when none did */
  server: string | null;
  /** the request line and header lines the server got */
  atServer: string[];
  /** the status line and header lines the client got */
  atClient: string[];
}

export interface Proxy {
  port: number;
  /** puts a server in maintenance (HAProxy: `disable server l/NAME`) */
  setDown(server: string): Promise<void>;
  stop(): Promise<void>;
}

/** How to start one proxy on a configuration (the same text for both). */
export type StartProxy = (cfg: string, port: number) => Promise<Proxy>;

export interface Backends {
  addresses: string[];
  /** closes server `i`'s listening socket and connections: it refuses connections from now on */
  refuse(i: number): Promise<void>;
  /** heads received since the last take, per server name */
  take(): { server: string; head: string }[];
  close(): Promise<void>;
}

/** The case's servers: each records the heads it gets and answers with the variant the path names. */
export async function startBackends(
  c: Pick<CookieCase, 'servers' | 'addresses' | 'responses'>,
): Promise<Backends> {
  const got: { server: string; head: string }[] = [];
  const servers: Upstream[] = [];
  const addresses: string[] = [];
  for (let i = 0; i < c.servers.length; i++) {
    const name = `web${i + 1}`;
    const [host, port] = c.addresses ? splitAddress(c.addresses[i]) : ['127.0.0.1', 0];
    const up = await startUpstream(
      (req, s) => {
        const head = req.slice(0, req.indexOf('\r\n\r\n') + 4);
        got.push({ server: name, head });
        const m = /^(\S+) \S*[?&]r=(\d+)/.exec(head);
        const v = c.responses?.[m ? Number(m[2]) : 0] ?? {};
        const body = `${name}\n`;
        const isHead = head.startsWith('HEAD ');
        const noBody = /^(204|304)/.test(v.status ?? '');
        const lines = [
          `HTTP/1.1 ${v.status ?? '200 OK'}`,
          ...(noBody ? [] : [`Content-Length: ${body.length}`]),
          ...(v.headers ?? []),
        ];
        s.write(`${lines.join('\r\n')}\r\n\r\n${isHead || noBody ? '' : body}`);
      },
      { host: host.replace(/^\[(.*)\]$/, '$1'), port },
    );
    servers.push(up);
    addresses.push(`${host}:${up.port}`);
  }
  return {
    addresses,
    refuse: (i) => servers[i].close(),
    take: () => got.splice(0),
    close: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}

function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
}

/** The listen section of a case, bound to `port`, its servers at `addresses`. */
export function caseConfig(c: CookieCase, port: number, addresses: string[]): string {
  const servers = c.servers.map(
    (opts, i) => `    server web${i + 1} ${addresses[i]}${opts ? ` ${opts}` : ''}`,
  );
  return [
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 5s',
    '    timeout server 5s',
    'listen l',
    `    bind 127.0.0.1:${port}`,
    '    balance roundrobin',
    ...c.backend.map((l) => `    ${l}`),
    ...servers,
    '',
  ].join('\n');
}

/** `{date:N}` → the cookie date N seconds from `now`. */
export function withDates(line: string, now: number): string {
  return line.replace(/\{date:(-?\d+)\}/g, (_m, n: string) => encodeDate(now + Number(n)));
}

/**
 * Cookie dates back to `{date:N}`: N is the nearest of the case's own offsets (and 0) from `now`,
 * within the 4-second rounding and a few seconds of run time; any other date stays as written.
 */
export function normaliseDates(line: string, now: number, offsets: number[]): string {
  return line.replace(/\|([A-Za-z0-9+/]{5})(?=[|;,\s]|$)/g, (m, d: string) => {
    const t = decodeDate(d, 0);
    if (t === 0) return m;
    // HAProxy writes now rounded up to 4 s; allow a few seconds of run time on top
    let best = offsets[0];
    for (const off of offsets) if (Math.abs(t - (now + off)) < Math.abs(t - (now + best))) best = off;
    return Math.abs(t - (now + best)) <= 6 ? `|{date:${best}}` : m;
  });
}

export function lowerNames(lines: string[]): string[] {
  return lines.map((l, i) => {
    if (i === 0) return l;
    const c = l.indexOf(':');
    return c < 0 ? l : l.slice(0, c).toLowerCase() + l.slice(c);
  });
}

function requestText(r: CaseRequest, now: number): { text: string; sent: string[] } {
  const method = r.method ?? 'GET';
  const sent = (r.headers ?? []).map((h) => withDates(h, now));
  const path = `/?r=${r.respond ?? 0}`;
  return {
    text: `${method} ${path} HTTP/1.1\r\nHost: x\r\n${sent.map((h) => `${h}\r\n`).join('')}\r\n`,
    sent,
  };
}

/** Reads the responses of one connection, one at a time (test/support/http1.ts frames them). */
export class ResponseReader {
  private readonly client: RawClient;
  private from = 0;
  constructor(sock: net.Socket) {
    this.client = adoptClient(sock);
  }
  get closed(): boolean {
    return this.client.closed();
  }
  /** The next response's head (status line and headers, up to the blank line); the rest when closed. */
  async next(isHead: boolean, ms: number): Promise<string> {
    let r: ParsedResponse | undefined;
    const done = await this.client.until((t) => {
      r = splitResponses(t.slice(this.from), false, [isHead])[0];
      return r?.complete === true;
    }, ms);
    const rest = this.client.text().slice(this.from);
    if (done && r) {
      this.from += r.end;
      return rest.slice(0, r.head.end);
    }
    if (this.client.closed()) return rest;
    throw new Error(`no complete response within ${ms} ms (got ${JSON.stringify(rest)})`);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((ok, ko) => {
    const s = net.connect(port, '127.0.0.1', () => ok(s));
    s.once('error', ko);
  });
}

/** Runs the case's requests through `proxy` in order; one Seen per request. */
export async function runRequests(c: CookieCase, proxy: Proxy, backends: Backends): Promise<Seen[]> {
  for (const d of c.down ?? []) await proxy.setDown(d);
  const offsets = [0];
  for (const r of c.requests)
    for (const h of r.headers ?? [])
      for (const m of h.matchAll(/\{date:(-?\d+)\}/g)) offsets.push(Number(m[1]));
  const out: Seen[] = [];
  type Conn = { sock: net.Socket; reader: ResponseReader };
  let shared: Conn | null = null;
  for (const r of c.requests) {
    const now = Math.floor(Date.now() / 1000);
    const { text, sent } = requestText(r, now);
    let conn: Conn | null = shared;
    if (conn === null) {
      const sock = await connect(proxy.port);
      conn = { sock, reader: new ResponseReader(sock) };
      if (c.sameConnection) shared = conn;
    }
    conn.sock.write(text);
    const head = await conn.reader.next(r.method === 'HEAD', 5000);
    if (!c.sameConnection) conn.sock.destroy();
    const got = backends.take();
    const norm = (lines: string[]) => lowerNames(lines).map((l: string) => normaliseDates(l, now, offsets));
    out.push({
      sent: sent.map((l) => normaliseDates(l, now, offsets)),
      server: got[0]?.server ?? null,
      atServer: got[0] ? norm(got[0].head.split('\r\n').filter((l) => l !== '')) : [],
      atClient: norm(head.split('\r\n').filter((l) => l !== '')),
    });
  }
  shared?.sock.destroy();
  return out;
}

/** Starts the case's servers and proxy, runs the requests, stops everything. */
export async function runCase(c: CookieCase, start: StartProxy, port: number): Promise<Seen[]> {
  const backends = await startBackends(c);
  try {
    const proxy = await start(caseConfig(c, port, backends.addresses), port);
    try {
      return await runRequests(c, proxy, backends);
    } finally {
      await proxy.stop();
    }
  } finally {
    await backends.close();
  }
}
