import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HealthSchema, parseWatchLine, type WatchEvent } from '@ha-lb/shared-config/health-api';
import { startProxy, startUpstream } from '../../test/support/harness.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { setServerUp } from '../backend/backend.ts';
import { startHealthServer } from './health-server.ts';
import { announceSuccessor } from './successor.ts';

const dir = mkdtempSync(join(tmpdir(), 'balancer-health-'));
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function get(path: string, socketPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath, path }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

test('GET /health and /health/watch (snapshot, heartbeats, stopping, EOF)', async () => {
  const up = await startUpstream();
  const { engine } = await startProxy({ servers: [{ port: up.port }, { port: up.port }] });
  cleanups.push(
    () => engine.stop(0),
    () => up.close(),
  );
  const path = join(dir, 'sub', 'health.sock');
  // a stale socket file (bound, nobody listening — as after a crash) is replaced
  mkdirSync(join(dir, 'sub'));
  const py = spawnSync('python3', [
    '-c',
    'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
    path,
  ]);
  if (py.status === 0) assert.ok(statSync(path).isSocket());
  const hs = await startHealthServer(engine, { path, mode: 0o660 });
  cleanups.push(() => hs.close());
  assert.equal(statSync(path).mode & 0o777, 0o660);

  const r = await get('/health', path);
  assert.equal(r.status, 200);
  const h = HealthSchema.parse(JSON.parse(r.body));
  assert.equal(h.status, 'ready');
  assert.equal(h.pid, process.pid);
  assert.deepEqual(h.backends, [{ name: 'be', up: 2, total: 2 }]);
  assert.equal(h.listeners[0].listening, true);
  assert.equal((await get('/nope', path)).status, 404);

  const events: WatchEvent[] = [];
  let ended = false;
  http.get({ socketPath: path, path: '/health/watch' }, (res) => {
    assert.equal(res.headers['content-type'], 'application/x-ndjson');
    let buf = '';
    res.on('data', (d) => {
      buf += d;
      let i = buf.indexOf('\n');
      while (i >= 0) {
        events.push(parseWatchLine(buf.slice(0, i)));
        buf = buf.slice(i + 1);
        i = buf.indexOf('\n');
      }
    });
    res.on('end', () => {
      ended = true;
    });
  });
  assert.ok(await waitFor(() => events.filter((e) => e.type === 'heartbeat').length >= 2, 3000));
  assert.equal(events[0].type, 'snapshot');
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i),
  );
  // a server going down is a change, pushed when it happens
  setServerUp(engine.events, engine.backends[0], engine.backends[0].servers[0], false, 'test');
  assert.ok(await waitFor(() => events.some((e) => e.type === 'change'), 2000));
  const change = events.find((e) => e.type === 'change');
  assert.ok(change && change.type === 'change' && change.health.backends[0].up === 1);
  // so are paused listeners
  engine.pause();
  assert.ok(
    await waitFor(
      () => events.some((e) => e.type === 'change' && e.health.listeners[0].listening === false),
      2000,
    ),
  );
  await engine.resume();
  await hs.close();
  assert.ok(await waitFor(() => ended, 2000));
  assert.equal(events.at(-1)?.type, 'stopping');
});

test('a socket served by a live process is not taken over', async () => {
  const up = await startUpstream();
  const { engine } = await startProxy({ servers: [{ port: up.port }] });
  cleanups.push(
    () => engine.stop(0),
    () => up.close(),
  );
  const path = join(dir, 'live.sock');
  const live = net.createServer();
  await new Promise<void>((r) => live.listen(path, r));
  cleanups.push(() => void live.close());
  await assert.rejects(startHealthServer(engine, { path, mode: 0o600 }), /another process is serving it/);
});

/** Collects the events of one /health/watch stream until it ends. */
function watch(socketPath: string): { events: WatchEvent[]; ended: () => boolean } {
  const events: WatchEvent[] = [];
  let ended = false;
  http.get({ socketPath, path: '/health/watch' }, (res) => {
    let buf = '';
    res.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        events.push(parseWatchLine(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    res.on('end', () => {
      ended = true;
    });
  });
  return { events, ended: () => ended };
}

test('-sf: an announced successor turns `stopping` into `replaced`, and its socket survives the close', async () => {
  const up = await startUpstream();
  const { engine } = await startProxy({ servers: [{ port: up.port }] });
  cleanups.push(
    () => engine.stop(0),
    () => up.close(),
  );
  const path = join(dir, 'handover.sock');
  const old = await startHealthServer(engine, { path, mode: 0o600 });
  const w = watch(path);
  assert.ok(await waitFor(() => w.events.length >= 1, 3000), 'the snapshot');
  // anything but {"pid":N} is refused and changes nothing
  const bad = await new Promise<number>((resolve, reject) => {
    const req = http.request({ socketPath: path, path: '/health/successor', method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{"pid":"x"}');
  });
  assert.equal(bad, 400);
  assert.equal(old.successor, null);
  assert.equal(await announceSuccessor(path, 4242), true);
  assert.equal(old.successor, 4242);

  // the successor binds as soon as the old socket is gone, before the old one's close has finished
  const closing = old.close();
  let next: Awaited<ReturnType<typeof startHealthServer>> | null = null;
  assert.ok(
    await waitFor(async () => {
      try {
        next = await startHealthServer(engine, { path, mode: 0o600 });
        return true;
      } catch {
        return false;
      }
    }, 3000),
    'the successor binds the path',
  );
  await closing;
  cleanups.push(() => next?.close());
  assert.ok(await waitFor(() => w.ended(), 2000));
  assert.deepEqual(w.events.at(-1), { type: 'replaced', seq: w.events.length - 1, pid: 4242 });
  assert.ok(statSync(path).isSocket(), "the old process's close left the successor's socket alone");
  assert.equal((await get('/health', path)).status, 200);
  // nothing serves a socket that is gone: the announcement says so instead of throwing
  assert.equal(await announceSuccessor(join(dir, 'absent.sock'), 1), false);
});
