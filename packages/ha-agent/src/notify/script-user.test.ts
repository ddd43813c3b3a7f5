import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveScriptUser } from './script-user.ts';

describe('resolveScriptUser', () => {
  it('resolves names through passwd/group files; the group defaults to the user’s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-user-'));
    try {
      const files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
      writeFileSync(files.passwd, 'root:x:0:0::/root:/bin/sh\nkeepalived_script:x:998:997::/:/bin/false\n');
      writeFileSync(files.group, 'root:x:0:\nops:x:1234:\n');
      assert.deepEqual(resolveScriptUser('keepalived_script', null, files), { uid: 998, gid: 997 });
      assert.deepEqual(resolveScriptUser('keepalived_script', 'ops', files), { uid: 998, gid: 1234 });
      assert.deepEqual(resolveScriptUser('4242', '7', files), { uid: 4242, gid: 7 });
      assert.throws(() => resolveScriptUser('nobody-here', null, files), /does not exist/);
      assert.throws(() => resolveScriptUser('root', 'nogroup', files), /does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
