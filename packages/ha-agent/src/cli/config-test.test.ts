import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

test('an unreadable file is an error', async () => {
  const stderr = sink();
  const rc = await runConfigTest('/nonexistent/keepalived.conf', { stdout: sink(), stderr });
  assert.equal(rc, 1);
  assert.match(stderr.text(), /^\(\/nonexistent\/keepalived\.conf\) cannot read configuration file: ENOENT/);
});
