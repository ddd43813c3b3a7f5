import assert from 'node:assert/strict';
import { test } from 'node:test';
import { b64ToS30, decodeDate, encodeDate, s30ToB64 } from './cookie-date.ts';

// HAProxy's base64.c: 30 bits, 6 per character, most significant first, standard alphabet, no padding.
test('s30tob64 / b64tos30 as HAProxy writes them', () => {
  assert.equal(s30ToB64(0), 'AAAAA');
  assert.equal(s30ToB64(1), 'AAAAB');
  assert.equal(s30ToB64(63), 'AAAA/');
  assert.equal(s30ToB64(64), 'AAABA');
  assert.equal(s30ToB64(2 ** 30 - 1), '/////');
  assert.equal(s30ToB64(2 ** 30 + 5), 'AAAAF', 'only the lower 30 bits');
  for (const v of [0, 1, 12345, 437_000_000, 2 ** 30 - 1]) assert.equal(b64ToS30(s30ToB64(v)), v);
});

test('a date field that is short or holds a character outside the alphabet is no date', () => {
  assert.equal(b64ToS30('AAAA'), -1);
  assert.equal(b64ToS30('AAA=A'), -1, 'padding is not allowed');
  assert.equal(b64ToS30('AA-AA'), -1);
  assert.equal(b64ToS30('AAé!A'), -1);
  assert.equal(decodeDate('x|AAAAA', 2), 0, 'zero is no date');
  assert.equal(decodeDate('x|!!!!!', 2), 0);
});

test('dates are UNIX seconds rounded up to 4 s ((now + 3) >> 2)', () => {
  assert.equal(decodeDate(encodeDate(1_700_000_000), 0), 1_700_000_000);
  assert.equal(decodeDate(encodeDate(1_700_000_001), 0), 1_700_000_004);
  assert.equal(decodeDate(encodeDate(1_700_000_003), 0), 1_700_000_004);
});
