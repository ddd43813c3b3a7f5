/**
 * `bind fd@N`: the balancer serves on a listening socket it inherited (as systemd socket activation
 * passes them) rather than one it opened. The test opens the listener, hands its fd to the child at
 * index N of stdio, and closes its own copy so only the balancer can accept.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { splitResponses } from './support/http1.ts';
import { freePort } from './support/ports.ts';
import { type Managed, startBalancer } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';

const TODO: string | undefined = undefined;
const FD = 5;

describe('bind fd@N with an inherited listening socket', { todo: TODO }, () => {
  let backend: HttpServer;
  let listener: Server;
  let lb: Managed | undefined;
  let port = 0;
  before(async () => {
    backend = createHttpServer((req, res) => res.end(`served ${req.url}\n`));
    await new Promise<void>((ok) => backend.listen(0, '127.0.0.1', ok));
    const bport = (backend.address() as { port: number }).port;
    port = await freePort();
    listener = createServer();
    await new Promise<void>((ok) => listener.listen({ port, host: '127.0.0.1' }, ok));
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    assert.ok(fd > 2, 'the listener has a real fd');
    const stdio: (string | number)[] = ['ignore', 'pipe', 'pipe'];
    while (stdio.length < FD) stdio.push('ignore');
    stdio[FD] = fd;
    const spawned = startBalancer(
      [
        'defaults',
        '    mode http',
        '    timeout connect 2s',
        '    timeout client 5s',
        '    timeout server 5s',
        'frontend inherited',
        `    bind fd@${FD}`,
        '    default_backend be',
        'backend be',
        `    server s1 127.0.0.1:${bport}`,
        '',
      ].join('\n'),
      [],
      { stdio: stdio as never },
    );
    // The child has its own copy once spawned; ours must go so only the balancer accepts.
    listener.close();
    lb = await spawned;
  });
  after(async () => {
    await lb?.stop();
    backend?.close();
    backend?.closeAllConnections();
  });

  it('serves requests on the inherited socket', async () => {
    assert.ok(lb);
    // The socket listens from the start (the kernel queues the connection) even while the balancer
    // still loads its config: one request, answered once it accepts (bounded).
    const ex = await exchange(port, ['GET /first HTTP/1.1\r\nHost: a\r\n\r\n'], {
      until: (t) => splitResponses(t, false)[0]?.complete === true,
      ms: 10_000,
    });
    assert.equal(ex.responses[0]?.status, 200, `got ${JSON.stringify(ex.text)}\n${lb.output()}`);
    assert.equal(ex.responses[0].body, 'served /first\n');
    for (let i = 0; i < 5; i++) {
      const r = await exchange(port, [`GET /n${i} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`], {
        ms: 5000,
      });
      assert.equal(r.responses[0]?.body, `served /n${i}\n`);
    }
  });
});
