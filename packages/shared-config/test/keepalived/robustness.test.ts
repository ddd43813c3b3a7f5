import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CORPUS_DIR } from './corpus-check.ts';
import { parse } from './helpers.ts';

// The reader must turn ANY text into diagnostics, never throw: mutate the corpus deterministically
// (delete/duplicate/swap lines, drop or add braces, quotes, `$`, `@`, `~SEQ(`) and parse each result.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = [
  '{',
  '}',
  '"',
  "'",
  '$X=',
  '$X',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: keepalived.conf parameter syntax
  '${X}',
  '@a ',
  '@^a ',
  '~SEQ(N, 1, 3) ',
  '~LST({A,B},{1,2}) ',
  '\\',
  '#',
  '!',
  'include *.conf',
];

test('mutated corpus files never make the reader throw', () => {
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const texts = readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => readFileSync(join(CORPUS_DIR, f), 'utf8'));
  let withErrors = 0;
  for (let round = 0; round < 400; round++) {
    const lines = pick(texts).split('\n');
    for (let k = 0; k < 3; k++) {
      const i = Math.floor(random() * lines.length);
      const op = Math.floor(random() * 4);
      if (op === 0) lines.splice(i, 1);
      else if (op === 1) lines.splice(i, 0, lines[Math.floor(random() * lines.length)] ?? '');
      else if (op === 2) {
        const at = Math.floor(random() * ((lines[i] ?? '').length + 1));
        lines[i] = `${(lines[i] ?? '').slice(0, at)}${pick(PIECES)}${(lines[i] ?? '').slice(at)}`;
      } else lines[i] = (lines[i] ?? '').split('').reverse().join('');
    }
    const text = lines.join('\n');
    const result = parse(text, { configId: 'a' });
    assert.ok(Array.isArray(result.diagnostics));
    if (result.config === null) withErrors++;
  }
  assert.ok(withErrors > 50, 'mutations do produce errors');
});
