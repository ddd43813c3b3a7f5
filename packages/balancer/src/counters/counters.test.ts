import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServerCounters, statusClass, swrateAddDynamic, TIME_STATS_SAMPLES } from './counters.ts';

test('timers: the exact mean (rounded up) until 1024 samples, then a sliding average over 1024', () => {
  const c = new ServerCounters();
  c.addTimes(0, 1, 10, 20);
  c.addTimes(0, 2, 11, 25);
  assert.equal(c.avg(c.ctime), 2); // (1 + 2) / 2 rounded up, as swrate_avg
  assert.equal(c.avg(c.rtime), 11);
  assert.equal(c.avg(c.ttime), 23);
  assert.equal(c.ttimeMax, 25);
  for (let i = 0; i < 3 * TIME_STATS_SAMPLES; i++) c.addTimes(0, 4, 4, 4);
  assert.equal(c.avg(c.ctime), 4, 'the old samples have slid out');
  assert.equal(swrateAddDynamic(1024 * 4, 1024, 4), 1024 * 4, 'a steady value keeps the sum');
});

test('clear counters keeps what is current; clear counters all resets the totals', () => {
  const c = new ServerCounters();
  c.open(1000);
  c.open(1000);
  c.close();
  assert.equal(c.smax, 2);
  c.clearMax();
  assert.equal(c.smax, 1, 'max back to the current value');
  assert.equal(c.stot, 2);
  c.clearAll();
  assert.equal(c.stot, 0);
  assert.equal(c.scur, 1);
});

test("status classes: HAProxy's rsp[] index", () => {
  assert.deepEqual([100, 204, 302, 404, 503, 600, 99].map(statusClass), [1, 2, 3, 4, 5, 0, 0]);
});
