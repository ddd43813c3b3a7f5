import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkScriptSecurity } from './script-security.ts';

describe('checkScriptSecurity (enable_script_security)', {
  skip: process.getuid?.() !== 0 && 'needs root (chown)',
}, () => {
  it('accepts root-owned, non-writable paths; refuses group/world-writable or non-root ones', () => {
    assert.equal(checkScriptSecurity('/bin/true', 0), null);
    assert.equal(checkScriptSecurity('true', 0), null, 'found through PATH');
    assert.match(checkScriptSecurity('no-such-program-here', 0)!, /not found/);
    // /tmp itself is world-writable (sticky): a script under it is refused
    const base = mkdtempSync('/root/ha-sec-');
    try {
      const dir = join(base, 'd');
      mkdirSync(dir, { mode: 0o755 });
      const script = join(dir, 's.sh');
      writeFileSync(script, '#!/bin/sh\n', { mode: 0o755 });
      chmodSync(base, 0o755);
      assert.equal(checkScriptSecurity(script, 0), null);
      chmodSync(script, 0o775);
      assert.match(checkScriptSecurity(script, 0)!, /writable by its group/);
      chmodSync(script, 0o755);
      chmodSync(dir, 0o777);
      assert.match(checkScriptSecurity(script, 0)!, /d is writable by everyone/);
      chmodSync(dir, 0o755);
      chownSync(script, 65534, 65534);
      assert.match(checkScriptSecurity(script, 0)!, /owned by uid 65534/);
      assert.equal(checkScriptSecurity(script, 65534), null, 'not root: not checked');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
