/**
 * Queues, limits and retries against what HAProxy 2.6 did in the same scenarios (queue-expected.json,
 * written by queue-record.ts): the statuses and exact bytes clients get, the order servers see the
 * requests in, their concurrency, and the connection attempts (SYNs, when root). The turn-around is
 * a bound: the refused attempts take at least min(timeout connect, 1 s) each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparable, readQueueExpected } from './queue-record.ts';
import { runScenario, SCENARIOS } from './queue-scenarios.ts';

const expected = readQueueExpected();

for (const [name, sc] of Object.entries(SCENARIOS)) {
  test(`${name}: ${sc.what} (as HAProxy 2.6)`, async () => {
    const want = expected.scenarios[name];
    assert.ok(want, `${name} is not recorded: run node packages/balancer/test/queue-record.ts`);
    const got = await runScenario('balancer', sc);
    const w = comparable(want) as { syns: number | null };
    const g = comparable(got) as { syns: number | null };
    // SYNs are only counted as root; compare them when both runs could
    if (w.syns === null || g.syns === null) w.syns = g.syns = null;
    assert.deepEqual(g, w);
  });
}

test('turn-around: each retry on a refused server waits min(timeout connect, 1 s) (a lower bound)', async () => {
  for (const [name, waits] of [
    ['turnaround-300ms', 2 * 300],
    ['turnaround-1s', 1000],
  ] as const) {
    const got = await runScenario('balancer', SCENARIOS[name]);
    const ms = got.clients[0].ms;
    const haproxyMs = expected.scenarios[name].clients[0].ms;
    assert.ok(
      ms >= waits * 0.95,
      `${name}: 503 after ${ms} ms, HAProxy took ${haproxyMs} ms; at least ${waits} expected`,
    );
    assert.ok(
      ms < waits + 1500,
      `${name}: ${ms} ms is far beyond the turn-around (HAProxy: ${haproxyMs} ms)`,
    );
  }
});
