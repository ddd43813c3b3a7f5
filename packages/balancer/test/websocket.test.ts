/**
 * A WebSocket echo through the proxy: the Upgrade handshake, framed text and binary messages both
 * ways, and the tunnel obeying `timeout tunnel` (not `timeout client`) once upgraded.
 * Node's built-in WebSocket client talks to a raw node:net echo server (support/ws-echo.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRoot } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, type Managed, type ProxyKind, startProxy } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';
import { startWsEcho, type WsEchoServer } from './support/ws-echo.ts';

const TODO: string | undefined = undefined;

const CLIENT_TIMEOUT_MS = 500;
const TUNNEL_TIMEOUT_MS = 2000;

/** A WebSocket with an awaitable message queue. */
function openWs(url: string): Promise<{
  ws: WebSocket;
  next: (ms?: number) => Promise<string | ArrayBuffer>;
  closedAt: () => number | null;
}> {
  return new Promise((ok, ko) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    const queue: (string | ArrayBuffer)[] = [];
    const waiters: ((m: string | ArrayBuffer) => void)[] = [];
    let closedAt: number | null = null;
    ws.addEventListener('message', (e) => {
      const w = waiters.shift();
      if (w) w(e.data);
      else queue.push(e.data);
    });
    ws.addEventListener('close', () => {
      closedAt = Date.now();
    });
    ws.addEventListener('error', () => ko(new Error('websocket error before open')));
    ws.addEventListener('open', () =>
      ok({
        ws,
        closedAt: () => closedAt,
        next: (ms = 3000) =>
          new Promise((res, rej) => {
            const m = queue.shift();
            if (m !== undefined) return res(m);
            const t = setTimeout(() => rej(new Error('no echo within timeout')), ms);
            waiters.push((x) => {
              clearTimeout(t);
              res(x);
            });
          }),
      }),
    );
  });
}

for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
  const skip = kind === 'haproxy' && !haproxyPath() && !isRoot ? 'haproxy not installed' : false;
  describe(`WebSocket through ${kind}`, { todo: kind === 'balancer' ? TODO : undefined, skip }, () => {
    let echo: WsEchoServer | undefined;
    let proxy: Managed | undefined;
    let port = 0;
    before(async () => {
      echo = await startWsEcho();
      port = await freePort();
      proxy = await startProxy(
        kind,
        [
          'global',
          '    nbthread 1',
          'defaults',
          '    mode http',
          '    timeout connect 2s',
          `    timeout client ${CLIENT_TIMEOUT_MS}ms`,
          `    timeout server ${CLIENT_TIMEOUT_MS}ms`,
          `    timeout tunnel ${TUNNEL_TIMEOUT_MS}ms`,
          '    timeout http-request 5s',
          'listen ws',
          `    bind 127.0.0.1:${port}`,
          `    server echo 127.0.0.1:${echo.port}`,
          '',
        ].join('\n'),
        [port],
      );
    });
    after(async () => {
      await proxy?.stop();
      await echo?.close();
    });

    it('echoes text and binary frames, survives idle > timeout client, closes after timeout tunnel', async () => {
      const c = await openWs(`ws://127.0.0.1:${port}/chat`);
      try {
        c.ws.send('hello');
        c.ws.send('world');
        const bin = new Uint8Array(70_000).map((_, i) => i * 7);
        c.ws.send(bin);
        assert.equal(await c.next(), 'hello');
        assert.equal(await c.next(), 'world');
        const back = await c.next();
        assert.ok(back instanceof ArrayBuffer);
        assert.deepEqual(new Uint8Array(back), bin);

        // Idle longer than timeout client: a tunnel is governed by timeout tunnel instead.
        await sleep(CLIENT_TIMEOUT_MS * 2.4);
        assert.equal(c.closedAt(), null, 'the tunnel outlived timeout client');
        c.ws.send('still here');
        assert.equal(await c.next(), 'still here');

        // Now idle past timeout tunnel: the proxy closes the tunnel.
        const lastActivity = Date.now();
        await waitFor(() => c.closedAt() !== null, TUNNEL_TIMEOUT_MS + 3000, 20);
        const closedAt = c.closedAt();
        assert.ok(closedAt !== null, 'closed after timeout tunnel');
        const idle = closedAt - lastActivity;
        assert.ok(
          idle >= TUNNEL_TIMEOUT_MS - 50 && idle <= TUNNEL_TIMEOUT_MS + 1000,
          `closed after ${idle} ms idle`,
        );
      } finally {
        c.ws.close();
      }
    });
  });
}
