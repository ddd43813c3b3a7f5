import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_HEALTH_SOCKET,
  formatWatchLine,
  HEARTBEAT_INTERVAL_MS,
  type Health,
  HealthSchema,
  parseWatchLine,
  WATCH_CONTENT_TYPE,
  WATCH_PATH,
  type WatchEvent,
  WatchLineError,
} from '../../src/health-api/index.ts';

const health: Health = {
  status: 'ready',
  pid: 4242,
  uptimeSeconds: 12.5,
  version: '0.1.0',
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  listeners: [{ proxy: 'proxy', address: '*:80', listening: true }],
  backends: [{ name: 'proxy', up: 1, total: 2 }],
};

test('constants of the contract', () => {
  assert.equal(DEFAULT_HEALTH_SOCKET, '/run/balancer/health.sock');
  assert.equal(HEARTBEAT_INTERVAL_MS, 200);
  assert.equal(WATCH_PATH, '/health/watch');
});

test('every event type round-trips through formatWatchLine/parseWatchLine', () => {
  const events: WatchEvent[] = [
    { type: 'snapshot', seq: 0, health },
    { type: 'change', seq: 1, health: { ...health, backends: [{ name: 'proxy', up: 0, total: 2 }] } },
    { type: 'heartbeat', seq: 2, ts: 1764000000000 },
    { type: 'stopping', seq: 3 },
  ];
  for (const e of events) {
    const line = formatWatchLine(e);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1, 'one event is one line');
    assert.deepEqual(parseWatchLine(line), e);
  }
  assert.deepEqual(parseWatchLine('{"type":"stopping","seq":7}\r\n'), { type: 'stopping', seq: 7 });
});

test('unknown fields from a newer balancer are dropped, not fatal', () => {
  const e = parseWatchLine(JSON.stringify({ type: 'heartbeat', seq: 1, ts: 5, load: 0.3 }));
  assert.deepEqual(e, { type: 'heartbeat', seq: 1, ts: 5 });
  assert.equal(HealthSchema.parse({ ...health, extra: 1 }).pid, 4242);
});

test('bad lines throw WatchLineError with a clear message', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['{"type":"bogus","seq":0}', /not a valid event/],
    ['{"type":"heartbeat","seq":-1,"ts":1}', /seq/],
    ['{"type":"snapshot","seq":0,"health":{"status":"up"}}', /health/],
    ['', /not JSON/],
  ];
  for (const [line, re] of cases) {
    assert.throws(
      () => parseWatchLine(line),
      (err: unknown) => {
        assert.ok(err instanceof WatchLineError);
        assert.equal(err.code, 'CFG_ERR_HEALTH_WATCH_LINE');
        assert.match(err.message, re);
        return true;
      },
      line,
    );
  }
});

// The protocol end to end on a real Unix socket: a minimal server following the contract and a client
// that splits the chunked body on '\n' and parses each line; closing the stream ends the client's read.
test('a watch stream over a Unix socket: snapshot, heartbeats, stopping, then close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'health-api-'));
  const socketPath = join(dir, 'health.sock');
  const server = http.createServer((req, res) => {
    assert.equal(req.url, WATCH_PATH);
    res.writeHead(200, { 'content-type': WATCH_CONTENT_TYPE });
    let seq = 0;
    res.write(formatWatchLine({ type: 'snapshot', seq: seq++, health }));
    let beats = 0;
    const timer = setInterval(() => {
      if (beats++ < 3) {
        res.write(formatWatchLine({ type: 'heartbeat', seq: seq++, ts: Date.now() }));
        return;
      }
      clearInterval(timer);
      res.end(formatWatchLine({ type: 'stopping', seq: seq++ }));
    }, 10);
  });
  try {
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const events = await new Promise<WatchEvent[]>((resolve, reject) => {
      const got: WatchEvent[] = [];
      const req = http.get({ socketPath, path: WATCH_PATH, timeout: 5000 }, (res) => {
        assert.equal(res.headers['content-type'], WATCH_CONTENT_TYPE);
        assert.equal(res.headers['transfer-encoding'], 'chunked');
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            got.push(parseWatchLine(buf.slice(0, nl)));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('end', () => resolve(got));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('watch stream did not end')));
      req.on('error', reject);
    });
    assert.deepEqual(
      events.map((e) => e.type),
      ['snapshot', 'heartbeat', 'heartbeat', 'heartbeat', 'stopping'],
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      [0, 1, 2, 3, 4],
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
