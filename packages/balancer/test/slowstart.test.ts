/**
 * `slowstart`: the balancer through slowstart-scenario.ts, compared with what haproxy 2.6 showed
 * (slowstart-expected.json, recorded by slowstart-record.ts): web1's weight and throttle at each step
 * of its comeback under roundrobin (the weight grows in sixteenths), under static-rr (the weight stays,
 * the throttle says 100 while its maxconn is throttled), the backend's total weight, the status, the
 * period's length and web1's share of the first second's requests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SLOWSTART_EXPECTED } from './slowstart-record.ts';
import { runSlowstart, SLOWSTART_S, type SlowstartRun } from './slowstart-scenario.ts';

const EXPECTED = JSON.parse(readFileSync(SLOWSTART_EXPECTED, 'utf8')) as SlowstartRun;

/**
 * The rows seen, against haproxy's: same first and last, each one of haproxy's in its order. A step
 * may be missed (a one-second tick that fired late on a loaded machine jumps one, for haproxy too).
 */
function assertSteps(got: string[], want: string[], what: string): void {
  const msg = `${what}: ${JSON.stringify(got)} against haproxy's ${JSON.stringify(want)}`;
  assert.equal(got[0], want[0], msg);
  assert.equal(got.at(-1), want.at(-1), msg);
  let j = 0;
  for (const row of got) {
    while (j < want.length && want[j] !== row) j++;
    assert.ok(j < want.length, `${msg}: ${row} is not one of haproxy's, in its order`);
  }
  assert.ok(got.length >= want.length - 1, `${msg}: more than one step missed`);
}

test('a server back from DOWN comes up to full weight over its slowstart as in haproxy 2.6', async () => {
  const run = await runSlowstart('balancer');
  assertSteps(run.dynamic, EXPECTED.dynamic, 'roundrobin web1 weight/throttle');
  assertSteps(run.backendWeight, EXPECTED.backendWeight, 'roundrobin backend weight');
  assert.deepEqual(run.static, EXPECTED.static, 'static-rr web1 weight/throttle');
  assert.deepEqual(run.status, EXPECTED.status, 'web1 status during the slowstart');
  // the period is whole seconds counted from the second it came back in: S − 1 to S s, polled
  assert.ok(
    run.periodMs >= (SLOWSTART_S - 1) * 1000 && run.periodMs <= (SLOWSTART_S + 1) * 1000 + 500,
    `period ${run.periodMs} ms (haproxy ${EXPECTED.periodMs} ms)`,
  );
  // 1/16 of its weight beside web2's full one: about 1 request in 17 (haproxy: EXPECTED.firstSecondShare)
  assert.ok(
    run.firstSecondShare < 0.2,
    `web1 took ${run.firstSecondShare} of the first second's requests (haproxy ${EXPECTED.firstSecondShare})`,
  );
});
