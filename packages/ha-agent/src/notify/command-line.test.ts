import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from './command-line.ts';

describe('parseCommandLine (keepalived quoting)', () => {
  it('splits on blanks and honours quotes and escapes', () => {
    assert.deepEqual(parseCommandLine('/bin/x.sh  a\tb'), ['/bin/x.sh', 'a', 'b']);
    assert.deepEqual(parseCommandLine(`/x "a b" 'c "d"' e\\ f`), ['/x', 'a b', 'c "d"', 'e f']);
    assert.deepEqual(parseCommandLine('a"b c"d'), ['ab cd']);
    assert.deepEqual(parseCommandLine('x \\t\\x41\\101 "\\n"'), ['x', '\tAA', '\n']);
    assert.deepEqual(parseCommandLine("x ''"), ['x', '']);
  });
  it('rejects an unterminated quote and an empty command', () => {
    assert.throws(() => parseCommandLine('/x "a'), /missing terminating "/);
    assert.throws(() => parseCommandLine('   '), /empty/);
  });
});
