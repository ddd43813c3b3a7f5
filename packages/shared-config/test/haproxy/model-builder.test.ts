import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadHaproxyConfig } from '../../src/haproxy/index.ts';

/**
 * The model is built from the parser's drafts without zod validating them (build-model.ts); on every
 * fixture, the schema itself accepts the same input and makes the same model (`checkModel` reports an
 * internal-error alert otherwise), and the model is deep-frozen.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const files = [
  ...readdirSync(join(FIXTURES, 'haproxy'))
    .filter((f) => f.endsWith('.cfg'))
    .map((f) => join(FIXTURES, 'haproxy', f)),
  join(FIXTURES, 'seed/haproxy.cfg'),
];

function unfrozen(v: unknown, path: string): string | null {
  if (typeof v !== 'object' || v === null) return null;
  if (!Object.isFrozen(v)) return path;
  for (const [k, x] of Object.entries(v)) {
    const r = unfrozen(x, `${path}.${k}`);
    if (r !== null) return r;
  }
  return null;
}

test('fixtures: the model equals what the zod schema makes of the same input, deep-frozen', () => {
  let built = 0;
  for (const file of files) {
    const r = loadHaproxyConfig([file], { env: {}, cwd: join(file, '..'), checkModel: true });
    const internal = r.diagnostics.filter((d) => d.message.startsWith('internal error'));
    assert.deepEqual(internal, [], file);
    if (r.config === null) continue;
    built++;
    assert.equal(unfrozen(r.config, 'model'), null, file);
  }
  assert.ok(built >= 15, `${built} fixtures built a model`);
});
