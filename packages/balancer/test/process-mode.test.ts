/**
 * The balancer's start modes and its master's answer to a dead worker equal HAProxy 2.6's, as
 * recorded in process-mode-expected.json (process-mode-record.ts): background with -D/`daemon` unless
 * -db/-d/-Ws, a master with one worker for -W/-Ws/`master-worker`, the pid file holding the daemon's
 * or the master's pid (none in the foreground), and exit-on-failure with the worker's status.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ProcessModeExpected } from './process-mode-record.ts';
import {
  MODE_CASES,
  runDaemonCannotBind,
  runMasterSignal,
  runModeCase,
  runWorkerDeath,
} from './process-mode-run.ts';

const expected = JSON.parse(
  readFileSync(new URL('./process-mode-expected.json', import.meta.url), 'utf8'),
) as ProcessModeExpected;

describe(`start modes as ${expected.recordedWith}`, () => {
  for (const [name, c] of Object.entries(MODE_CASES))
    test(`${name}: ${c.flags.join(' ') || '(no flag)'}`, async () => {
      assert.deepEqual(await runModeCase('balancer', c), expected.modes[name]);
    });
  test('daemon that cannot bind: the command fails with the alert on the terminal', async () => {
    assert.deepEqual(await runDaemonCannotBind('balancer'), expected.cannotBind);
  });
});

/** The master's own lines about its workers (HAProxy also prints its version there; we do not). */
const aboutWorkers = (lines: string[]) => lines.filter((l) => /worker|Exiting/.test(l));

describe('a dead worker: the master does what HAProxy 2.6 does (no respawn)', () => {
  for (const sig of ['SIGKILL', 'SIGTERM'] as const)
    test(`${sig} to the worker of -W`, async () => {
      const ours = await runWorkerDeath('balancer', sig);
      const theirs = expected.workerDeath[sig];
      assert.equal(ours.status, theirs.status);
      assert.equal(ours.masterStayed, theirs.masterStayed);
      assert.deepEqual(aboutWorkers(ours.lines), aboutWorkers(theirs.lines));
    });
});

describe('signals to the master: SIGTERM stops hard, SIGUSR1 soft, in HAProxy 2.6 words', () => {
  for (const sig of ['SIGTERM', 'SIGUSR1'] as const)
    test(`${sig} to the master of -W`, async () => {
      assert.deepEqual(await runMasterSignal('balancer', sig), expected.masterSignal[sig]);
    });
});
