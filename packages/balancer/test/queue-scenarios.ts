/**
 * Queue, limit and retry scenarios run the same way against HAProxy 2.6 (queue-record.ts writes what
 * it did to queue-expected.json) and the balancer (queue.test.ts compares). Each scenario starts its
 * own loopback servers — they answer after a delay with a fixed status and say who they are — sends
 * requests on separate client connections at fixed offsets, and returns what the clients got and the
 * order the servers saw the requests in. Timings only decide the margins (hundreds of ms), never an
 * assertion.
 */
import net from 'node:net';
import { freePorts } from './support/ports.ts';
import { type ProxyKind, startProxy } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { synCounter } from './support/syn-counter.ts';

export interface ServerDef {
  name: string;
  /** `server` line options (after the address) */
  options?: string;
  /** ms before answering */
  delayMs: number;
  status?: number;
  /** the server does not listen at all (connection refused) */
  closed?: boolean;
}

export interface RequestDef {
  /** ms after the first request */
  at: number;
  path: string;
  method?: 'GET' | 'POST';
  cookie?: string;
}

export interface Scenario {
  what: string;
  /** backend lines (besides the servers) */
  backend: string[];
  servers: ServerDef[];
  requests: RequestDef[];
  /** count SYNs to the first server (root + nft only) */
  countSyns?: boolean;
}

const DEFAULTS = ['mode http', 'timeout connect 5s', 'timeout client 20s', 'timeout server 20s'];

export const SCENARIOS: Record<string, Scenario> = {
  'maxconn1-fifo': {
    what: 'maxconn 1: one request at a time, in arrival order',
    backend: ['balance roundrobin', 'timeout queue 5s'],
    servers: [{ name: 's1', options: 'maxconn 1', delayMs: 150 }],
    requests: [0, 30, 60, 90, 120].map((at, i) => ({ at, path: `/r${i + 1}` })),
  },
  'maxconn1-queue-timeout': {
    what: 'maxconn 1 + timeout queue 700ms: those waiting longer get 503',
    backend: ['balance roundrobin', 'timeout queue 700ms'],
    servers: [{ name: 's1', options: 'maxconn 1', delayMs: 500 }],
    requests: [0, 50, 100, 150].map((at, i) => ({ at, path: `/r${i + 1}` })),
  },
  'queue-timeout-default-connect': {
    what: 'no timeout queue: requests wait up to timeout connect',
    backend: ['balance roundrobin', 'timeout connect 400ms'],
    servers: [{ name: 's1', options: 'maxconn 1', delayMs: 700 }],
    requests: [0, 50].map((at, i) => ({ at, path: `/r${i + 1}` })),
  },
  'backend-queue-two-servers': {
    what: 'two servers at maxconn 1: the backend queue is served by whichever frees first',
    backend: ['balance roundrobin', 'timeout queue 5s'],
    servers: [
      { name: 's1', options: 'maxconn 1', delayMs: 800 },
      { name: 's2', options: 'maxconn 1', delayMs: 100 },
    ],
    requests: [0, 30, 60, 90, 120].map((at, i) => ({ at, path: `/r${i + 1}` })),
  },
  maxqueue: {
    what: 'persistent requests wait in their server queue up to maxqueue; beyond: 503',
    backend: ['balance roundrobin', 'cookie SRV', 'timeout queue 5s'],
    servers: [
      { name: 's1', options: 'cookie a maxconn 1 maxqueue 1', delayMs: 400 },
      { name: 's2', options: 'cookie b', delayMs: 50 },
    ],
    requests: [0, 40, 80].map((at, i) => ({ at, path: `/r${i + 1}`, cookie: 'SRV=a' })),
  },
  'maxqueue-redispatch': {
    what: 'with option redispatch, a persistent request over maxqueue goes to another server',
    backend: ['balance roundrobin', 'cookie SRV', 'option redispatch', 'timeout queue 5s'],
    servers: [
      { name: 's1', options: 'cookie a maxconn 1 maxqueue 1', delayMs: 400 },
      { name: 's2', options: 'cookie b', delayMs: 50 },
    ],
    requests: [0, 40, 80].map((at, i) => ({ at, path: `/r${i + 1}`, cookie: 'SRV=a' })),
  },
  'minconn-fullconn': {
    what: 'minconn 1 maxconn 4 fullconn 8: the limit grows with the backend load',
    backend: ['balance roundrobin', 'fullconn 8', 'timeout queue 10s'],
    servers: [{ name: 's1', options: 'minconn 1 maxconn 4', delayMs: 500 }],
    requests: [0, 60, 120, 180, 240, 300].map((at, i) => ({ at, path: `/r${i + 1}` })),
  },
  'retry-on-503-redispatch': {
    what: 'retry-on 503 + option redispatch: a 503 is retried on the other server',
    backend: ['balance roundrobin', 'retries 3', 'retry-on 503', 'option redispatch'],
    servers: [
      { name: 's1', delayMs: 0, status: 503 },
      { name: 's2', delayMs: 0 },
    ],
    requests: [
      { at: 0, path: '/g1' },
      { at: 200, path: '/p1', method: 'POST' },
      { at: 400, path: '/g2' },
      { at: 600, path: '/p2', method: 'POST' },
    ],
  },
  'retry-on-503-same': {
    what: 'retry-on 503 without redispatch: 1 + retries attempts on the server, then its 503',
    backend: ['balance roundrobin', 'retries 2', 'retry-on 503'],
    servers: [{ name: 's1', delayMs: 0, status: 503 }],
    requests: [{ at: 0, path: '/g' }],
  },
  'turnaround-300ms': {
    what: 'a refused server: retries wait min(timeout connect, 1s) between attempts',
    backend: ['balance roundrobin', 'retries 2', 'timeout connect 300ms'],
    servers: [{ name: 's1', delayMs: 0, closed: true }],
    requests: [{ at: 0, path: '/t' }],
    countSyns: true,
  },
  'turnaround-1s': {
    what: 'a refused server with timeout connect 5s: 1 s between attempts',
    backend: ['balance roundrobin', 'retries 1'],
    servers: [{ name: 's1', delayMs: 0, closed: true }],
    requests: [{ at: 0, path: '/t' }],
    countSyns: true,
  },
  'retry-on-without-conn-failure': {
    what: 'retry-on 503 alone: a failed connection is not retried',
    backend: ['balance roundrobin', 'retries 3', 'retry-on 503'],
    servers: [{ name: 's1', delayMs: 0, closed: true }],
    requests: [{ at: 0, path: '/t' }],
    countSyns: true,
  },
};

