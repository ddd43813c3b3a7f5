import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LB_ERR, UsageError } from '../errors.ts';
import { parseArgs } from './args.ts';

test('parses HAProxy flags', () => {
  const a = parseArgs([
    '-f',
    'a.cfg',
    '-f',
    'conf.d',
    '-c',
    '-p',
    '/run/x.pid',
    '-D',
    '-q',
    '-sf',
    '12',
    '13',
  ]);
  assert.deepEqual(a.files, ['a.cfg', 'conf.d']);
  assert.equal(a.check, true);
  assert.equal(a.pidfile, '/run/x.pid');
  assert.equal(a.daemon, true);
  assert.equal(a.quiet, true);
  assert.deepEqual(a.finishPids, [12, 13]);
});

test('version flags and errors', () => {
  assert.equal(parseArgs(['-v']).version, 1);
  assert.equal(parseArgs(['-vv']).version, 2);
  assert.throws(() => parseArgs(['-f']), UsageError);
  assert.throws(() => parseArgs(['--nope']), UsageError);
  assert.throws(() => parseArgs(['-n', 'x']), { code: LB_ERR.USAGE });
});

test('start-mode flags: -db, -d, -W, -Ws and repeatable -S', () => {
  const a = parseArgs(['-D', '-db', '-W', '-S', '/run/m.sock', '-S', '127.0.0.1:9999,level,user']);
  assert.equal(a.daemon, true);
  assert.equal(a.foreground, true);
  assert.equal(a.masterWorker, true);
  assert.deepEqual(a.masterCli, ['/run/m.sock', '127.0.0.1:9999,level,user']);
  assert.equal(parseArgs(['-Ws']).systemdMode, true);
  // -d no longer clears -D: process-mode.ts keeps the foreground for either
  assert.equal(parseArgs(['-D', '-d']).daemon, true);
});
