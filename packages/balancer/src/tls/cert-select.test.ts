import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CertIndex } from './cert-select.ts';

const e = (id: string, names: string[], negative: string[] = []) => ({ id, names, negative });

test('exact names before wildcards, one label per wildcard, the first certificate as default', () => {
  const idx = new CertIndex(
    [e('a', ['a.test']), e('wild', ['*.b.test', 'x.c.test']), e('exact', ['y.b.test', 'A.test'])],
    false,
  );
  assert.equal(idx.select('a.test')?.id, 'a'); // the first loaded wins a shared name
  assert.equal(idx.select('Y.B.test')?.id, 'exact');
  assert.equal(idx.select('z.b.test')?.id, 'wild');
  assert.equal(idx.select('x.c.test')?.id, 'wild');
  assert.equal(idx.select('z.y.b.test')?.id, 'a');
  assert.equal(idx.select('b.test')?.id, 'a');
  assert.equal(idx.select(null)?.id, 'a');
  assert.equal(idx.select('')?.id, 'a');
});

test('strict-sni refuses what no certificate names', () => {
  const idx = new CertIndex([e('a', ['a.test']), e('w', ['*.b.test'], ['no.b.test'])], true);
  assert.equal(idx.select('a.test')?.id, 'a');
  assert.equal(idx.select('q.b.test')?.id, 'w');
  assert.equal(idx.select('no.b.test'), null);
  assert.equal(idx.select('other.test'), null);
  assert.equal(idx.select(undefined), null);
});
