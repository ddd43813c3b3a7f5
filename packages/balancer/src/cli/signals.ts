/**
 * The signals an init system or an operator sends, with HAProxy's meanings (management.txt §4):
 *   SIGTERM, SIGINT   hard stop: listeners and connections closed at once (watchers told first)
 *   SIGUSR1           soft stop: stop accepting, finish in-flight work for up to hard-stop-after
 *   SIGUSR2, SIGHUP   reload (master-worker's USR2; systemd's HUP convention)
 *   SIGTTOU / SIGTTIN pause / resume listening (HAProxy's -sf hand-over uses them)
 *   SIGQUIT           state dump to the log, then continue (HAProxy dumps its pools)
 *   SIGPIPE, SIGWINCH, SIGALRM, SIGCONT…  logged, ignored
 * Each received signal is logged once per delivery. Nothing here ever lets a signal's default action
 * (terminate, stop the process) happen — except SIGPROF under a V8 profiler (`node --cpu-prof`,
 * `--prof`): V8's sampler is driven by SIGPROF, and a handler of ours would replace its own, so the
 * profile would stop at start-up.
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

/** Whether Node's flags (`process.execArgv`, `NODE_OPTIONS`) start a V8 sampling profiler. */
export function underV8Profiler(execArgv: readonly string[], nodeOptions = ''): boolean {
  const flags = [...execArgv, ...nodeOptions.split(/\s+/)];
  return flags.some((f) => f === '--prof' || f === '--cpu-prof' || f.startsWith('--cpu-prof='));
}

/** Installs one handler per signal of the table; returns a function that removes them. */
export function onSignals(
  handle: (signal: NodeJS.Signals, action: SignalAction) => void,
  profiling = underV8Profiler(process.execArgv, process.env.NODE_OPTIONS),
): () => void {
  const installed: [NodeJS.Signals, () => void][] = [];
  for (const [name, action] of Object.entries(SIGNAL_ACTIONS)) {
    const signal = name as NodeJS.Signals;
    if (signal === 'SIGPROF' && profiling) continue; // V8's sampler owns it
    const fn = () => handle(signal, action);
    process.on(signal, fn);
    installed.push([signal, fn]);
  }
  return () => {
    for (const [signal, fn] of installed) process.off(signal, fn);
  };
}
