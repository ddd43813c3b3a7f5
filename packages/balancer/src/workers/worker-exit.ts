/**
 * What HAProxy 2.6's master says and does when a worker exits (mworker_catch_sigchld, recorded in
 * test/master-worker-expected.json): the status is the shell's (128 + signal for a killed worker),
 * above 128 named by strsignal(status - 128), else "Exit"; a status other than 0, 130 (SIGINT) or 143 (SIGTERM) is a failure:
 * the master terminates the other workers and exits with that status (exit-on-failure — 2.6.12 does
 * so even with `master-worker no-exit-on-failure`). A dead worker is never started again.
 */
import { constants } from 'node:os';

/** strsignal(3)'s wording for the signals a worker dies of. */
const SIGNAL_NAMES: Readonly<Record<string, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
};

export interface WorkerExit {
  /** the status as a shell shows it */
  status: number;
  /** "Killed", "Terminated", … or "Exit" */
  cause: string;
  /** exit-on-failure applies */
  failure: boolean;
}

export function workerExit(code: number | null, signal: NodeJS.Signals | null): WorkerExit {
  const status = signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
  // as HAProxy: a status above 128 is named by its signal, whether the worker died of it or exited so
  const name =
    status > 128 ? Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0] : undefined;
  const cause = name === undefined ? 'Exit' : (SIGNAL_NAMES[name] ?? name);
  return { status, cause, failure: status !== 0 && status !== 130 && status !== 143 };
}
