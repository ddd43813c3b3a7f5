import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slowstartSeconds, warmupMaxconn, warmupStep } from './slowstart.ts';

// Values worked out by hand from HAProxy 2.6's C (queue.c srv_dynamic_maxconn, server.c
// server_recalc_eweight), not from this module: the weight and throttle columns are compared with the
// real haproxy in test/slowstart.test.ts; the maxconn throttle has no column to compare.

test('slowstart is kept in whole seconds, rounded up', () => {
  assert.equal(slowstartSeconds(6000), 6);
  assert.equal(slowstartSeconds(1), 1);
  assert.equal(slowstartSeconds(2500), 3);
});

test('maxconn during the period: the whole percent elapsed of it, at least 1', () => {
  // S = 10 s, maxconn 50: 0 % → 1, 10 % → 5, 50 % → 25, 90 % → 45, then 50
  assert.deepEqual(
    [0, 1, 5, 9, 10, 11].map((e) => warmupMaxconn(50, e, 10)),
    [1, 5, 25, 45, 50, 50],
  );
  // S = 3 s, maxconn 7: 33 % of 7 = 2.31 → 2, 66 % → 4.62 → 4
  assert.deepEqual(
    [0, 1, 2].map((e) => warmupMaxconn(7, e, 3)),
    [1, 2, 4],
  );
  // a clock that went back: full
  assert.equal(warmupMaxconn(50, -1, 10), 50);
});

test('weight steps: (16·e + S) / S sixteenths, full once the period is over', () => {
  // S = 32: the 16th sixteenth is reached at e = 30, the server is still starting until e = 32
  assert.deepEqual(
    [0, 1, 2, 30, 31, 32].map((e) => warmupStep(e, 32)),
    [1, 1, 2, 16, 16, 16],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map((e) => warmupStep(e, 6)),
    [1, 3, 6, 9, 11, 14, 16],
  );
});
