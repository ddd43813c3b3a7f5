/**
 * The signals an init system or an operator sends, with HAProxy's meanings (management.txt §4):
 *   SIGTERM, SIGINT   hard stop: listeners and connections closed at once (watchers told first)
 *   SIGUSR1           soft stop: stop accepting, finish in-flight work for up to hard-stop-after
 *   SIGUSR2, SIGHUP   reload (master-worker's USR2; systemd's HUP convention)
 *   SIGTTOU / SIGTTIN pause / resume listening (HAProxy's -sf hand-over uses them)
 *   SIGQUIT           state dump to the log, then continue (HAProxy dumps its pools)
 *   SIGPIPE, SIGWINCH, SIGALRM, SIGCONT…  logged, ignored
 * Each received signal is logged once per delivery. Nothing here ever lets a signal's default action
 * (terminate, stop the process) happen.
 */
export type SignalAction = 'hard-stop' | 'soft-stop' | 'reload' | 'pause' | 'resume' | 'dump' | 'ignore';

export const SIGNAL_ACTIONS: Readonly<Record<string, SignalAction>> = Object.freeze({
  SIGTERM: 'hard-stop',
  SIGINT: 'hard-stop',
  SIGUSR1: 'soft-stop',
  SIGUSR2: 'reload',
  SIGHUP: 'reload',
  SIGTTOU: 'pause',
  SIGTTIN: 'resume',
  SIGQUIT: 'dump',
  SIGPIPE: 'ignore',
  SIGWINCH: 'ignore',
  SIGALRM: 'ignore',
  SIGVTALRM: 'ignore',
  SIGPROF: 'ignore',
  SIGCONT: 'ignore',
  SIGTSTP: 'ignore',
});

/** Installs one handler per signal of the table; returns a function that removes them. */
export function onSignals(handle: (signal: NodeJS.Signals, action: SignalAction) => void): () => void {
  const installed: [NodeJS.Signals, () => void][] = [];
  for (const [name, action] of Object.entries(SIGNAL_ACTIONS)) {
    const signal = name as NodeJS.Signals;
    const fn = () => handle(signal, action);
    process.on(signal, fn);
    installed.push([signal, fn]);
  }
  return () => {
    for (const [signal, fn] of installed) process.off(signal, fn);
  };
}