export interface ClientResult {
  path: string;
  status: number;
  /** the whole response when the proxy produced it (a 503), else null */
  raw: string | null;
  /** who answered (the server's name in the body) */
  by: string | null;
  closed: boolean;
  ms: number;
}

export interface ScenarioResult {
  clients: ClientResult[];
  /** `server:path` in the order the servers received the requests */
  arrivals: string[];
  /** the most requests any server had at once */
  maxConcurrent: Record<string, number>;
  syns: number | null;
}

interface TestServers {
  ports: number[];
  arrivals: string[];
  maxConcurrent: Record<string, number>;
  close(): Promise<void>;
}

async function startServers(defs: ServerDef[]): Promise<TestServers> {
  const ports = await freePorts(defs.length);
  const arrivals: string[] = [];
  const maxConcurrent: Record<string, number> = {};
  const sockets = new Set<net.Socket>();
  const listening: net.Server[] = [];
  for (const [i, d] of defs.entries()) {
    if (d.closed) continue;
    let busy = 0;
    maxConcurrent[d.name] = 0;
    const srv = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => {});
      let buf = '';
      sock.on('data', (chunk) => {
        buf += chunk.toString('latin1');
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const cl = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end));
          const total = end + 4 + (cl ? Number(cl[1]) : 0);
          if (buf.length < total) return;
          const path = buf.slice(0, end).split(' ')[1];
          buf = buf.slice(total);
          arrivals.push(`${d.name}:${path}`);
          busy++;
          maxConcurrent[d.name] = Math.max(maxConcurrent[d.name], busy);
          const status = d.status ?? 200;
          const body = `${d.name}\n`;
          setTimeout(() => {
            busy--;
            if (!sock.destroyed)
              sock.write(
                `HTTP/1.1 ${status} ${status === 200 ? 'OK' : 'Service Unavailable'}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
              );
          }, d.delayMs);
        }
      });
    });
    srv.listen(ports[i], '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    listening.push(srv);
  }
  return {
    ports,
    arrivals,
    maxConcurrent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(listening.map((s) => new Promise((r) => s.close(r))));
    },
  };
}

export function scenarioConfig(sc: Scenario, port: number, serverPorts: number[]): string {
  return [
    'global',
    '    nbthread 1',
    'defaults',
    ...DEFAULTS.map((l) => `    ${l}`),
    'frontend fe',
    `    bind 127.0.0.1:${port}`,
    '    default_backend be',
    'backend be',
    ...sc.backend.map((l) => `    ${l}`),
    ...sc.servers.map((s, i) =>
      `    server ${s.name} 127.0.0.1:${serverPorts[i]} ${s.options ?? ''}`.trimEnd(),
    ),
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScenario(kind: ProxyKind, sc: Scenario): Promise<ScenarioResult> {
  const servers = await startServers(sc.servers);
  const [port] = await freePorts(1);
  const proxy = await startProxy(kind, scenarioConfig(sc, port, servers.ports), [port]);
  const syn = sc.countSyns ? synCounter(servers.ports[0]) : null;
  try {
    const t0 = Date.now();
    const clients = await Promise.all(
      sc.requests.map(async (r) => {
        await sleep(Math.max(0, t0 + r.at - Date.now()));
        const body = r.method === 'POST' ? 'abc' : '';
        const head =
          `${r.method ?? 'GET'} ${r.path} HTTP/1.1\r\nHost: x\r\n` +
          (r.cookie ? `Cookie: ${r.cookie}\r\n` : '') +
          (body ? `Content-Length: ${body.length}\r\n` : '') +
          '\r\n';
        const x = await exchange(port, head + body, { ms: 15000, idleMs: 300, slowIdleMs: 12000 });
        const res = x.responses[0];
        const status = res?.status ?? 0;
        const fromServer = /^s\d\n$/.test(res?.body ?? '');
        return {
          path: r.path,
          status,
          raw: fromServer ? null : x.text,
          by: fromServer ? res!.body.trim() : null,
          closed: x.closed,
          ms: x.ms,
        };
      }),
    );
    return {
      clients,
      arrivals: servers.arrivals,
      maxConcurrent: servers.maxConcurrent,
      syns: syn?.count() ?? null,
    };
  } finally {
    syn?.remove();
    await proxy.stop();
    await servers.close();
  }
}
