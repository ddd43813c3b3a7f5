import { parseCommandLine } from '../notify/command-line.ts';
import { runScript, type ScriptResult } from '../notify/run-script.ts';
import { checkScriptSecurity } from '../notify/script-security.ts';
import type { ScriptIdentity } from '../notify/script-user.ts';
import { RiseFall } from './rise-fall.ts';
import { BaseTracker, type BaseTrackerOptions } from './tracker.ts';

/**
 * `vrrp_script NAME { script …; interval S; timeout S; rise N; fall N; weight W [reverse]; user U [G];
 * init_fail }` with keepalived's semantics: the script runs every `interval` seconds (the first run at
 * start), exit status 0 is a success, anything else — a non-zero status, a signal, a timeout, a spawn
 * error — a failure. Only one run at a time: a tick that finds the previous run still going is skipped
 * (keepalived logs "already running" and does the same). A run that exceeds `timeout` (default: the
 * interval) has its whole process group killed. rise/fall follow keepalived's counter (see rise-fall.ts);
 * without `init_fail` a single first success is enough, with it `rise` successes are needed.
 */
export interface ScriptTrackerOptions extends BaseTrackerOptions {
  /** the command as written in keepalived.conf (parsed like keepalived), or an argv */
  script: string | readonly string[];
  /** seconds between runs (default 1) */
  interval?: number;
  /** seconds before a run is killed and counted as a failure (default: interval) */
  timeout?: number | null;
  rise?: number;
  fall?: number;
  initFail?: boolean;
  /** uid/gid to run as (resolve `user`/`script_user` names with resolveScriptUser) */
  identity?: ScriptIdentity | null;
  env?: NodeJS.ProcessEnv;
  /**
   * global_defs `enable_script_security`: a script that would run as root from a path others can write
   * is never run and the tracker stays down, with the reason (keepalived disables such a script; here it
   * is visible in /status instead of silently ignored).
   */
  scriptSecurity?: boolean;
}

export class ScriptTracker extends BaseTracker {
  readonly kind = 'script' as const;
  readonly argv: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly #riseFall: RiseFall;
  readonly #opts: ScriptTrackerOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #abort: AbortController | null = null;
  /** runs completed so far, and the last result (for the status API) */
  runs = 0;
  /** ticks skipped because the previous run was still going */
  skipped = 0;
  lastResult: ScriptResult | null = null;

  /** keepalived's rise/fall counter (its dump's `Result`) */
  get counter(): number {
    return this.#riseFall.counter;
  }

  get rise(): number {
    return this.#riseFall.rise;
  }

  get fall(): number {
    return this.#riseFall.fall;
  }

  /** a run is going on now */
  get running(): boolean {
    return this.#running !== null;
  }

  get identity(): ScriptIdentity | null {
    return this.#opts.identity ?? null;
  }

  constructor(opts: ScriptTrackerOptions) {
    super(opts, opts.initFail ? 'init_fail: assumed failed until it succeeds' : 'not run yet');
    this.#opts = opts;
    this.argv = typeof opts.script === 'string' ? parseCommandLine(opts.script) : [...opts.script];
    this.intervalMs = Math.max(1, Math.round((opts.interval ?? 1) * 1000));
    this.timeoutMs = Math.max(1, Math.round((opts.timeout ?? opts.interval ?? 1) * 1000));
    this.#riseFall = new RiseFall(opts.rise ?? 1, opts.fall ?? 1, opts.initFail ? 'failed' : 'init');
  }

  start(): void {
    if (this.stopped || this.#timer) return;
    if (this.#opts.scriptSecurity) {
      const uid = this.#opts.identity?.uid ?? process.getuid?.() ?? 0;
      const insecure = checkScriptSecurity(this.argv[0], uid, this.#opts.env);
      if (insecure) {
        this.log.error({ insecure }, 'track script not run: insecure (enable_script_security)');
        this.setUp(false, `not run: insecure script (${insecure})`);
        return;
      }
    }
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    this.#tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#abort?.abort();
    await this.#running;
  }

  #tick(): void {
    if (this.stopped) return;
    if (this.#running) {
      // keepalived logs each skip; once in a while is enough to be noticed without flooding the log
      if (this.skipped++ % 60 === 0) {
        this.log.warn({ skipped: this.skipped }, 'track script is still running, skipping this run');
      }
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = runScript(this.argv, {
      timeoutMs: this.timeoutMs,
      identity: this.#opts.identity ?? null,
      env: this.#opts.env,
      signal: abort.signal,
    })
      .then((r) => this.#onResult(r))
      .finally(() => {
        this.#running = null;
        this.#abort = null;
      });
  }

  #onResult(r: ScriptResult): void {
    if (this.stopped) return;
    this.runs++;
    this.lastResult = r;
    if (r.ok) {
      this.#riseFall.success();
    } else {
      this.#riseFall.failure();
      const what =
        r.error ?? (r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`);
      this.log.debug({ result: what, stderr: r.stderr || undefined }, 'track script failed');
    }
    const ok = this.#riseFall.ok;
    const last = r.ok
      ? 'exit 0'
      : (r.error ??
        (r.timedOut ? `timed out after ${this.timeoutMs} ms` : r.signal ? r.signal : `exit ${r.exitCode}`));
    this.setUp(
      ok,
      `${ok ? 'ok' : 'failed'}: last run ${last} (${this.#riseFall.counter} in rise/fall counter)`,
    );
  }
}
