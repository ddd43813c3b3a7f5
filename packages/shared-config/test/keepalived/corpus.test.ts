import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { formatKeepalivedDiagnostic, loadKeepalivedConfig } from '../../src/keepalived/index.ts';

// Every fixtures/keepalived/NAME.conf is checked and its diagnostics compared, byte for byte, with
// NAME.expected.txt. A first line `! config-id: ID` selects `-i ID` (default: corpus). Interfaces are a
// fixed set so the result does not depend on the host. UPDATE_EXPECTED=1 rewrites the expected files
// (review the diff before committing).
const dir = join(import.meta.dirname, '../fixtures/keepalived');
export const CORPUS_INTERFACES = new Set(['lo', 'eth0', 'eth1', 'eth2', 'eth3', 'eth0.1']);

export function checkCorpusFile(name: string): { text: string; valid: boolean } {
  const path = join(dir, name);
  const first = readFileSync(path, 'utf8').split('\n', 1)[0];
  const configId = /^! config-id: (\S+)/.exec(first)?.[1] ?? 'corpus';
  const result = loadKeepalivedConfig(path, { configId, interfaceExists: (n) => CORPUS_INTERFACES.has(n) });
  const lines = result.diagnostics.map((d) =>
    formatKeepalivedDiagnostic({ ...d, file: relative(dir, d.file) }),
  );
  return { text: lines.map((l) => `${l}\n`).join(''), valid: result.config !== null };
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.conf'))
  .sort();

test('the corpus has at least 20 keepalived.conf files', () => {
  assert.ok(files.length >= 20, `only ${files.length} files`);
});

for (const name of files) {
  test(`corpus: ${name}`, () => {
    const expectedPath = join(dir, name.replace(/\.conf$/, '.expected.txt'));
    const { text, valid } = checkCorpusFile(name);
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedPath, text);
    assert.ok(existsSync(expectedPath), `${expectedPath} is missing (run with UPDATE_EXPECTED=1)`);
    assert.equal(text, readFileSync(expectedPath, 'utf8'));
    // the verdict follows from the diagnostics: valid iff no line is an error
    const hasError = text.split('\n').some((l) => l !== '' && !/^\([^)]*\) WARNING - /.test(l));
    assert.equal(valid, !hasError, 'config is null iff some diagnostic is an error');
  });
}
