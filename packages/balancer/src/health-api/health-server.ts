import { chmodSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import { dirname } from 'node:path';
import {
  formatWatchLine,
  HEALTH_CONTENT_TYPE,
  HEALTH_PATH,
  HEARTBEAT_INTERVAL_MS,
  type Health,
  SUCCESSOR_PATH,
  WATCH_CONTENT_TYPE,
  WATCH_PATH,
  type WatchEvent,
} from '@ha-lb/shared-config/health-api';
import type { Engine } from '../engine/engine.ts';
import { LB_ERR, LbError } from '../errors.ts';
import { BALANCER_VERSION } from '../version.ts';

/**
 * node:http without its ES-module facade: `import http from 'node:http'` reads every export, and the
 * lazy ones (WebSocket, MessageEvent…) load Node's bundled undici, tens of ms of every start-up.
 */
const { createServer } = process.getBuiltinModule('node:http');

/**
 * The health API (contract C): HTTP/1.1 on a Unix socket, for the ha-agent. `GET /health` is a snapshot;
 * `GET /health/watch` is a never-ending ndjson stream (snapshot, changes, heartbeats every
 * HEARTBEAT_INTERVAL_MS, `stopping` on a graceful stop), whose EOF tells the agent the balancer is gone.
 * node:http is fine here: this is not the data path.
 */
export interface HealthServer {
  readonly path: string;
  /**
   * Sends `stopping` to every watcher (`replaced` when a successor announced itself with
   * `POST /health/successor`) and closes the socket.
   */
  close(): Promise<void>;
  /** the pid of the process that announced it takes over (-sf/-st), if one did */
  readonly successor: number | null;
  /** Reload: report this engine from now on (watchers get a `change` if what they see differs). */
  setEngine(next: Engine): void;
}

export function healthOf(engine: Engine, status: Health['status'], startedAt: number): Health {
  return {
    status,
    pid: process.pid,
    uptimeSeconds: (Date.now() - startedAt) / 1000,
    version: BALANCER_VERSION,
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    listeners: engine.listeners.map((l) => ({ proxy: l.proxy, address: l.address, listening: l.listening })),
    backends: engine.backends.map((b) => ({
      name: b.spec.name,
      up: b.servers.filter((s) => s.up).length,
      total: b.servers.length,
    })),
  };
}

/** What a change is: anything but the uptime. */
function fingerprint(h: Health): string {
  return JSON.stringify({ ...h, uptimeSeconds: 0 });
}

/** Is a live process answering on this socket? (Then it is not ours to remove.) */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startHealthServer(
  initial: Engine,
  opts: { path: string; mode: number; startedAt?: number },
): Promise<HealthServer> {
  const startedAt = opts.startedAt ?? Date.now();
  let engine = initial;
  let status: Health['status'] = 'ready';
  const watchers = new Set<{ res: http.ServerResponse; seq: number }>();
  try {
    mkdirSync(dirname(opts.path), { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new LbError(
      LB_ERR.HEALTH_SOCKET,
      `health-socket ${opts.path}: cannot create its directory: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (await socketInUse(opts.path))
    throw new LbError(LB_ERR.HEALTH_SOCKET, `health-socket ${opts.path}: another process is serving it`);
  try {
    unlinkSync(opts.path); // a stale socket from a previous run
  } catch {
    // absent
  }

  const send = (w: { res: http.ServerResponse; seq: number }, ev: (seq: number) => WatchEvent) => {
    w.res.write(formatWatchLine(ev(w.seq++)));
  };

  let successor: number | null = null;
  const server = createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    if (url === SUCCESSOR_PATH && req.method === 'POST') {
      readSuccessor(req, (pid) => {
        if (pid === null) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('expected {"pid":N}\n');
          return;
        }
        successor = pid;
        res.writeHead(204).end();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (url === HEALTH_PATH) {
      res.writeHead(200, { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(JSON.stringify(healthOf(engine, status, startedAt)));
      return;
    }
    if (url === WATCH_PATH) {
      res.writeHead(200, { 'content-type': WATCH_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.flushHeaders();
      req.socket.setNoDelay(true);
      const w = { res, seq: 0 };
      watchers.add(w);
      send(w, (seq) => ({ type: 'snapshot', seq, health: healthOf(engine, status, startedAt) }));
      res.on('close', () => watchers.delete(w));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /health or /health/watch\n');
  });
  // watch streams are held open; no request or keep-alive timeouts on them
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new LbError(LB_ERR.HEALTH_SOCKET, `health-socket ${opts.path}: ${err.message}`, { cause: err })),
    );
    server.listen(opts.path, () => resolve());
  });
  try {
    chmodSync(opts.path, opts.mode);
  } catch {
    // best effort: the directory permissions still protect it
  }
  // the socket file this process made: at close, a file at the same path that is not this one belongs
  // to a successor (-sf) and stays
  const ownInode = inodeOf(opts.path);

  let last = fingerprint(healthOf(engine, status, startedAt));
  /** Sends a `change` to every watcher when the health differs from what they saw last. */
  const pushIfChanged = () => {
    const h = healthOf(engine, status, startedAt);
    const fp = fingerprint(h);
    if (fp === last) return;
    last = fp;
    for (const w of watchers) send(w, (seq) => ({ type: 'change', seq, health: h }));
  };
  // state changes are pushed when they happen; the heartbeat re-checks anything that changed without an event
  let unsubscribe = engine.events.on(pushIfChanged);
  const tick = setInterval(() => {
    pushIfChanged();
    const ts = Date.now();
    for (const w of watchers) send(w, (seq) => ({ type: 'heartbeat', seq, ts }));
  }, HEARTBEAT_INTERVAL_MS);
  tick.unref();

  let closing: Promise<void> | null = null;
  return {
    path: opts.path,
    get successor() {
      return successor;
    },
    setEngine(next: Engine) {
      if (closing) return;
      unsubscribe();
      engine = next;
      unsubscribe = engine.events.on(pushIfChanged);
      pushIfChanged();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        status = 'stopping';
        clearInterval(tick);
        unsubscribe();
        const next = successor;
        for (const w of watchers) {
          send(w, (seq) =>
            next === null ? { type: 'stopping', seq } : { type: 'replaced', seq, pid: next },
          );
          w.res.end();
        }
        server.close(() => {
          // libuv unlinks the path when the listener closes; a file there now is a successor's
          if (ownInode !== null && inodeOf(opts.path) === ownInode) {
            try {
              unlinkSync(opts.path);
            } catch {
              // already gone
            }
          }
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

/** Reads `{"pid":N}` (at most 256 bytes) from an announcement; null when it is anything else. */
function readSuccessor(req: http.IncomingMessage, done: (pid: number | null) => void): void {
  let body = '';
  let answered = false;
  const answer = (pid: number | null) => {
    if (answered) return;
    answered = true;
    done(pid);
  };
  req.setEncoding('utf8');
  req.on('data', (d: string) => {
    body += d;
    if (body.length > 256) {
      answer(null);
      req.destroy();
    }
  });
  req.on('end', () => {
    try {
      const pid = (JSON.parse(body) as { pid?: unknown }).pid;
      answer(Number.isInteger(pid) && (pid as number) > 0 ? (pid as number) : null);
    } catch {
      answer(null);
    }
  });
}
