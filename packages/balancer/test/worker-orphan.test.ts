/**
 * The master of a master-worker balancer crashes (SIGKILL) while its worker serves a request: the
 * worker closes its listener at once (so a restarted balancer, or the peer, takes the new connections)
 * but finishes the request it holds, then exits. HAProxy's worker exits at once and cuts it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startUpstream } from './support/harness.ts';
import { freePortSync } from './support/ports.ts';
import { childPids, pidAlive, startBalancer } from './support/proc.ts';
import { exchange, openClient } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });

test('a worker whose master is killed finishes the request in flight, stops listening, and exits', async () => {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const up = await startUpstream((_req, socket) => {
    held.then(() => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\ndone'));
  });
  const port = freePortSync();
  const cfg = `global\n    master-worker\ndefaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend b\nbackend b\n    server s 127.0.0.1:${up.port}\n`;
  const lb = await startBalancer(cfg, [port]);
  try {
    const [worker] = childPids(lb.pid);
    assert.ok(worker, 'a worker process');
    const answer = exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { ms: 8000 });
    assert.ok(await waitFor(() => up.requests.length === 1, 5000), 'the request reached the server');
    process.kill(lb.pid, 'SIGKILL');
    assert.ok(await waitFor(() => refused(port), 5000), 'the worker stops listening');
    assert.ok(pidAlive(worker), 'the worker still serves the request it holds');
    release();
    const r = await answer;
    assert.match(r.text, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\ndone$/, 'the request in flight is answered');
    assert.ok(await waitFor(() => !pidAlive(worker), 5000), 'then the worker exits');
  } finally {
    release();
    await lb.stop(2000);
    await up.close();
  }
});

test('an orphaned worker answers the next request of a keep-alive client, closing after it', async () => {
  const up = await startUpstream((_req, socket) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const port = freePortSync();
  const cfg = `global\n    master-worker\ndefaults\n    mode http\n    option http-keep-alive\n    timeout client 5s\n    timeout server 5s\n    timeout connect 2s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend b\nbackend b\n    server s 127.0.0.1:${up.port}\n`;
  const lb = await startBalancer(cfg, [port]);
  const c = openClient(port);
  try {
    const [worker] = childPids(lb.pid);
    assert.ok(worker, 'a worker process');
    await c.connected;
    const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    c.write(req);
    assert.ok(await c.until((t) => t.endsWith('\r\n\r\nok'), 5000), 'the first answer, kept alive');
    process.kill(lb.pid, 'SIGKILL');
    assert.ok(await waitFor(() => refused(port), 5000), 'the worker stops listening');
    assert.ok(!c.closed(), 'the idle client is not cut');
    c.write(req);
    assert.ok(
      await c.until((t) => (t.match(/\r\n\r\nok/g) ?? []).length === 2, 5000),
      `the next request is answered: ${JSON.stringify(c.text())}`,
    );
    assert.match(
      c.text().slice(c.text().lastIndexOf('HTTP/1.1')),
      /\r\nconnection: close\r\n/i,
      'with close',
    );
    assert.ok(await waitFor(() => c.closed(), 5000), 'then the connection closes');
    assert.ok(await waitFor(() => !pidAlive(worker), 5000), 'and the worker exits');
  } finally {
    c.sock.destroy();
    await lb.stop(2000);
    await up.close();
  }
});
