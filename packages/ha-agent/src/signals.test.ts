import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import { waitFor } from '../test/support/wait-for.ts';
import {
  EARLY_SIGNALS_KEY,
  type EarlySignals,
  holdSignalsEarly,
  SIGNAL_ALIASES,
  SIGNAL_MEANINGS,
  SIGNUM_FUNCTIONS,
  takeOverEarlySignals,
} from './signals.ts';

describe('signal table', () => {
  it('gives keepalived’s meanings to keepalived’s signals and ignores every other catchable one', () => {
    assert.deepEqual(
      Object.entries(SIGNAL_MEANINGS).filter(([, m]) => m !== 'ignore'),
      [
        ['SIGHUP', 'reload'],
        ['SIGTERM', 'stop'],
        ['SIGINT', 'stop'],
        ['SIGUSR1', 'data'],
        ['SIGUSR2', 'stats'],
      ],
    );
    // keepalived --signum=STOP/RELOAD/DATA/STATS on keepalived 2.2.7: 15, 1, 10, 12
    assert.deepEqual(
      Object.values(SIGNUM_FUNCTIONS).map((s) => constants.signals[s as keyof typeof constants.signals]),
      [15, 1, 10, 12],
    );
    const handled = new Set([...Object.keys(SIGNAL_MEANINGS), ...Object.keys(SIGNAL_ALIASES)]);
    const deliberatelyDefault = [
      'SIGKILL',
      'SIGSTOP',
      'SIGCHLD',
      'SIGABRT',
      'SIGIOT',
      'SIGSEGV',
      'SIGBUS',
      'SIGFPE',
      'SIGILL',
    ];
    for (const s of Object.keys(constants.signals)) {
      assert.ok(
        handled.has(s) || deliberatelyDefault.includes(s),
        `${s} is neither handled nor left on purpose`,
      );
    }
  });

  it('holds signals that arrive before the command line takes over, in order, then lets go', async () => {
    holdSignalsEarly();
    const early = (globalThis as Record<symbol, EarlySignals>)[EARLY_SIGNALS_KEY];
    process.kill(process.pid, 'SIGWINCH');
    process.kill(process.pid, 'SIGQUIT');
    await waitFor(() => early.received.length === 2, 2000, 'both signals held');
    assert.deepEqual(takeOverEarlySignals(), ['SIGWINCH', 'SIGQUIT']);
    assert.equal(process.listenerCount('SIGQUIT'), 0, 'the holders are gone');
    assert.deepEqual(takeOverEarlySignals(), [], 'taken over once');
  });
});
