/**
 * The behaviour tests of the queue, limit and retry keywords marked `applied` in
 * src/config/in-effect.ts (in-effect.test.ts runs them with its other EFFECTS): each runs a scenario of
 * queue-scenarios.ts (haproxy.cfg text, the balancer started as in production, loopback servers that
 * answer after a delay) and checks the keyword's documented effect. queue.test.ts compares the same
 * scenarios with what HAProxy 2.6 did.
 */
import assert from 'node:assert/strict';
import { runScenario, SCENARIOS, type Scenario } from './queue-scenarios.ts';

const run = (name: string, patch: Partial<Scenario> = {}) =>
  runScenario('balancer', { ...SCENARIOS[name], ...patch });

export const QUEUE_EFFECTS: Record<string, () => Promise<void>> = {
  async 'server maxconn'() {
    const r = await run('maxconn1-fifo');
    assert.equal(r.maxConcurrent.s1, 1, 'never more than maxconn requests at the server');
    assert.deepEqual(r.arrivals, ['s1:/r1', 's1:/r2', 's1:/r3', 's1:/r4', 's1:/r5'], 'in arrival order');
    assert.deepEqual(
      r.clients.map((c) => c.status),
      [200, 200, 200, 200, 200],
    );
  },
  async 'timeout queue'() {
    const r = await run('maxconn1-queue-timeout');
    assert.deepEqual(
      r.clients.map((c) => c.status),
      [200, 200, 503, 503],
      'requests waiting longer than timeout queue get 503',
    );
  },
  async 'server maxqueue'() {
    const r = await run('maxqueue');
    assert.deepEqual(
      r.clients.map((c) => c.status),
      [200, 200, 503],
      'one request waits (maxqueue 1); the next is refused',
    );
    assert.ok(r.clients[2].ms < r.clients[1].ms, 'the refused one did not wait');
  },
  async 'server minconn'() {
    const r = await run('minconn-fullconn');
    const n = r.maxConcurrent.s1;
    assert.ok(n > 1 && n < 4, `between minconn 1 and maxconn 4 under half of fullconn: ${n}`);
  },
  async fullconn() {
    // fullconn 2: the backend is "full" from the second request on, and the limit is maxconn 4
    const r = await run('minconn-fullconn', {
      backend: ['balance roundrobin', 'fullconn 2', 'timeout queue 10s'],
    });
    assert.equal(r.maxConcurrent.s1, 4, 'at fullconn the server takes up to its maxconn');
  },
  async 'retry-on'() {
    const r = await run('retry-on-503-same');
    assert.deepEqual(r.arrivals, ['s1:/g', 's1:/g', 's1:/g'], 'retry-on 503: 1 + retries attempts');
    const same = await run('retry-on-503-same', { backend: ['balance roundrobin', 'retries 2'] });
    assert.deepEqual(same.arrivals, ['s1:/g'], 'without retry-on 503, a 503 is passed on');
  },
};
