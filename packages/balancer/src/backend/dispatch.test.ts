import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import type { BackendSpec } from '../engine/engine-config.ts';
import { NO_TIMEOUTS } from '../engine/engine-config.ts';
import { newBackendState } from './backend.ts';
import { Dispatch, nextAttempt } from './dispatch.ts';
import type { ServerConn, ServerConnOwner } from './server-conn.ts';

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

test('retries N: 1 + N attempts on the same server, then give up', () => {
  const kinds = [1, 2, 3, 4].map((attempts) => nextAttempt({ attempts, retries: 3 }).kind);
  assert.deepEqual(kinds, ['same-server', 'same-server', 'same-server', 'give-up']);
  assert.equal(nextAttempt({ attempts: 1, retries: 0 }).kind, 'give-up');
});

function backend(port: number, retries: number) {
  const spec: BackendSpec = {
    name: 'b',
    mode: 'tcp',
    servers: [
      {
        name: 's',
        host: '127.0.0.1',
        port,
        path: null,
        weight: 1,
        maxconn: null,
        disabled: false,
        backup: false,
      },
    ],
    timeouts: { ...NO_TIMEOUTS, connect: 1000 },
    retries,
    httpReuse: 'safe',
    options: { httpServerClose: false, httpClose: false, httpKeepAlive: false },
    forwardfor: null,
    balance: null,
    errorfiles: new Map(),
  };
  return newBackendState(spec);
}

/** An owner that records what the dispatch step made happen. */
function recorder(onError: (conn: ServerConn) => void) {
  const events: string[] = [];
  const owner: ServerConnOwner = {
    onServerConnect: () => events.push('connect'),
    onServerConnectError: (conn) => {
      events.push('error');
      onError(conn);
    },
    onServerData: (_c, chunk) => events.push(`data:${chunk}`),
    onServerEnd: () => events.push('end'),
    onServerClose: () => events.push('close'),
    onServerDrain: () => {},
    onServerTimeout: () => events.push('timeout'),
  };
  return { owner, events };
}

test('a refused server is tried 1 + retries times, then the dispatch gives up', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const be = backend(port, 2);
  let done: (v: boolean[]) => void = () => {};
  const results: boolean[] = [];
  const finished = new Promise<boolean[]>((r) => (done = r));
  const { owner, events } = recorder(() => {
    const again = d.retry();
    results.push(again);
    if (!again) done(results);
  });
  const d = new Dispatch(owner);
  d.begin(be, be.servers[0], 2);
  d.connect(Buffer.from('hello'));
  assert.deepEqual(await finished, [true, true, false]);
  assert.deepEqual(events, ['error', 'error', 'error']);
  assert.equal(d.attempts, 3);
});

test('bytes sent while connecting are queued and flushed in order once connected; the limit asks to pause', async () => {
  let received = '';
  const srv = net.createServer((s) => s.on('data', (b) => (received += b)));
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const be = backend((srv.address() as net.AddressInfo).port, 0);
  let connected: () => void = () => {};
  const up = new Promise<void>((r) => (connected = r));
  const { owner } = recorder(() => {});
  owner.onServerConnect = () => {
    assert.equal(d.connected(), true);
    connected();
  };
  const d = new Dispatch(owner);
  d.begin(be, be.servers[0], 0);
  d.connect(Buffer.from('a'));
  assert.equal(d.send(Buffer.from('b'), 10), true);
  assert.equal(d.send(Buffer.from('0123456789'), 10), false, 'over the queue limit: pause the sender');
  await up;
  const deadline = Date.now() + 4000;
  while (received.length < 12 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(received, 'ab0123456789');
  d.abort();
});
