import type { TrackLogger } from '../track/tracker.ts';
import { silentLogger } from '../track/tracker.ts';
import { parseCommandLine } from './command-line.ts';
import { runScript, type ScriptResult } from './run-script.ts';
import { checkScriptSecurity } from './script-security.ts';
import { resolveScriptUser, type ScriptIdentity } from './script-user.ts';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
export type NotifyKind = 'INSTANCE' | 'GROUP';

export interface ScriptUserRef {
  user: string;
  group: string | null;
}

/**
 * The notify settings of a vrrp_instance or vrrp_sync_group; the keepalived model's VrrpInstance and
 * SyncGroup satisfy it as they are. Commands are as written (the quoted form already unquoted).
 */
export interface NotifyTarget {
  name: string;
  notifyMaster: string | null;
  notifyBackup: string | null;
  notifyFault: string | null;
  notifyStop: string | null;
  notify: string | null;
  notifyUsers?: Partial<Record<'master' | 'backup' | 'fault' | 'stop' | 'notify', ScriptUserRef>>;
}

export interface NotifierOptions {
  logger?: TrackLogger;
  /** kill a notify script (its process group) after this long; default 30 s */
  timeoutMs?: number;
  /** global_defs `script_user USER [GROUP]`; null = run as the agent's own user */
  scriptUser?: ScriptUserRef | null;
  env?: NodeJS.ProcessEnv;
  /** global_defs `enable_script_security`: refuse scripts that would run as root from writable paths */
  scriptSecurity?: boolean;
  /** called when a script finished (tests, metrics) */
  onResult?: (r: NotifyRun) => void;
}

export interface NotifyRun {
  argv: readonly string[];
  kind: NotifyKind;
  name: string;
  state: NotifyState;
  result: ScriptResult;
}

const SPECIFIC: Partial<Record<NotifyState, 'master' | 'backup' | 'fault' | 'stop'>> = {
  MASTER: 'master',
  BACKUP: 'backup',
  FAULT: 'fault',
  STOP: 'stop',
};

/**
 * Runs keepalived's notify scripts on a state transition. `notify()` returns at once — the VRRP state
 * machine never waits for a script. As keepalived does, the state's own script (`notify_master`, …) is
 * started first with its configured arguments only, then the generic `notify` script with four more:
 * `INSTANCE|GROUP name STATE priority`. Scripts of successive transitions are not serialised (keepalived
 * forks each one too); each is killed with its process group after `timeoutMs`. Failures — non-zero
 * exit, timeout, spawn error — are logged, never thrown.
 */
/** How a notify log line names its target: `instance` or `group`, each once (pino's own `name` is the program). */
function who(kind: NotifyKind, name: string): { instance: string } | { group: string } {
  return kind === 'INSTANCE' ? { instance: name } : { group: name };
}

export class Notifier {
  readonly #opts: NotifierOptions;
  readonly #log: TrackLogger;
  readonly #inflight = new Set<Promise<void>>();
  readonly #identities = new Map<string, ScriptIdentity | null>();

  constructor(opts: NotifierOptions = {}) {
    this.#opts = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  notify(kind: NotifyKind, target: NotifyTarget, state: NotifyState, priority: number): void {
    const specific = SPECIFIC[state];
    if (specific) {
      const cmd = target[`notify${specific[0].toUpperCase()}${specific.slice(1)}` as 'notifyMaster'];
      if (cmd) this.#launch(cmd, [], target.notifyUsers?.[specific], kind, target.name, state);
    }
    if (target.notify && !(kind === 'GROUP' && (state === 'STOP' || state === 'DELETED'))) {
      this.#launch(
        target.notify,
        [kind, target.name, state, String(priority)],
        target.notifyUsers?.notify,
        kind,
        target.name,
        state,
      );
    }
  }

  /** Resolves when every script started so far has finished (or been killed). For shutdown. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  get running(): number {
    return this.#inflight.size;
  }

  #identity(user: ScriptUserRef | undefined): ScriptIdentity | null {
    const ref = user ?? this.#opts.scriptUser ?? null;
    if (!ref) return null;
    const key = `${ref.user}:${ref.group ?? ''}`;
    if (!this.#identities.has(key)) this.#identities.set(key, resolveScriptUser(ref.user, ref.group));
    return this.#identities.get(key)!;
  }

  #launch(
    command: string,
    extra: string[],
    user: ScriptUserRef | undefined,
    kind: NotifyKind,
    name: string,
    state: NotifyState,
  ): void {
    let argv: string[];
    let identity: ScriptIdentity | null;
    try {
      argv = [...parseCommandLine(command), ...extra];
      identity = this.#identity(user);
    } catch (err) {
      this.#log.error(
        { ...who(kind, name), state, command, err: (err as Error).message },
        'notify script not run',
      );
      return;
    }
    // spawn() itself is synchronous (fork/exec: milliseconds on a loaded machine), and so are the
    // security stat()s: do both on the next turn of the event loop, so the transition that asked for the
    // script sends its advert first.
    const options = { timeoutMs: this.#opts.timeoutMs ?? 30_000, identity, env: this.#opts.env };
    const p = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        if (this.#opts.scriptSecurity) {
          const insecure = checkScriptSecurity(
            argv[0],
            identity?.uid ?? process.getuid?.() ?? 0,
            this.#opts.env,
          );
          if (insecure) {
            this.#log.error(
              { ...who(kind, name), state, argv, insecure },
              'notify script not run: insecure (enable_script_security)',
            );
            return;
          }
        }
        this.#log.debug({ ...who(kind, name), state, argv }, 'running notify script');
        const result = await runScript(argv, options);
        if (!result.ok) {
          const why =
            result.error ??
            (result.timedOut
              ? 'timed out'
              : result.signal
                ? `killed by ${result.signal}`
                : `exit ${result.exitCode}`);
          this.#log.warn(
            { ...who(kind, name), state, argv, result: why, stderr: result.stderr || undefined },
            'notify script failed',
          );
        }
        this.#opts.onResult?.({ argv, kind, name, state, result });
      })
      .catch((err: Error) =>
        this.#log.error({ ...who(kind, name), state, argv, err: err.message }, 'notify script error'),
      );
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }
}
