import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../test/support/wait-for.ts';
import { FileTracker } from './file.ts';
import { parseTrackFileValue, trackFileEffect } from './file-value.ts';
import { runTrackerSuite } from './tracker.case.ts';

let dir: string;
let n = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ha-track-file-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
const fileName = () => join(dir, `f${n++}`);

// Healthy: the file holds 0 (with keepalived's weight 0 a non-zero value is a failure).
runTrackerSuite({
  kind: 'file',
  rise: false,
  fall: false,
  upDownWeights: false,
  async make(o) {
    const path = fileName();
    writeFileSync(path, o.healthy ? '0\n' : '1\n');
    const tracker = new FileTracker({
      name: o.name,
      path,
      weight: o.weight,
      reverse: o.reverse,
      pollMs: 5000,
    });
    return {
      tracker,
      async setHealthy(ok) {
        writeFileSync(path, ok ? '0\n' : '1\n');
      },
      async cleanup() {},
    };
  },
});

describe('track_file values and weights (keepalived 2.2.7 rules)', () => {
  it('reads the number as strtol(…, 0) does: hex, octal, leading blanks, trailing text; nothing is 0', () => {
    const cases: [string, number][] = [
      ['7\n', 7],
      ['  -3 apples', -3],
      ['0x10', 16],
      ['010', 8],
      ['08', 0],
      ['', 0],
      ['junk', 0],
      ['999', 254],
      ['-999', -254],
    ];
    for (const [text, v] of cases) assert.equal(parseTrackFileValue(text), v, JSON.stringify(text));
  });

  it('weighs the value as keepalived does', () => {
    // Recorded from keepalived 2.2.7 (priority 100): value 7, default weight 1 → effective 107 (with a
    // +5 process weight: 112); value 9 under "tf3 weight 2" inheriting "weight 4 reverse" → 82.
    assert.deepEqual(trackFileEffect(7, 1, false), { fault: false, delta: 7 });
    assert.deepEqual(trackFileEffect(9, 2, true), { fault: false, delta: -18 });
    // weight 0: non-zero is FAULT; with reverse, zero is
    assert.deepEqual(trackFileEffect(3, 0, false), { fault: true, delta: 0 });
    assert.deepEqual(trackFileEffect(0, 0, false), { fault: false, delta: 0 });
    assert.deepEqual(trackFileEffect(0, 0, true), { fault: true, delta: 0 });
    // clamped to [-254, 253]; -254 is FAULT
    assert.deepEqual(trackFileEffect(200, 2, false), { fault: false, delta: 253 });
    assert.deepEqual(trackFileEffect(-127, 2, false), { fault: true, delta: 0 });
    assert.deepEqual(trackFileEffect(-126, 2, false), { fault: false, delta: -252 });
  });
});

describe('FileTracker on real files', () => {
  const trackers: FileTracker[] = [];
  after(async () => {
    for (const t of trackers) await t.stop();
  });
  const track = (path: string, extra: Partial<ConstructorParameters<typeof FileTracker>[0]> = {}) => {
    const t = new FileTracker({ name: 'tf', path, pollMs: 5000, ...extra });
    trackers.push(t);
    return t;
  };

  it('follows writes (a truncate-then-write is read once, as the new number), moves and deletion', async () => {
    const path = fileName();
    writeFileSync(path, '3\n');
    const t = track(path, { weight: 2 });
    const values: (number | undefined)[] = [];
    t.on('change', (s) => values.push(s.value));
    t.start();
    assert.equal(t.state.value, 3, 'read at start');
    assert.equal(t.effect(2, false).delta, 6);
    writeFileSync(path, '5\n');
    await waitFor(() => t.state.value === 5, 2000, 'the new value');
    const tmp = `${path}.new`;
    writeFileSync(tmp, '-4\n');
    renameSync(tmp, path);
    await waitFor(() => t.state.value === -4, 2000, 'the value moved into place');
    rmSync(path);
    await waitFor(() => t.state.value === 0, 2000, 'a deleted file counts 0');
    assert.match(t.state.reason, /does not exist/);
    assert.deepEqual(values, [3, 5, -4, 0], 'one change per new value, nothing read half-written');
  });

  it('init_file writes the value when the file is missing, and over it with overwrite', async () => {
    const missing = fileName();
    const a = track(missing, { initFile: { value: 4, overwrite: false } });
    a.start();
    assert.equal(readFileSync(missing, 'utf8'), '4\n');
    assert.equal(a.state.value, 4);

    const present = fileName();
    writeFileSync(present, '9\n');
    const b = track(present, { initFile: { value: 0, overwrite: false } });
    b.start();
    assert.equal(b.state.value, 9, 'an existing file is kept without overwrite');

    const c = track(present, { initFile: { value: 0, overwrite: true } });
    c.start();
    assert.equal(readFileSync(present, 'utf8'), '0\n');
    await waitFor(() => b.state.value === 0, 2000, 'the other tracker sees the overwrite');
  });

  it('a file in a directory that appears later is picked up by the safety read', async () => {
    const sub = join(dir, `later${n++}`);
    const path = join(sub, 'value');
    const t = track(path, { weight: 0, pollMs: 50 });
    t.start();
    assert.equal(t.state.up, true, 'missing = 0 = OK under weight 0');
    assert.equal(existsSync(sub), false);
    mkdirSync(sub);
    writeFileSync(path, '1\n');
    await waitFor(() => !t.state.up, 2000, 'FAULT once the file holds 1');
  });
});
