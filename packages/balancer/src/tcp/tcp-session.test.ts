import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { startProxy, waitFor } from '../../test/support/harness.ts';

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
  const { port: upPort } = await upstream(() => {});
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: 200 },
  });
  cleanups.push(() => engine.stop(0));
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => {});
  let closed = false;
  c.on('close', () => {
    closed = true;
  });
  assert.ok(await waitFor(() => closed, 2000), 'idle client closed by timeout client');

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
  const { port: upPort } = await upstream((s) => s.on('data', (d) => s.write(d)));
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: 100, server: 100, tunnel: 2000 },
  });
  cleanups.push(() => engine.stop(0));
  const c = net.connect(port, '127.0.0.1');
  let text = '';
  let closed = false;
  c.on('data', (d) => {
    text += d;
  });
  c.on('close', () => {
    closed = true;
  });
  await new Promise((r) => setTimeout(r, 400)); // longer than client/server, shorter than tunnel
  assert.equal(closed, false);
  c.write('ping');
  assert.ok(await waitFor(() => text === 'ping'));
  c.destroy();
});
