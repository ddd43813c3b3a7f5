import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../test/support/wait-for.ts';
import { ScriptTracker } from './script.ts';
import { runTrackerSuite } from './tracker.case.ts';

let dir: string;
let check: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-track-script-'));
  check = join(dir, 'check.sh');
  // exit 0 iff $1 exists; log every run's outcome to $2
  writeFileSync(
    check,
    '#!/bin/sh\nif [ -e "$1" ]; then echo ok >> "$2"; exit 0; fi\necho ko >> "$2"\nexit 1\n',
  );
  chmodSync(check, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const count = (log: string, what: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l === what).length
    : 0;

runTrackerSuite({
  kind: 'script',
  rise: true,
  fall: true,
  async make(o) {
    const flag = join(dir, `flag${n}`);
    const log = join(dir, `log${n++}`);
    if (o.healthy) writeFileSync(flag, '');
    const tracker = new ScriptTracker({
      name: o.name,
      script: `${check} ${flag} "${log}"`,
      interval: 0.03,
      timeout: 2,
      weight: o.weight,
      reverse: o.reverse,
      rise: o.rise,
      fall: o.fall,
    });
    return {
      tracker,
      async setHealthy(ok) {
        if (ok) writeFileSync(flag, '');
        else rmSync(flag, { force: true });
      },
      successes: () => count(log, 'ok'),
      failures: () => count(log, 'ko'),
      async cleanup() {},
    };
  },
});

describe('ScriptTracker specifics', () => {
  const trackers: ScriptTracker[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
  });
  const make = (o: ConstructorParameters<typeof ScriptTracker>[0]) => {
    const t = new ScriptTracker(o);
    trackers.push(t);
    return t;
  };

  it('parses the command like keepalived (quotes, escapes), no shell', async () => {
    const out = join(dir, 'args');
    const dump = join(dir, 'dump.sh');
    writeFileSync(dump, `#!/bin/sh\nfor a in "$@"; do printf '[%s]' "$a"; done > ${out}\n`);
    chmodSync(dump, 0o755);
    const t = make({ name: 'q', script: `${dump} 'a b' "c\\"d" e\\ f $HOME`, interval: 10 });
    assert.deepEqual(t.argv.slice(1), ['a b', 'c"d', 'e f', '$HOME']);
    t.start();
    await waitFor(() => t.runs >= 1, 3000, 'one run');
    assert.equal(readFileSync(out, 'utf8'), '[a b][c"d][e f][$HOME]');
  });

  it('a run over `timeout` is a failure and its whole process group is killed', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const t = make({
      name: 'slow',
      script: ['/bin/sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`],
      interval: 5,
      timeout: 0.2,
    });
    t.start();
    await waitFor(() => t.runs >= 1, 3000, 'the run to end');
    assert.equal(t.lastResult?.timedOut, true);
    assert.equal(t.state.up, false);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      2000,
      'the background sleep (grandchild) to be killed',
    );
  });

  it('one run at a time: a slow script is not started again while running', async () => {
    const log = join(dir, 'overlap.log');
    const t = make({
      name: 'overlap',
      script: ['/bin/sh', '-c', `echo start >> ${log}; sleep 0.3; echo end >> ${log}`],
      interval: 0.05,
      timeout: 2,
    });
    t.start();
    await waitFor(() => t.runs >= 2, 3000, 'two runs');
    await t.stop();
    assert.ok(t.skipped > 0, 'ticks were skipped while a run was going');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) assert.deepEqual(lines.slice(i, i + 2), ['start', 'end']);
  });

  it('a missing script is a failure, not a crash', async () => {
    const t = make({ name: 'missing', script: join(dir, 'nope.sh'), interval: 10 });
    t.start();
    await waitFor(() => t.runs >= 1, 3000, 'one run');
    assert.equal(t.state.up, false);
    assert.ok(t.lastResult?.error);
  });

  it('init_fail needs `rise` successes; without it one success is enough', async () => {
    const ok = join(dir, 'ok.flag');
    writeFileSync(ok, '');
    const log1 = join(dir, 'init1.log');
    const log2 = join(dir, 'init2.log');
    // (timeout: the default, one interval, could kill a run on a loaded machine and add a failure)
    const plain = make({ name: 'p', script: `${check} ${ok} ${log1}`, interval: 0.05, timeout: 5, rise: 3 });
    const failed = make({
      name: 'f',
      script: `${check} ${ok} ${log2}`,
      interval: 0.05,
      timeout: 5,
      rise: 3,
      initFail: true,
    });
    let plainAt = -1;
    let failedAt = -1;
    plain.on('change', (s) => {
      if (s.up && plainAt < 0) plainAt = count(log1, 'ok');
    });
    failed.on('change', (s) => {
      if (s.up && failedAt < 0) failedAt = count(log2, 'ok');
    });
    plain.start();
    failed.start();
    await waitFor(() => plain.state.up && failed.state.up, 3000, 'both up');
    assert.equal(plainAt, 1);
    assert.equal(failedAt, 3);
  });

  it('runs as `user` (uid/gid) when given', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const out = join(dir, 'id.out');
    writeFileSync(out, '');
    chmodSync(out, 0o666);
    chmodSync(dir, 0o755);
    const t = make({
      name: 'user',
      script: ['/bin/sh', '-c', `id -u > ${out}; id -g >> ${out}`],
      interval: 10,
      identity: { uid: 65534, gid: 65534 },
    });
    t.start();
    await waitFor(() => t.runs >= 1, 3000, 'one run');
    assert.equal(readFileSync(out, 'utf8'), '65534\n65534\n');
  });
});
