import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runConfigTest } from './config-test.ts';

const seed = join(import.meta.dirname, '../../../shared-config/test/fixtures/seed/keepalived.conf');
const twoNodes = join(
  import.meta.dirname,
  '../../../shared-config/test/fixtures/keepalived/seed-two-nodes.conf',
);

function sink() {
  const chunks: string[] = [];
  return { write: (s: string) => chunks.push(s) > 0, text: () => chunks.join('') };
}

test('the seed checks clean: exit 0, only the missing-interface warning', async () => {
  const stdout = sink();
  const stderr = sink();
  const rc = await runConfigTest(seed, { stdout, stderr, interfaceExists: () => false });
  assert.equal(rc, 0);
  assert.equal(
    stderr.text(),
    `(${seed}: Line 9) WARNING - interface ens192 for vrrp_instance VI_1 doesn't exist\n`,
  );
  assert.equal(stdout.text(), `Configuration file ${seed} is valid (1 warning(s))\n`);
});

test('with the interface present there is nothing to report', async () => {
  const stdout = sink();
  const stderr = sink();
  const rc = await runConfigTest(seed, { stdout, stderr, interfaceExists: () => true });
  assert.equal(rc, 0);
  assert.equal(stderr.text(), '');
  assert.equal(stdout.text(), `Configuration file ${seed} is valid\n`);
});

test('-i selects the conditional lines of a two-node file', async () => {
  for (const id of ['master', 'backup']) {
    const rc = await runConfigTest(twoNodes, {
      configId: id,
      stdout: sink(),
      stderr: sink(),
      interfaceExists: () => true,
    });
    assert.equal(rc, 0, id);
  }
});

test('errors exit 1 and are printed in keepalived shape', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-agent-t-'));
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(
      file,
      'vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 300\n    priorty 100\n}\n',
    );
    const stdout = sink();
    const stderr = sink();
    const rc = await runConfigTest(file, { stdout, stderr, interfaceExists: () => true });
    assert.equal(rc, 1);
    assert.equal(stdout.text(), '');
    assert.equal(
      stderr.text(),
      [
        `(${file}: Line 3) (VI_1): VRID '300' not valid - must be between 1 & 255`,
        `(${file}: Line 4) Unknown keyword 'priorty' in vrrp_instance VI_1 - did you mean 'priority'?`,
        `Configuration file ${file} is invalid: 2 error(s), 0 warning(s)`,
        '',
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is an error said in a sentence, not as ENOENT', async () => {
  const stderr = sink();
  const rc = await runConfigTest('/nonexistent/keepalived.conf', { stdout: sink(), stderr });
  assert.equal(rc, 1);
  assert.equal(
    stderr.text().split('\n')[0],
    '(/nonexistent/keepalived.conf) configuration file /nonexistent/keepalived.conf does not exist - check the path (keepalived.conf is given with -f)',
  );
  assert.doesNotMatch(stderr.text(), /ENOENT/);
});

test('a directory given as the file, or matched by an include, is said in a sentence too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ha-cfgtest-'));
  try {
    const dirOut = sink();
    assert.equal(await runConfigTest(dir, { stdout: sink(), stderr: dirOut }), 1);
    assert.match(dirOut.text(), / is a directory - name the file itself\n/);
    const file = join(dir, 'keepalived.conf');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(file, 'includea conf.d\n');
    const incOut = sink();
    assert.equal(await runConfigTest(file, { stdout: sink(), stderr: incOut }), 1);
    assert.match(incOut.text(), /: Line 1\) included file .*conf\.d is a directory - name the file itself\n/);
    assert.doesNotMatch(incOut.text(), /EISDIR/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
