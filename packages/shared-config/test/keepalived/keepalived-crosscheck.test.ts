import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CORPUS_DIR, checkCorpusFile, corpusConfigId } from './corpus-check.ts';

// Cross-checks the corpus verdicts against the real keepalived 2.2.7 (`keepalived -t`), run in a
// throw-away network namespace that has the corpus interfaces. keepalived also exits non-zero for
// warnings (a deliberate difference, see README), so the comparison is one-sided: whenever we report an
// error, keepalived must exit non-zero too (equivalently: a file keepalived accepts, we accept).
const KEEPALIVED = '/usr/sbin/keepalived';
const canRun = process.getuid?.() === 0 && existsSync(KEEPALIVED);
const ns = `ka-xcheck-${process.pid}`;

before(() => {
  if (!canRun) return;
  execFileSync('ip', ['netns', 'add', ns]);
  // veth pairs (no dummy/vlan modules needed); 'eth0.1' stands in for the sample's VLAN interface
  ['eth0', 'eth1', 'eth2', 'eth3', 'eth0.1'].forEach((name, i) => {
    execFileSync('ip', ['-n', ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', `peer${i}`]);
    execFileSync('ip', ['-n', ns, 'link', 'set', name, 'up']);
  });
});

after(() => {
  if (canRun) spawnSync('ip', ['netns', 'del', ns]);
});

test('corpus verdicts agree with keepalived -t', {
  skip: canRun ? false : 'needs root and keepalived',
}, () => {
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.conf'));
  const disagreements: string[] = [];
  let keepalivedAccepted = 0;
  for (const name of files) {
    const ours = checkCorpusFile(name);
    const args = ['netns', 'exec', ns, KEEPALIVED, '-t', '-l', '-n', '-f', join(CORPUS_DIR, name)];
    const id = corpusConfigId(name);
    if (id !== null) args.push('-i', id);
    const r = spawnSync('ip', args, { timeout: 10_000, encoding: 'utf8' });
    assert.notEqual(r.status, null, `keepalived -t on ${name} did not finish`);
    if (r.status === 0) keepalivedAccepted++;
    if (!ours.valid && r.status === 0) disagreements.push(`${name}: we report errors, keepalived accepts it`);
  }
  assert.deepEqual(disagreements, []);
  assert.ok(
    keepalivedAccepted >= 8,
    `keepalived accepted only ${keepalivedAccepted} files: is the namespace set up?`,
  );
});
