import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { serverSpec } from '../../test/support/harness.ts';
import { freePort } from '../../test/support/ports.ts';
import { type RawServer, startRawServer } from '../../test/support/raw-server.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { BackendSpec } from '../engine/engine-config.ts';
import { NO_TIMEOUTS } from '../engine/engine-config.ts';
import { newBackendState } from './backend.ts';
import { Dispatch, type DispatchOwner, nextAttempt } from './dispatch.ts';
import type { ServerConn } from './server-conn.ts';

const servers: RawServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

test('retries N: 1 + N attempts on the same server, then give up', () => {
  const kinds = [1, 2, 3, 4].map((attempts) => nextAttempt({ attempts, retries: 3 }).kind);
  assert.deepEqual(kinds, ['same-server', 'same-server', 'same-server', 'give-up']);
  assert.equal(nextAttempt({ attempts: 1, retries: 0 }).kind, 'give-up');
});

test('option redispatch: the last retry goes back to the balancer (HAProxy 2.6 stream.c)', () => {
  // retries 3, option redispatch: attempts 1-3 on the server, the 4th (the last) elsewhere
  const persistent = (attempts: number, redispatch: number | null) =>
    nextAttempt({ attempts, retries: 3, redispatch, direct: true, spread: true }).kind;
  assert.deepEqual(
    [1, 2, 3, 4].map((a) => persistent(a, -1)),
    ['same-server', 'same-server', 'redispatch', 'give-up'],
  );
  assert.deepEqual(
    [1, 2, 3].map((a) => persistent(a, 1)),
    ['redispatch', 'redispatch', 'redispatch'],
    'redispatch 1: every retry',
  );
  assert.deepEqual(
    [1, 2, 3].map((a) => persistent(a, 2)),
    ['same-server', 'redispatch', 'same-server'],
    'redispatch 2: every 2nd retry',
  );
  assert.deepEqual(
    [1, 2, 3].map((a) => persistent(a, -2)),
    ['same-server', 'redispatch', 'same-server'],
    'redispatch -2: the retry before the last',
  );
  assert.deepEqual(
    [1, 2, 3].map((a) => persistent(a, 0)),
    ['same-server', 'same-server', 'same-server'],
    'redispatch 0: no interval',
  );
  assert.deepEqual(
    [1, 2, 3].map((a) => persistent(a, null)),
    ['same-server', 'same-server', 'same-server'],
    'no option redispatch',
  );
});

test('option redispatch: at once for a DOWN server, or a non-persistent request with round-robin choice', () => {
  const first = (s: Partial<Parameters<typeof nextAttempt>[0]>) =>
    nextAttempt({ attempts: 1, retries: 3, redispatch: -1, ...s }).kind;
  assert.equal(first({ serverDown: true, direct: true }), 'redispatch');
  assert.equal(first({ serverDown: true, redispatch: 0 }), 'redispatch');
  assert.equal(first({ direct: false, spread: true }), 'redispatch');
  assert.equal(first({ direct: true, spread: true }), 'same-server', 'a persistent request keeps its server');
  assert.equal(first({ direct: false, spread: false }), 'same-server', 'one active server (or a hash)');
  assert.equal(first({ serverDown: true, redispatch: null }), 'same-server', 'only with option redispatch');
});

function backend(port: number, retries: number) {
  const spec: BackendSpec = {
    name: 'b',
    mode: 'tcp',
    servers: [serverSpec({ name: 's', port })],
    timeouts: { ...NO_TIMEOUTS, connect: 1000 },
    retries,
    httpReuse: 'safe',
    options: { httpServerClose: false, httpClose: false },
    forwardfor: null,
    balance: null,
    errorfiles: new Map(),
  };
  return newBackendState(spec);
}

/** An owner that records what the dispatch step made happen. */
function recorder(onError: (conn: ServerConn) => void) {
  const events: string[] = [];
  const owner: DispatchOwner = {
    onDequeued: () => events.push('dequeued'),
    onQueueError: (timeout) => events.push(timeout ? 'queue-timeout' : 'queue-error'),
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
  const port = await freePort();
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

test('a redispatched attempt connects to the server the balancer picks next, and drops persistence', async () => {
  const refused = await freePort();
  let got = '';
  const ok = await startRawServer((s) => s.on('data', (b) => (got += b)));
  servers.push(ok);
  const be = backend(refused, 3);
  const second = { ...be.spec.servers[0], name: 't', port: ok.port };
  const two = newBackendState({ ...be.spec, servers: [be.spec.servers[0], second], redispatch: -1 });
  let connected: () => void = () => {};
  const up = new Promise<void>((r) => (connected = r));
  const { owner, events } = recorder(() => d.retry());
  owner.onServerConnect = () => {
    d.connected();
    connected();
  };
  const d = new Dispatch(owner);
  d.begin(two, two.servers[0], 3, true);
  d.connect(Buffer.from('hello'));
  await up;
  assert.deepEqual(events, ['error', 'error', 'error'], 'three attempts on the persistent server');
  assert.equal(d.server, two.servers[1]);
  assert.equal(d.direct, false);
  await waitFor(() => got.length >= 5, 4000);
  assert.equal(got, 'hello', 'the queued bytes follow the redispatch');
  d.abort();
});

test('bytes sent while connecting are queued and flushed in order once connected; the limit asks to pause', async () => {
  let received = '';
  const srv = await startRawServer((s) => s.on('data', (b) => (received += b)));
  servers.push(srv);
  const be = backend(srv.port, 0);
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
  await waitFor(() => received.length >= 12, 4000);
  assert.equal(received, 'ab0123456789');
  d.abort();
});
