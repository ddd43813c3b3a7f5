import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandLineError, parseCommandLine } from './command-line.ts';

// How the words split is tested with splitScriptCommand in shared-config; here what the agent adds.
describe('parseCommandLine (argv of a script command)', () => {
  it('splits with keepalived’s rules', () => {
    assert.deepEqual(parseCommandLine(`/x "a b" 'c "d"' e\\ f`), ['/x', 'a b', 'c "d"', 'e f']);
  });
  it('rejects an unterminated quote and an empty command', () => {
    assert.throws(() => parseCommandLine('/x "a'), CommandLineError);
    assert.throws(() => parseCommandLine('/x "a'), /missing terminating "/);
    assert.throws(() => parseCommandLine('   '), /empty/);
  });
});
