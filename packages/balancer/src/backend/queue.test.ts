import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSpec } from '../../test/support/harness.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { type BackendSpec, NO_TIMEOUTS, type ServerSpec } from '../engine/engine-config.ts';
import { newBackendState, setServerUp } from './backend.ts';
import { Dispatch, type DispatchOwner, QUEUE_FULL, QUEUED, TAKEN } from './dispatch.ts';
import { dynamicMaxconn, serverLimits } from './queue.ts';
import { StateEvents } from './state-events.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

function backend(servers: Partial<ServerSpec>[], o: Partial<BackendSpec> = {}) {
  return newBackendState({
    name: 'b',
    mode: 'http',
    servers: servers.map((s, i) => serverSpec({ name: `s${i + 1}`, ...s })),
    timeouts: { ...NO_TIMEOUTS, connect: 1000, queue: 60_000 },
    retries: 3,
    httpReuse: 'safe',
    options: { httpServerClose: false, httpClose: false },
    forwardfor: null,
    balance: null,
    errorfiles: new Map(),
    ...o,
  });
}

/** A dispatch whose owner only writes down what it is told. */
function exchange(log: string[], name: string): Dispatch {
  const owner = {
    onDequeued: () => log.push(`${name}:${d.server?.spec.name}`),
    onQueueError: (timeout: boolean) => log.push(`${name}:${timeout ? 'timeout' : 'error'}`),
  } as unknown as DispatchOwner;
  const d = new Dispatch(owner);
  return d;
}

test('serverLimits: minconn defaults to maxconn, a lone minconn becomes the maxconn (cfgparse.c)', () => {
  assert.deepEqual(serverLimits(10, null, null), { maxconn: 10, minconn: 10, maxqueue: 0 });
  assert.deepEqual(serverLimits(null, 5, 2), { maxconn: 5, minconn: 5, maxqueue: 2 });
  assert.deepEqual(serverLimits(10, 2, null), { maxconn: 10, minconn: 2, maxqueue: 0 });
  assert.deepEqual(serverLimits(null, null, null), { maxconn: 0, minconn: 0, maxqueue: 0 });
});

test('dynamicMaxconn: max(minconn, beconn × maxconn / fullconn) below fullconn, maxconn at or above', () => {
  const be = backend([{ maxconn: 100, minconn: 10 }], { fullconn: 1000 });
  const s = be.servers[0];
  assert.equal(dynamicMaxconn(s, 0), 10);
  assert.equal(dynamicMaxconn(s, 150), 15);
  assert.equal(dynamicMaxconn(s, 999), 99);
  assert.equal(dynamicMaxconn(s, 1000), 100);
  assert.equal(dynamicMaxconn(s, 5000), 100);
});

test('a full server queues; each ended exchange hands its slot to the next in arrival order', async () => {
  const be = backend([{ maxconn: 1 }]);
  const log: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((n) => exchange(log, n));
  assert.equal(a.begin(be, be.servers[0], 3), TAKEN);
  assert.equal(b.begin(be, null, 3), QUEUED);
  assert.equal(c.begin(be, null, 3), QUEUED);
  assert.equal(be.load.queue.length, 2);
  assert.equal(be.load.queue.max, 2);
  a.end();
  await tick();
  assert.deepEqual(log, ['b:s1']);
  b.end();
  await tick();
  assert.deepEqual(log, ['b:s1', 'c:s1']);
  assert.equal(be.servers[0].served, 1);
  assert.equal(be.load.queue.length, 0);
  assert.equal(be.load.queue.total, 2);
  c.end();
  assert.equal(be.load.beconn, 0);
});

test('a persistent request waits in its server queue; over maxqueue it is refused (or redispatched)', () => {
  const be = backend([{ maxconn: 1, maxqueue: 1 }, {}]);
  const log: string[] = [];
  const [a, b, c] = ['a', 'b', 'c'].map((n) => exchange(log, n));
  assert.equal(a.begin(be, be.servers[0], 3, true), TAKEN);
  assert.equal(b.begin(be, be.servers[0], 3, true), QUEUED);
  assert.equal(be.servers[0].queue.length, 1);
  assert.equal(c.begin(be, be.servers[0], 3, true), QUEUE_FULL);
  const withRedispatch = backend([{ maxconn: 1, maxqueue: 1 }, {}], { redispatch: -1 });
  const [x, y, z] = ['x', 'y', 'z'].map((n) => exchange(log, n));
  x.begin(withRedispatch, withRedispatch.servers[0], 3, true);
  y.begin(withRedispatch, withRedispatch.servers[0], 3, true);
  assert.equal(z.begin(withRedispatch, withRedispatch.servers[0], 3, true), TAKEN);
  assert.equal(z.server, withRedispatch.servers[1]);
  assert.equal(z.direct, false);
});

test('a server going DOWN: with option redispatch its queue is rebalanced at once, without it waits', () => {
  const events = new StateEvents();
  for (const redispatch of [-1, null]) {
    const be = backend([{ maxconn: 1 }, { maxconn: 5 }], { redispatch });
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((n) => exchange(log, n));
    a.begin(be, be.servers[0], 3, true);
    assert.equal(b.begin(be, be.servers[0], 3, true), QUEUED);
    setServerUp(events, be, be.servers[0], false, 'test');
    if (redispatch === null) {
      assert.deepEqual(log, [], 'without redispatch the request keeps waiting for its server');
      assert.equal(be.servers[0].queue.length, 1);
    } else {
      assert.deepEqual(log, ['b:s2'], 'redistributed to the other server');
      assert.equal(be.servers[0].queue.length, 0);
    }
  }
});

test('a server coming UP takes requests from the backend queue', async () => {
  const events = new StateEvents();
  const be = backend([{ maxconn: 1 }, { maxconn: 1 }]);
  setServerUp(events, be, be.servers[1], false, 'test');
  const log: string[] = [];
  const [a, b] = ['a', 'b'].map((n) => exchange(log, n));
  a.begin(be, be.servers[0], 3);
  assert.equal(b.begin(be, null, 3), QUEUED);
  setServerUp(events, be, be.servers[1], true, 'test');
  await tick();
  assert.deepEqual(log, ['b:s2']);
});

test('timeout queue: the waiting request is told, and leaves the queue', async () => {
  const be = backend([{ maxconn: 1 }], { timeouts: { ...NO_TIMEOUTS, queue: 30 } });
  const log: string[] = [];
  const [a, b] = ['a', 'b'].map((n) => exchange(log, n));
  a.begin(be, be.servers[0], 3);
  b.begin(be, null, 3);
  await waitFor(() => log.length > 0, 2000);
  assert.deepEqual(log, ['b:timeout']);
  assert.equal(be.load.queue.length, 0);
  assert.ok(be.load.queue.lastTime >= 25, `waited ${be.load.queue.lastTime} ms`);
  a.end();
  b.end();
});
