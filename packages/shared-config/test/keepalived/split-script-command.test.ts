import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEEPALIVED_CODES, ScriptCommandError, splitScriptCommand } from '../../src/keepalived/index.ts';
import { instance, parse } from './helpers.ts';

test('splitScriptCommand: unquoted spaces separate, single quotes group (keepalived.conf(5))', () => {
  assert.deepEqual(splitScriptCommand('/usr/bin/killall -0 haproxy'), ['/usr/bin/killall', '-0', 'haproxy']);
  assert.deepEqual(splitScriptCommand("/bin/n.sh master 'VI 1'  x"), ['/bin/n.sh', 'master', 'VI 1', 'x']);
  assert.deepEqual(splitScriptCommand("a '' b"), ['a', '', 'b']);
  assert.deepEqual(splitScriptCommand('  '), []);
});

test('splitScriptCommand: double quotes, quotes inside a word, escapes (alloc_strvec_quoted_escaped)', () => {
  assert.deepEqual(splitScriptCommand('/bin/x.sh  a\tb'), ['/bin/x.sh', 'a', 'b']);
  assert.deepEqual(splitScriptCommand(`/x "a b" 'c "d"' e\\ f`), ['/x', 'a b', 'c "d"', 'e f']);
  assert.deepEqual(splitScriptCommand('a"b c"d'), ['ab cd']);
  assert.deepEqual(splitScriptCommand('x \\t\\x41\\101 "\\n"'), ['x', '\tAA', '\n']);
  assert.deepEqual(splitScriptCommand("x ''"), ['x', '']);
  // keepalived reads every hex digit and keeps the last byte; \cX is a control character
  assert.deepEqual(splitScriptCommand('\\x141 \\cA \\q'), ['A', '\x01', 'q']);
  // escapes work inside both kinds of quotes, and can escape the quote itself
  assert.deepEqual(splitScriptCommand(`'it\\'s' "say \\"hi\\""`), ["it's", 'say "hi"']);
});

test('splitScriptCommand: what keepalived refuses (it then runs no script)', () => {
  const refused = (cmd: string, code: string, re: RegExp) =>
    assert.throws(
      () => splitScriptCommand(cmd),
      (e: unknown) => e instanceof ScriptCommandError && e.code === code && re.test(e.message),
    );
  refused('/x "a', KEEPALIVED_CODES.unterminatedQuote, /missing terminating "/);
  refused("/x 'a", KEEPALIVED_CODES.unterminatedQuote, /missing terminating '/);
  refused('/x a\\', KEEPALIVED_CODES.badValue, /Missing escape char at end/);
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

test('a command that does not split is an error where it is written, as keepalived -t reports it', () => {
  const notify = parse(instance(`    notify_master "/etc/ha/notify.sh it's"`));
  assert.equal(notify.config, null);
  assert.deepEqual(
    notify.diagnostics.map((d) => [d.severity, d.line, d.code]),
    [['alert', 4, KEEPALIVED_CODES.unterminatedQuote]],
  );
  assert.match(notify.diagnostics[0].message, /missing terminating ' - the script would not run/);
  const script = parse(`vrrp_script chk {\n  script "/bin/check \\\\"\n}\n${instance('')}`);
  assert.deepEqual(
    script.diagnostics.map((d) => [d.severity, d.line, d.code]),
    [
      ['alert', 1, KEEPALIVED_CODES.missingRequired], // so the vrrp_script has no script at all
      ['alert', 2, KEEPALIVED_CODES.badValue],
    ],
  );
});
