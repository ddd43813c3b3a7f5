import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, djb2, fullHash, sdbm, wt6 } from './hash-functions.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

test('crc32 is the Ethernet CRC-32 (check value of "123456789")', () => {
  assert.equal(crc32(b('123456789'), 0, 9), 0xcbf43926);
});

test('djb2 and sdbm: the classic definitions, 32-bit unsigned', () => {
  assert.equal(djb2(b(''), 0, 0), 5381);
  assert.equal(djb2(b('a'), 0, 1), (5381 * 33 + 97) >>> 0);
  assert.equal(sdbm(b('ab'), 0, 2), (98 + 97 * 65599) >>> 0);
});

test('every function reads only buf[start, end) and returns an unsigned 32-bit value', () => {
  const buf = b('xxhelloyy');
  for (const f of [sdbm, djb2, wt6, crc32]) {
    const h = f(buf, 2, 7);
    assert.equal(h, f(b('hello'), 0, 5));
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
  }
  for (const x of [0, 1, 0xffffffff, 123456789]) {
    const h = fullHash(x);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
  }
});
