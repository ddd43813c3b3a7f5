// The command line, through the real bin (no root needed: nothing here opens a VRRP socket).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const BIN = new URL('../bin/ha-agent.js', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('ha-agent command line', () => {
  it('--signum=SIGFUNC prints the signal like keepalived 2.2.7 --signum (15, 1, 10, 12, 36)', () => {
    assert.deepEqual(
      ['STOP', 'RELOAD', 'DATA', 'STATS', 'JSON'].map((f) => run(`--signum=${f}`).stdout.trim()),
      ['15', '1', '10', '12', '36'],
    );
    const clear = run('--signum=STATS_CLEAR');
    assert.equal(clear.status, 1, 'keepalived exits 1 for a sigfunc it does not know');
    assert.match(clear.stderr, /^Unknown sigfunc STATS_CLEAR \(not implemented\)/);
  });

  it('--log-format takes text or json; anything else is a usage error saying what to write', () => {
    const r = run('--log-format=xml', '-f', '/nonexistent.conf');
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /--log-format=xml is not a log format - write --log-format=text or --log-format=json/,
    );
  });

  it('a missing configuration file: a sentence, exit 1, in the text format', () => {
    const r = run(
      '-f',
      '/nonexistent/keepalived.conf',
      '-p',
      '/tmp/ha-cli-test.pid',
      '-r',
      '/tmp/ha-cli-test.vpid',
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /: ERROR - \(\/nonexistent\/keepalived\.conf\) configuration file \/nonexistent\/keepalived\.conf does not exist - check the path/,
    );
    assert.doesNotMatch(r.stderr, /ENOENT/);
  });
});
