import assert from 'node:assert/strict';
import { test } from 'node:test';
import { underV8Profiler } from './signals.ts';

test('SIGPROF is left to V8 only when Node runs a sampling profiler (--cpu-prof, --prof, in execArgv or NODE_OPTIONS)', () => {
  assert.equal(underV8Profiler([]), false);
  assert.equal(underV8Profiler(['--enable-source-maps'], '--max-old-space-size=512'), false);
  assert.equal(underV8Profiler(['--cpu-prof', '--cpu-prof-dir=/tmp/p']), true);
  assert.equal(underV8Profiler([], '--cpu-prof-dir=/tmp/p --cpu-prof'), true);
  assert.equal(underV8Profiler(['--prof']), true);
  assert.equal(underV8Profiler(['--cpu-prof-dir=/tmp/p']), false, 'a directory alone starts no profiler');
});
