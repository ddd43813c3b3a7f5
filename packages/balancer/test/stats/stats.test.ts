/**
 * The stats page and the runtime API against the real haproxy 2.6: the scenario of scenario.ts run
 * on the balancer, compared with what haproxy answered (stats-expected.json, recorded by
 * test/stats-record.ts). Bytes are compared exactly where they are fixed (401s, headers, the CSV
 * header, command replies); stats rows cell by cell, except the columns that are times (or
 * differ by design, compare.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../support/env.ts';
import { csvDiff } from './compare.ts';
import { runScenario, type Scenario, type StatsRun, startScenario } from './scenario.ts';

const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, 'stats-expected.json'), 'utf8'),
) as StatsRun & {
  recordedWith: string;
};

const headOf = (t: string) => t.slice(0, t.indexOf('\r\n\r\n') + 4);
const bodyOf = (t: string) => t.slice(t.indexOf('\r\n\r\n') + 4);
/** the chunked CSV body's data (one chunk, then the last-chunk) */
const chunkData = (t: string) =>
  bodyOf(t)
    .replace(/^[0-9A-F]+\r\n/, '')
    .replace(/\r\n0\r\n\r\n$/, '');
/** HAProxy's stats proxy counts one client abort per connection on its backend (not mimicked) */
const QUIRK = new Set(['cli_abrt']);
const withoutQuirks = (text: string) =>
  text
    .split('\n')
    .map((l) => (l.startsWith('statistics,BACKEND,') ? l.replace(/^((?:[^,]*,){49})[^,]*/, '$1?') : l))
    .join('\n');

describe('stats page and runtime API, as haproxy 2.6 answers them', () => {
  let s: Scenario;
  let run: StatsRun;
  const tmp = makeTempDir('stats-test');
  before(async () => {
    s = await startScenario('balancer', tmp.dir);
    try {
      run = await runScenario(s);
    } catch (err) {
      // say what the balancer printed, and leave nothing running
      const out = s.proxy.output();
      await s.stop();
      throw new Error(`${(err as Error).message}\n--- balancer output:\n${out}`);
    }
  });
  after(async () => {
    if (run !== undefined) await s?.stop();
    tmp.remove();
  });

  test('a request without credentials, or with wrong ones, gets HAProxy’s 401 byte for byte', () => {
    assert.equal(run.unauth, expected.unauth);
    assert.equal(run.badauth, expected.badauth);
    assert.match(run.unauth, /\r\nwww-authenticate: Basic realm="HAProxy Statistics"\r\n/);
  });

  test(';csv: HAProxy’s headers, its exact column list, and the same values', () => {
    assert.equal(headOf(run.csv), headOf(expected.csv));
    const ours = chunkData(run.csv);
    const theirs = chunkData(expected.csv);
    assert.equal(ours.split('\n')[0], theirs.split('\n')[0], 'the CSV header line');
    assert.ok(/^# pxname,svname,qcur,qmax,scur,smax,slim,stot,/.test(ours));
    assert.deepEqual(csvDiff(withoutQuirks(ours), withoutQuirks(theirs), QUIRK), []);
  });

  test('the admin form (stats admin if TRUE): HAProxy’s 303 to ;st=DONE / ;st=ERRP, byte for byte', () => {
    assert.deepEqual(run.adminPosts, expected.adminPosts);
  });

  test('runtime API replies (show stat, show servers state, weights, states, errors)', () => {
    assert.equal(run.replies.length, expected.replies.length);
    for (let i = 0; i < expected.replies.length; i++) {
      const [cmd, theirs] = expected.replies[i];
      const ours = run.replies[i][1];
      if (cmd.startsWith('show stat') && !/typed|json/.test(cmd)) {
        assert.ok(ours.endsWith(',\n\n'), `${cmd}: ends with the empty line`);
        assert.deepEqual(csvDiff(withoutQuirks(ours), withoutQuirks(theirs), QUIRK), [], cmd);
      } else if (cmd === 'show stat typed') {
        // same lines in the same order, with the same tags and types (values are the CSV's)
        const shape = (t: string) =>
          t.split('\n').map((l) => l.replace(/^(\w\.\d+\.\d+\.\d+\.[^.]+\.1:\w+:\w+):.*$/, '$1'));
        assert.deepEqual(shape(ours), shape(theirs), cmd);
      } else if (cmd === 'show stat json') {
        const shape = (t: string) =>
          (
            JSON.parse(t) as { field: unknown; tags: unknown; objType: string; value: { type: string } }[][]
          ).map((row) => row.map((f) => JSON.stringify([f.objType, f.field, f.tags, f.value.type])));
        assert.deepEqual(shape(ours), shape(theirs), cmd);
      } else if (cmd.startsWith('show servers state')) {
        // ports are the test's; the time since the last change is masked
        const mask = (t: string) =>
          t.replace(/^(\d+ \S+ \d+ \S+ \S+ \d+ \d+ \d+ \d+) \d+ (.*) - \d+ - /gm, '$1 T $2 - P - ');
        assert.equal(mask(ours), mask(theirs), cmd);
      } else if (cmd === 'foo' || cmd === 'show foo') {
        // the suggestions are our own commands; the frame is HAProxy's
        assert.ok(
          ours.startsWith('Unknown command, but maybe one of the following ones is a better match:\n'),
        );
        assert.ok(ours.endsWith(theirs.slice(theirs.indexOf('  help [<command>]'))), cmd);
      } else assert.equal(ours, theirs, cmd);
    }
  });

  test('help lists our commands with HAProxy’s lines, in its order', () => {
    const theirs = expected.help.split('\n');
    const ours = run.help.split('\n');
    assert.equal(ours[0], theirs[0]);
    let j = 0;
    for (const line of ours) {
      while (j < theirs.length && theirs[j] !== line) j++;
      assert.ok(j < theirs.length, `not one of HAProxy's help lines, in order: ${line}`);
    }
  });

  test('show info has HAProxy’s fields in its order', () => {
    const names = (t: string) =>
      t
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.slice(0, l.indexOf(':')));
    assert.deepEqual(names(run.info), names(expected.info));
  });

  test('socat drives the socket (one command per connection, several joined with ;)', () => {
    const out = execFileSync('socat', ['-', `UNIX-CONNECT:${s.sock}`], {
      input: 'get weight dynamic/web1; show backend\n',
      encoding: 'utf8',
    });
    assert.equal(out, '3 (initial 3)\n\n# name\ndynamic\nstatistics\nadminstats\n\n');
  });
});
