import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../test/support/wait-for.ts';
import { Notifier, type NotifyRun, type NotifyTarget } from './notifier.ts';

let dir: string;
let dump: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-notify-'));
  dump = join(dir, 'dump.sh');
  // appends one line per call: every argument in brackets, so spaces and empties are visible
  writeFileSync(
    dump,
    '#!/bin/sh\nout="$1"; shift\nfor a in "$@"; do printf "[%s]" "$a"; done >> "$out"\necho >> "$out"\n',
  );
  chmodSync(dump, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const target = (o: Partial<NotifyTarget>): NotifyTarget => ({
  name: 'VI_1',
  notifyMaster: null,
  notifyBackup: null,
  notifyFault: null,
  notifyStop: null,
  notify: null,
  ...o,
});

describe('Notifier', () => {
  it('passes keepalived’s arguments: notify_* as configured, then notify + INSTANCE name STATE priority', async () => {
    const out = join(dir, 'args1');
    const runs: NotifyRun[] = [];
    const n = new Notifier({ onResult: (r) => runs.push(r) });
    const t = target({ notifyMaster: `${dump} ${out} master 'two words'`, notify: `${dump} ${out} generic` });
    n.notify('INSTANCE', t, 'MASTER', 150);
    // nothing is spawned inside the call: the scripts start on the next event-loop turn
    assert.ok(!process.getActiveResourcesInfo().includes('ProcessWrap'), 'notify() returns before spawning');
    assert.equal(n.running, 2);
    await n.drain();
    const lines = readFileSync(out, 'utf8').trim().split('\n').sort();
    assert.deepEqual(lines, ['[generic][INSTANCE][VI_1][MASTER][150]', '[master][two words]'].sort());
    assert.ok(runs.every((r) => r.result.ok));
  });

  it('maps every state to its script; GROUP gets the same four arguments; no STOP for groups', async () => {
    const out = join(dir, 'args2');
    const n = new Notifier();
    const t = target({
      name: 'G1',
      notifyBackup: `${dump} ${out} b`,
      notifyFault: `${dump} ${out} f`,
      notifyStop: `${dump} ${out} s`,
      notify: `${dump} ${out} n`,
    });
    n.notify('GROUP', t, 'BACKUP', 100);
    await n.drain();
    n.notify('GROUP', t, 'FAULT', 0);
    await n.drain();
    n.notify('INSTANCE', t, 'STOP', 0);
    await n.drain();
    n.notify('GROUP', t, 'STOP', 0);
    await n.drain();
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.startsWith('[n]')),
      ['[n][GROUP][G1][BACKUP][100]', '[n][GROUP][G1][FAULT][0]', '[n][INSTANCE][G1][STOP][0]'],
    );
    assert.deepEqual(lines.filter((l) => !l.startsWith('[n]')).sort(), ['[b]', '[f]', '[s]', '[s]']);
  });

  it('a hung script is killed after the timeout and logged; a failing one is logged, nothing throws', async () => {
    const warnings: object[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (o: object) => warnings.push(o) };
    const runs: NotifyRun[] = [];
    const n = new Notifier({ logger: log, timeoutMs: 150, onResult: (r) => runs.push(r) });
    n.notify('INSTANCE', target({ notifyFault: '/bin/sleep 30', notify: '/bin/false' }), 'FAULT', 0);
    n.notify('INSTANCE', target({ notifyMaster: join(dir, 'does-not-exist') }), 'MASTER', 0);
    await waitFor(() => runs.length === 3, 3000, 'three results');
    assert.ok(runs.find((r) => r.argv[0] === '/bin/sleep')!.result.timedOut);
    assert.equal(runs.find((r) => r.argv[0] === '/bin/false')!.result.exitCode, 1);
    assert.ok(runs.find((r) => r.argv[0].endsWith('does-not-exist'))!.result.error);
    assert.equal(warnings.length, 3);
  });

  it('an unparsable command is logged and skipped', async () => {
    const errors: object[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (o: object) => errors.push(o) };
    const n = new Notifier({ logger: log });
    n.notify('INSTANCE', target({ notifyMaster: '/x "unterminated' }), 'MASTER', 1);
    await n.drain();
    assert.equal(errors.length, 1);
  });

  it('runs as the script user when configured', {
    skip: process.getuid?.() !== 0 && 'needs root',
  }, async () => {
    const out = join(dir, 'uid');
    chmodSync(dir, 0o777);
    const n = new Notifier({ scriptUser: { user: 'nobody', group: null } });
    n.notify('INSTANCE', target({ notifyMaster: `/bin/sh -c 'id -u > ${out}'` }), 'MASTER', 1);
    await n.drain();
    assert.ok(existsSync(out));
    assert.equal(readFileSync(out, 'utf8').trim(), '65534');
  });
});

describe('Notifier with enable_script_security', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  it('refuses a root script from a world-writable directory and logs it', async () => {
    const errors: object[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (o: object) => errors.push(o) };
    const runs: NotifyRun[] = [];
    const n = new Notifier({ logger: log, scriptSecurity: true, onResult: (r) => runs.push(r) });
    // the temp dir's parent (/tmp) is world-writable
    n.notify('INSTANCE', target({ notifyMaster: `${dump} /dev/null x`, notify: '/bin/true' }), 'MASTER', 1);
    await n.drain();
    assert.equal(errors.length, 1);
    assert.deepEqual(
      runs.map((r) => r.argv[0]),
      ['/bin/true'],
    );
  });
});
