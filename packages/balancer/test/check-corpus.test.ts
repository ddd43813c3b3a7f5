import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../src/cli/check.ts';

/**
 * Every `<name>.cfg` of shared-config's haproxy.cfg fixtures is checked like `balancer -c -f <name>.cfg`
 * would, with an empty environment; the output (stderr lines, then stdout) must equal
 * `check-corpus/<name>.expected.txt`, with the PID shown as `PID`, the executable as `BALANCER` and
 * the fixture directory removed from paths. These files are our own output (a regression guard, not a
 * specification): which keywords are in effect is shown by in-effect.test.ts against a running engine,
 * and the valid/invalid verdicts by shared-config's corpus-vs-haproxy test against the real HAProxy.
 * `UPDATE_EXPECTED=1` rewrites the expected files (review the diff before committing).
 */
const DIR = fileURLToPath(new URL('../../shared-config/test/fixtures/haproxy/', import.meta.url));
const EXPECTED = fileURLToPath(new URL('./check-corpus/', import.meta.url));
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.cfg'))
  .sort();

async function check(file: string): Promise<{ code: number; text: string }> {
  let out = '';
  let err = '';
  const code = await runCheck([join(DIR, file)], {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    pid: 'PID',
    executable: 'BALANCER',
  });
  return { code, text: `${err}${out}`.replaceAll(DIR, '') };
}

describe('haproxy.cfg corpus', () => {
  test('has at least 20 configurations', () => assert.ok(files.length >= 20, `${files.length} files`));
  for (const file of files) {
    test(file, async () => {
      const { code, text } = await check(file);
      const expectedPath = join(EXPECTED, file.replace(/\.cfg$/, '.expected.txt'));
      if (process.env.UPDATE_EXPECTED) writeFileSync(expectedPath, text);
      const expected = readFileSync(expectedPath, 'utf8');
      assert.equal(text, expected);
      // The verdict agrees with the expected output's last line.
      assert.equal(
        code,
        expected.endsWith('Configuration file is valid\n') ? 0 : expected.endsWith('=> exit(2).\n') ? 2 : 1,
      );
    });
  }
});
