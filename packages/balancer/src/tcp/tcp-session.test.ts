import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, test } from 'node:test';
import { isRoot } from '../../test/support/env.ts';
import { startProxy } from '../../test/support/harness.ts';
import { freePort } from '../../test/support/ports.ts';
import { openClient } from '../../test/support/raw-client.ts';
import { startRawServer } from '../../test/support/raw-server.ts';
import { synCounter } from '../../test/support/syn-counter.ts';
import { waitFor } from '../../test/support/wait-for.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function upstream(onConn: (s: net.Socket) => void): Promise<{ port: number }> {
  const server = await startRawServer(onConn, { allowHalfOpen: true });
  cleanups.push(() => server.close());
  return server;
}

test('mode tcp: half-close — the client FIN reaches the server, the reply still comes back', async () => {
  // the server answers only after the client has finished sending (like `wc` over a socket)
  const { port: upPort } = await upstream((s) => {
    let n = 0;
    s.on('data', (d) => {
      n += d.length;
    });
    s.on('end', () => s.end(`got ${n} bytes`));
  });
  const { engine, port } = await startProxy({ mode: 'tcp', servers: [{ port: upPort }] });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port, { allowHalfOpen: true });
  c.write('x'.repeat(100_000));
  c.sock.end();
  assert.ok(await waitFor(() => c.ended(), 3000));
  assert.equal(c.text(), 'got 100000 bytes');
  c.sock.destroy();
});

test('mode tcp: server half-close — the client can keep sending after the server FIN', async () => {
  let received = '';
  let serverSawEnd = false;
  const { port: upPort } = await upstream((s) => {
    s.end('banner');
    s.on('data', (d) => {
      received += d;
    });
    s.on('end', () => {
      serverSawEnd = true;
    });
  });
  const { engine, port } = await startProxy({ mode: 'tcp', servers: [{ port: upPort }] });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port, { allowHalfOpen: true });
  c.sock.on('end', () => {
    c.write('after-fin');
    c.sock.end();
  });
  assert.ok(await waitFor(() => serverSawEnd, 3000));
  assert.equal(c.text(), 'banner');
  assert.equal(received, 'after-fin');
  c.sock.destroy();
});

test('mode tcp: timeout client closes an idle connection', async () => {
  const timeout = 1000;
  const { port: upPort } = await upstream((s) => s.on('data', (d) => s.write(d)));
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: timeout },
  });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port);
  const sentAt = performance.now();
  c.write('ping');
  // open before the timeout: the bytes go through and come back
  assert.ok(await c.until((t) => t === 'ping', 5000), 'echoes before timeout client');
  assert.equal(c.closed(), false);
  // closed after it: the proxy's last activity on the client side came after `sentAt`, and timers
  // only run late, so the close cannot come sooner than `timeout` after it (1 ms of timer rounding)
  assert.ok(await waitFor(() => c.closed(), timeout + 5000), 'idle client closed by timeout client');
  const idleMs = performance.now() - sentAt;
  assert.ok(
    idleMs >= timeout - 1,
    `closed after ${idleMs.toFixed(0)} ms, before timeout client ${timeout} ms`,
  );
  assert.equal(c.text(), 'ping');
});

test('mode tcp: a refused server is tried 1 + retries times, then the client is closed', async (t) => {
  const dead = await freePort();
  const syns = synCounter(dead);
  if (isRoot) assert.ok(syns, 'counting connection attempts needs nftables');
  const { engine, port } = await startProxy({ mode: 'tcp', servers: [{ port: dead }], retries: 2 });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port);
  assert.ok(await waitFor(() => c.closed(), 5000), 'the client is closed once the attempts are spent');
  assert.equal(c.text(), '');
  if (syns) assert.equal(syns.count(), 3, 'one attempt and two retries');
  else t.diagnostic('not root: the attempts are not counted');
  syns?.remove();
});

test('mode tcp: timeout tunnel replaces client/server timeouts once connected', async () => {
  const echo = await upstream((s) => s.on('data', (d) => s.write(d)));
  const tunnel = await startProxy({
    mode: 'tcp',
    servers: [{ port: echo.port }],
    timeouts: { client: 100, server: 100, tunnel: 10_000 },
  });
  cleanups.push(() => tunnel.engine.stop(0));
  // the control: the same client/server timeouts without a tunnel timeout
  const control = await startProxy({
    mode: 'tcp',
    servers: [{ port: echo.port }],
    timeouts: { client: 100, server: 100 },
  });
  cleanups.push(() => control.engine.stop(0));
  const c = openClient(tunnel.port);
  c.write('ping');
  assert.ok(await c.until((t) => t === 'ping', 5000), 'tunnel connected');
  // the tunnel connection went idle before the control connection opened, so a 100 ms timer on it
  // would fire before the control's (same process, same timer list): no wall-clock bound is needed
  const k = openClient(control.port);
  k.write('x');
  assert.ok(await waitFor(() => k.closed(), 5000), 'the control connection closed by timeout client/server');
  assert.equal(k.text(), 'x');
  assert.equal(c.closed(), false);
  c.write('pong');
  assert.ok(await c.until((t) => t === 'pingpong', 5000), 'the tunnel connection still echoes');
  c.sock.destroy();
});

test('mode tcp: server maxconn counts connections; the next one waits (its bytes held) until one closes', async () => {
  const conns: net.Socket[] = [];
  let got = '';
  const { port: upPort } = await upstream((s) => {
    conns.push(s);
    s.on('data', (d) => {
      got += d;
    });
    s.on('end', () => s.end());
  });
  const { engine, port } = await startProxy({ mode: 'tcp', servers: [{ port: upPort }] });
  cleanups.push(() => engine.stop(0));
  engine.backends[0].servers[0].maxconn = 1; // as `server … maxconn 1` (in-effect.test.ts covers the keyword)
  engine.backends[0].servers[0].minconn = 1;
  const a = openClient(port);
  a.write('a');
  assert.ok(await waitFor(() => got === 'a', 3000));
  const b = openClient(port);
  b.write('b');
  assert.ok(await waitFor(() => engine.backends[0].load.queue.length === 1, 3000), 'b waits in the queue');
  assert.equal(conns.length, 1, 'no second connection to the server while the first is open');
  a.sock.destroy();
  assert.ok(await waitFor(() => got === 'ab', 3000), 'b is connected once a closes, its bytes follow');
  assert.equal(conns.length, 2);
  b.sock.destroy();
});
