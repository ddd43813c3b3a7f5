import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, suggest } from './did-you-mean.ts';

test('editDistance counts an adjacent transposition as one edit', () => {
  assert.equal(editDistance('timeout', 'tiemout'), 1);
  assert.equal(editDistance('timeout', 'timout'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggest returns the closest plausible candidate or null', () => {
  assert.equal(suggest('timout', ['mode', 'timeout', 'maxconn']), 'timeout');
  assert.equal(suggest('maxcon', ['mode', 'timeout', 'maxconn']), 'maxconn');
  assert.equal(suggest('frobnicate', ['mode', 'timeout', 'maxconn']), null);
  assert.equal(suggest('mdoe', ['mode', 'maxconn']), 'mode');
  assert.equal(suggest('xy', ['mode']), null);
});
