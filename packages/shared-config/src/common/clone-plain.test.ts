import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clonePlain } from './clone-plain.ts';

test('clonePlain copies plain data deeply: changing the copy leaves the original alone', () => {
  const original = { a: 1, list: [{ b: 'x' }, 2], nested: { c: null, d: undefined, e: [true] } };
  const copy = clonePlain(original);
  assert.deepEqual(copy, original);
  assert.ok('d' in copy.nested, 'a key holding undefined is kept, as structuredClone keeps it');
  copy.list.push(3);
  (copy.list[0] as { b: string }).b = 'y';
  copy.nested.e[0] = false;
  assert.deepEqual(original, { a: 1, list: [{ b: 'x' }, 2], nested: { c: null, d: undefined, e: [true] } });
});

test('clonePlain hands what is not plain data to structuredClone (a Map stays a Map, copied)', () => {
  const m = new Map([['k', { v: 1 }]]);
  const copy = clonePlain({ m });
  assert.ok(copy.m instanceof Map);
  assert.notEqual(copy.m, m);
  assert.deepEqual(copy.m.get('k'), { v: 1 });
});
