import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as api from './index.ts';

// The README's "Public API" section is a promise: every function it writes as `name(…)` and the classes
// and constants below are exported by the package entry point.
const VALUES = [
  'Dispatch',
  'CookiePersistence',
  'BodyFraming',
  'LbError',
  'UsageError',
  'LB_ERR',
  'LogRecord',
  'LogTargets',
  'ProxyLogger',
];

test('src/index.ts exports what the README promises', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const from = readme.indexOf('## Public API');
  const section = readme.slice(from, readme.indexOf('\n## ', from + 1));
  const functions = [...new Set([...section.matchAll(/`([a-z]\w*)\(/g)].map((m) => m[1]))];
  assert.ok(functions.length >= 12, `found ${functions.join(', ')}`);
  const exported = api as Record<string, unknown>;
  for (const name of functions) assert.equal(typeof exported[name], 'function', `${name} is exported`);
  for (const name of VALUES) {
    assert.ok(section.includes(`\`${name}`), `the README names ${name}`);
    assert.ok(exported[name] !== undefined, `${name} is exported`);
  }
});
