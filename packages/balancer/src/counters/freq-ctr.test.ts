import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FreqCtr } from './freq-ctr.ts';

test("freq_ctr: this second's events plus the previous second's, weighted by what is left of this one", () => {
  const f = new FreqCtr();
  const t = 1_000_000; // a period start
  for (let i = 0; i < 10; i++) f.add(t + i);
  assert.equal(f.read(t + 500), 10);
  // next second: 10 previous events weigh (1000 - elapsed) / 1000
  assert.equal(f.add(t + 1000), 1 + 10);
  assert.equal(f.read(t + 1500), 1 + 5);
  assert.equal(f.add(t + 1250), 2 + 7);
  // two idle seconds later nothing is left
  assert.equal(f.read(t + 3100), 0);
});
