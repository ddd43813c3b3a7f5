import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LB_ERR, LbError } from '../errors.ts';
import { writePidfile } from './pidfile.ts';

test('writes the pid and a newline, leaving no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-pid-'));
  try {
    writePidfile(join(dir, 'lb.pid'), 4242);
    assert.equal(readFileSync(join(dir, 'lb.pid'), 'utf8'), '4242\n');
    assert.deepEqual(readdirSync(dir), ['lb.pid']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pidfile that cannot be written fails with LB_ERR_PIDFILE naming the path', () => {
  const path = '/nonexistent-dir-for-lb-test/lb.pid';
  assert.throws(
    () => writePidfile(path, 1),
    (err: unknown) =>
      err instanceof LbError &&
      err.code === LB_ERR.PIDFILE &&
      err.message.startsWith(`Cannot create pidfile ${path}: `) &&
      err.cause instanceof Error,
  );
});
