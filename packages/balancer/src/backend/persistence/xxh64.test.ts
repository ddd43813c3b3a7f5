import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dynamicCookie } from './cookie-spec.ts';
import { xxh64 } from './xxh64.ts';

const hex = (s: string) => xxh64(Buffer.from(s)).toString(16).padStart(16, '0');

// Reference values of XXH64 with seed 0 (xxHash's own test vectors and python-xxhash's documentation);
// the dynamic cookies themselves are checked against HAProxy in test/cookie/ (cases dynamic*).
test('XXH64 reference vectors (short input, 4/8-byte lanes, 32-byte stripes)', () => {
  assert.equal(hex(''), 'ef46db3751d8e999');
  assert.equal(hex('a'), 'd24ec4f1a98c6e5b');
  assert.equal(hex('abc'), '44bc2cf5ad770999');
  assert.equal(hex('Nobody inspects the spammish repetition'), 'fbcea83c8a378bf1');
});

test('a dynamic cookie needs a literal IPv4 or IPv6 address', () => {
  assert.match(dynamicCookie('k', '10.0.0.1', 80) ?? '', /^[0-9a-f]{16}$/);
  assert.match(dynamicCookie('k', '::ffff:10.0.0.1', 80) ?? '', /^[0-9a-f]{16}$/);
  assert.notEqual(dynamicCookie('k', '10.0.0.1', 80), dynamicCookie('k', '10.0.0.1', 81));
  assert.notEqual(dynamicCookie('k', '10.0.0.1', 80), dynamicCookie('k2', '10.0.0.1', 80));
  assert.equal(dynamicCookie('k', 'web1.example', 80), null);
  assert.equal(dynamicCookie('k', '', 0), null);
});
