// What each signal means to the agent: keepalived's meanings (keepalived(8) SIGNALS, `keepalived
// --signum=…`) for the ones it gives a meaning to, and "log it, carry on" for every other signal an init
// system, a terminal or an operator may send — none of them may stop the agent and take the VIP with it
// (Node's defaults would: SIGQUIT, SIGALRM, SIGPWR… terminate; SIGTTOU/SIGTTIN/SIGTSTP stop the process;
// SIGUSR1 opens the inspector on 127.0.0.1:9229).
//
// Not handled, on purpose: SIGKILL and SIGSTOP (cannot be), SIGCHLD (libuv reaps our scripts with it),
// SIGABRT (systemd's watchdog sends it to get a core dump), and the synchronous fault signals (SIGSEGV,
// SIGBUS, SIGFPE, SIGILL), after which no JavaScript can safely run.

export type SignalMeaning = 'reload' | 'stop' | 'data' | 'stats' | 'ignore';

export const SIGNAL_MEANINGS: Readonly<Record<string, SignalMeaning>> = Object.freeze({
  SIGHUP: 'reload',
  SIGTERM: 'stop',
  SIGINT: 'stop',
  SIGUSR1: 'data',
  SIGUSR2: 'stats',
  SIGQUIT: 'ignore',
  SIGTTIN: 'ignore',
  SIGTTOU: 'ignore',
  SIGTSTP: 'ignore',
  SIGCONT: 'ignore',
  SIGPIPE: 'ignore',
  SIGWINCH: 'ignore',
  SIGURG: 'ignore',
  SIGALRM: 'ignore',
  SIGVTALRM: 'ignore',
  SIGPROF: 'ignore',
  SIGXCPU: 'ignore',
  SIGXFSZ: 'ignore',
  SIGIO: 'ignore',
  SIGPWR: 'ignore',
  SIGSYS: 'ignore',
  SIGTRAP: 'ignore',
  SIGSTKFLT: 'ignore',
});

/**
 * Other names of a handled signal. Node delivers a signal under every name that has a listener, and
 * execa's exit hook (signal-exit) listens to SIGPOLL too: alone on a name, it takes the signal for a
 * fatal one — kills our child processes (the `ip monitor`s) and raises it again. So the alias gets a
 * listener of its own, silent: the real name logs.
 */
export const SIGNAL_ALIASES: Readonly<Record<string, string>> = Object.freeze({ SIGPOLL: 'SIGIO' });

/**
 * keepalived's JSON dump signal: SIGRTMIN+2, 36 with glibc (keepalived 2.2.7 --signum=JSON). Node has no
 * name for real-time signals; the native addon watches it (net/native.ts watchSignal).
 */
export const JSON_DUMP_SIGNAL = 36;
export const JSON_DUMP_SIGNAL_NAME = 'SIGRTMIN+2';

/** keepalived's `--signum=SIGFUNC` names (keepalived(8)) and the signal each maps to here. */
export const SIGNUM_FUNCTIONS: Readonly<Record<string, string>> = Object.freeze({
  STOP: 'SIGTERM',
  RELOAD: 'SIGHUP',
  DATA: 'SIGUSR1',
  STATS: 'SIGUSR2',
});

/** What the agent will do, for the log line that says a signal was received. */
export function signalMeaningText(meaning: SignalMeaning): string {
  switch (meaning) {
    case 'reload':
      return 'reloading the configuration';
    case 'stop':
      return 'stopping (priority 0 from every MASTER)';
    case 'data':
      return 'writing the data dump';
    case 'stats':
      return 'writing the stats dump';
    case 'ignore':
      return 'ignored';
  }
}

/**
 * The signals that arrived before the command line took over (the bin installs these holders first
 * thing, so no signal finds Node's default while the modules load). Shared through a global symbol
 * because the bin and the CLI are separate module graphs.
 */
export interface EarlySignals {
  readonly received: string[];
  readonly holder: (signal: NodeJS.Signals) => void;
}

export const EARLY_SIGNALS_KEY = Symbol.for('ha-agent.early-signals');

/** Installs holders for every handled signal; the CLI takes over with takeOverEarlySignals(). */
export function holdSignalsEarly(): void {
  const received: string[] = [];
  const holder = (signal: NodeJS.Signals) => {
    received.push(signal);
  };
  for (const s of Object.keys(SIGNAL_MEANINGS)) process.on(s as NodeJS.Signals, holder);
  (globalThis as Record<symbol, EarlySignals>)[EARLY_SIGNALS_KEY] = { received, holder };
}

/** Removes the early holders (after the real handlers are in place) and returns what they caught. */
export function takeOverEarlySignals(): string[] {
  const g = globalThis as Record<symbol, EarlySignals | undefined>;
  const early = g[EARLY_SIGNALS_KEY];
  if (!early) return [];
  for (const s of Object.keys(SIGNAL_MEANINGS)) process.off(s as NodeJS.Signals, early.holder);
  g[EARLY_SIGNALS_KEY] = undefined;
  return early.received.splice(0);
}
