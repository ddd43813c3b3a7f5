import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, test } from 'node:test';
import { startProxy } from '../../test/support/harness.ts';
import { freePort } from '../../test/support/ports.ts';
import { openClient } from '../../test/support/raw-client.ts';
import { startRawServer } from '../../test/support/raw-server.ts';
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

test('mode tcp: timeout client closes an idle connection; connect failure closes after retries', async () => {
  const { port: upPort } = await upstream(() => {});
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: 200 },
  });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port);
  assert.ok(await waitFor(() => c.closed(), 2000), 'idle client closed by timeout client');

  const dead = await freePort();
  const p2 = await startProxy({ mode: 'tcp', servers: [{ port: dead }], retries: 1 });
  cleanups.push(() => p2.engine.stop(0));
  const c2 = openClient(p2.port);
  assert.ok(await waitFor(() => c2.closed(), 2000));
});

test('mode tcp: timeout tunnel replaces client/server timeouts once connected', async () => {
  const { port: upPort } = await upstream((s) => s.on('data', (d) => s.write(d)));
  const { engine, port } = await startProxy({
    mode: 'tcp',
    servers: [{ port: upPort }],
    timeouts: { client: 100, server: 100, tunnel: 2000 },
  });
  cleanups.push(() => engine.stop(0));
  const c = openClient(port);
  await new Promise((r) => setTimeout(r, 400)); // longer than client/server, shorter than tunnel
  assert.equal(c.closed(), false);
  c.write('ping');
  assert.ok(await waitFor(() => c.text() === 'ping'));
  c.sock.destroy();
});
