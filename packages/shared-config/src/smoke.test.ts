import assert from 'node:assert/strict';
import { test } from 'node:test';

test('node runs TypeScript directly', () => {
  const n: number = 1;
  assert.equal(n, 1);
});
