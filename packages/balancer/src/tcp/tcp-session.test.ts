import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { startProxy, waitFor } from '../testing/harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function upstream(onConn: (s: net.Socket) => void): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer({ allowHalfOpen: true }, onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => void server.close());
  return { port: (server.address() as net.AddressInfo).port, server };
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
  const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  let ended = false;
  c.on('data', (d) => {
    text += d;
  });
  c.on('end', () => {
    ended = true;
  });
  c.write('x'.repeat(100_000));
  c.end();
  assert.ok(await waitFor(() => ended, 3000));
  assert.equal(text, 'got 100000 bytes');
  c.destroy();
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
  const c = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let text = '';
  c.on('data', (d) => {
    text += d;
  });
  c.on('end', () => {
    c.write('after-fin');
    c.end();
  });
  assert.ok(await waitFor(() => serverSawEnd, 3000));
  assert.equal(text, 'banner');
  assert.equal(received, 'after-fin');
  c.destroy();
});

test('mode tcp: timeout client closes an idle connection; connect failure closes after retries', async () => {
  const timeout = 1000;
  const { port: upPort } = await upstream((s) => s.on('data', (d) => s.write(d)));
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: timeout },
  });
  cleanups.push(() => engine.stop(0));
  const c = echoClient(port);
  const sentAt = performance.now();
  c.socket.write('ping');
  // open before the timeout: the bytes go through and come back
  assert.ok(await waitFor(() => c.text() === 'ping', 5000), 'echoes before timeout client');
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

  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const dead = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const p2 = await startProxy({ mode: 'tcp', servers: [{ port: dead }], retries: 1 });
  cleanups.push(() => p2.engine.stop(0));
  const c2 = net.connect(p2.port, '127.0.0.1');
  c2.on('error', () => {});
  let closed2 = false;
  c2.on('close', () => {
    closed2 = true;
  });
  assert.ok(await waitFor(() => closed2, 2000));
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
  const c = echoClient(tunnel.port);
  c.socket.write('ping');
  assert.ok(await waitFor(() => c.text() === 'ping', 5000), 'tunnel connected');
  // the tunnel connection went idle before the control connection opened, so a 100 ms timer on it
  // would fire before the control's (same process, same timer list): no wall-clock bound is needed
  const k = echoClient(control.port);
  k.socket.write('x');
  assert.ok(await waitFor(() => k.closed(), 5000), 'the control connection closed by timeout client/server');
  assert.equal(k.text(), 'x');
  assert.equal(c.closed(), false);
  c.socket.write('pong');
  assert.ok(await waitFor(() => c.text() === 'pingpong', 5000), 'the tunnel connection still echoes');
  c.socket.destroy();
});

/** A client that collects what it reads and notes when the connection closes. */
function echoClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let text = '';
  let closed = false;
  socket.on('data', (d) => {
    text += d;
  });
  socket.on('close', () => {
    closed = true;
  });
  return { socket, text: () => text, closed: () => closed };
}
