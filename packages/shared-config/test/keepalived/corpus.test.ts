import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CORPUS_DIR, checkCorpusFile } from './corpus-check.ts';

// Every fixtures/keepalived/NAME.conf is checked and its diagnostics compared, byte for byte, with
// NAME.expected.txt. UPDATE_EXPECTED=1 rewrites the expected files (review the diff before committing).
const files = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.conf'))
  .sort();

test('the corpus has at least 20 keepalived.conf files', () => {
  assert.ok(files.length >= 20, `only ${files.length} files`);
});

for (const name of files) {
  test(`corpus: ${name}`, () => {
    const expectedPath = join(CORPUS_DIR, name.replace(/\.conf$/, '.expected.txt'));
    const { text, valid } = checkCorpusFile(name);
    if (process.env.UPDATE_EXPECTED === '1') writeFileSync(expectedPath, text);
    assert.ok(existsSync(expectedPath), `${expectedPath} is missing (run with UPDATE_EXPECTED=1)`);
    assert.equal(text, readFileSync(expectedPath, 'utf8'));
    // the verdict follows from the diagnostics: valid iff no line is an error
    const hasError = text.split('\n').some((l) => l !== '' && !/^\([^)]*\) WARNING - /.test(l));
    assert.equal(valid, !hasError, 'config is null iff some diagnostic is an error');
  });
}
