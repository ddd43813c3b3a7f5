import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitScriptCommand } from '../../src/keepalived/index.ts';
import { instance, parse } from './helpers.ts';

test('splitScriptCommand: unquoted spaces separate, single quotes group (keepalived.conf(5))', () => {
  assert.deepEqual(splitScriptCommand('/usr/bin/killall -0 haproxy'), ['/usr/bin/killall', '-0', 'haproxy']);
  assert.deepEqual(splitScriptCommand("/bin/n.sh master 'VI 1'  x"), ['/bin/n.sh', 'master', 'VI 1', 'x']);
  assert.deepEqual(splitScriptCommand("a '' b"), ['a', '', 'b']);
  assert.deepEqual(splitScriptCommand('  '), []);
});

test('a notify command read from the file splits into its arguments', () => {
  const { config } = parse(instance(`    notify_master "/etc/ha/notify.sh master 'VI 1'"`));
  assert.ok(config !== null);
  assert.deepEqual(splitScriptCommand(config.instances[0].notifyMaster ?? ''), [
    '/etc/ha/notify.sh',
    'master',
    'VI 1',
  ]);
});
