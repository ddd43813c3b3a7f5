#!/usr/bin/env node
/**
 * A tiny stand-in for the balancer's health API, built on shared-config's contract
 * (`@ha-lb/shared-config/health-api`: paths, content types, HealthSchema, formatWatchLine): HTTP/1.1 on a
 * Unix socket, `GET /health` and the held `GET /health/watch` ndjson stream with a snapshot, `change`
 * events and heartbeats. Tests use it in-process (`startFakeBalancer`) or as a separate process so that
 * SIGKILL on it models a balancer crash:
 *
 *   node packages/ha-agent/test/support/fake-balancer.ts --socket PATH [--status ready|starting|stopping]
 *        [--heartbeat-ms 200] [--mode 660]
 *
 * It prints `READY <socket path>` on stdout once listening. SIGTERM/SIGINT: sends `{type:'stopping'}` on
 * every watch stream, closes them and exits 0 (the balancer's graceful stop). SIGUSR1 toggles heartbeats
 * off/on (a hung balancer that keeps its socket open). SIGKILL: the kernel closes the streams (a crash).
 */
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import {
  formatWatchLine,
  HEALTH_CONTENT_TYPE,
  HEALTH_PATH,
  HEARTBEAT_INTERVAL_MS,
  type Health,
  HealthSchema,
  type HealthStatus,
  WATCH_CONTENT_TYPE,
  WATCH_PATH,
  type WatchEvent,
} from '@ha-lb/shared-config/health-api';

export interface FakeBalancerOptions {
  socket: string;
  status?: HealthStatus;
  heartbeatMs?: number;
  /** permission bits of the socket file */
  mode?: number;
}

export interface FakeBalancer {
  readonly socket: string;
  /** watch streams currently open */
  readonly watchers: number;
  /** heartbeats written since start, over all streams */
  readonly heartbeatsSent: number;
  /** watch lines (of any type) written since start, over all streams */
  readonly linesSent: number;
  health(): Health;
  /** changes `status` and sends a `change` event on every stream */
  setStatus(status: HealthStatus): void;
  /** false: stop sending heartbeats (a hung balancer); the streams stay open */
  setHeartbeats(on: boolean): void;
  /** graceful stop: `stopping` on every stream, then close them and the listener */
  stopGracefully(): Promise<void>;
  /** abrupt close of every stream (RST-like for the client: EOF without `stopping`) and the listener */
  destroy(): Promise<void>;
}

export async function startFakeBalancer(opts: FakeBalancerOptions): Promise<FakeBalancer> {
  const startedAt = performance.now();
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_INTERVAL_MS;
  let status: HealthStatus = opts.status ?? 'ready';
  let heartbeatsOn = true;
  let heartbeatsSent = 0;
  let linesSent = 0;
  const streams = new Map<ServerResponse, { seq: number }>();

  // Through the contract's own schema: the fake can never serve what a real agent would refuse.
  const health = (): Health =>
    HealthSchema.parse({
      status,
      pid: process.pid,
      uptimeSeconds: (performance.now() - startedAt) / 1000,
      version: 'fake-balancer/0',
      heartbeatIntervalMs: heartbeatMs,
      listeners: [{ proxy: 'fake', address: '127.0.0.1:0', listening: status === 'ready' }],
      backends: [{ name: 'fake', up: 1, total: 1 }],
    } satisfies Health);

  const send = (res: ServerResponse, make: (seq: number) => WatchEvent): void => {
    const s = streams.get(res);
    if (!s) return;
    linesSent++;
    res.write(formatWatchLine(make(s.seq++)));
  };

  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && url === HEALTH_PATH) {
      res.writeHead(200, { 'content-type': HEALTH_CONTENT_TYPE });
      res.end(JSON.stringify(health()));
      return;
    }
    if (req.method === 'GET' && url === WATCH_PATH) {
      res.writeHead(200, { 'content-type': WATCH_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.flushHeaders();
      streams.set(res, { seq: 0 });
      res.on('close', () => streams.delete(res));
      send(res, (seq) => ({ type: 'snapshot', seq, health: health() }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  // The watch stream is held open forever: no request/keep-alive timeouts on it.
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 0;

  const timer = setInterval(() => {
    if (!heartbeatsOn) return;
    for (const res of streams.keys()) {
      heartbeatsSent++;
      send(res, (seq) => ({ type: 'heartbeat', seq, ts: Date.now() }));
    }
  }, heartbeatMs);

  rmSync(opts.socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (opts.mode !== undefined) chmodSync(opts.socket, opts.mode);

  const closeServer = async (): Promise<void> => {
    clearInterval(timer);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(opts.socket, { force: true });
  };

  return {
    socket: opts.socket,
    get watchers() {
      return streams.size;
    },
    get heartbeatsSent() {
      return heartbeatsSent;
    },
    get linesSent() {
      return linesSent;
    },
    health,
    setStatus(next) {
      status = next;
      for (const res of streams.keys()) send(res, (seq) => ({ type: 'change', seq, health: health() }));
    },
    setHeartbeats(on) {
      heartbeatsOn = on;
    },
    async stopGracefully() {
      for (const res of streams.keys()) {
        send(res, (seq) => ({ type: 'stopping', seq }));
        res.end();
      }
      server.closeAllConnections();
      await closeServer();
    },
    async destroy() {
      for (const res of streams.keys()) res.destroy();
      server.closeAllConnections();
      await closeServer();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      socket: { type: 'string' },
      status: { type: 'string', default: 'ready' },
      'heartbeat-ms': { type: 'string', default: String(HEARTBEAT_INTERVAL_MS) },
      mode: { type: 'string' },
    },
  });
  if (!values.socket) {
    process.stderr.write('usage: fake-balancer.ts --socket PATH [--status ready] [--heartbeat-ms 200]\n');
    process.exit(2);
  }
  const status = values.status as HealthStatus;
  if (!['ready', 'starting', 'stopping'].includes(status)) {
    process.stderr.write(`fake-balancer: bad --status ${values.status}\n`);
    process.exit(2);
  }
  const fake = await startFakeBalancer({
    socket: values.socket,
    status,
    heartbeatMs: Number(values['heartbeat-ms']),
    mode: values.mode ? Number.parseInt(values.mode, 8) : undefined,
  });
  let heartbeats = true;
  process.on('SIGUSR1', () => {
    heartbeats = !heartbeats;
    fake.setHeartbeats(heartbeats);
  });
  const shutdown = () => {
    void fake.stopGracefully().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(`READY ${fake.socket}\n`);
}

if (import.meta.main) await main();
