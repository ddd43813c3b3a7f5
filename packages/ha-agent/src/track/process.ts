import { describeMatch, type ProcessMatch, processMatches } from './process-match.ts';
import type { ProcessSnapshot, ProcessSubscriber, ProcessTable } from './process-table.ts';
import { BaseTracker, type BaseTrackerOptions } from './tracker.ts';

/**
 * keepalived's `vrrp_track_process NAME { process …; quorum N; quorum_max N; fork_delay S;
 * terminate_delay S; delay S; full_command; param_match …; weight W [reverse] }`: up while the number of
 * matching processes (processMatches) is within [quorum, quorum_max]. As keepalived:
 * - the first reading (start-up) counts at once;
 * - a change of verdict brought by a tracked process forking (a new match whose parent is a match: a
 *   master spawning workers) waits `forkDelay`, one brought by matching processes exiting waits
 *   `terminateDelay` (a restart then never drops the VIP); one brought otherwise (an exec, a renamed
 *   process) counts at once;
 * - if the verdict comes back before its delay ran out, nothing happens.
 * The processes come from a shared ProcessTable (/proc, polled).
 */
export interface ProcessTrackerOptions extends BaseTrackerOptions, ProcessMatch {
  table: ProcessTable;
  quorum?: number;
  /** null: no maximum */
  quorumMax?: number | null;
  /** seconds */
  forkDelay?: number;
  /** seconds */
  terminateDelay?: number;
}

export class ProcessTracker extends BaseTracker implements ProcessSubscriber {
  readonly kind = 'process' as const;
  readonly match: ProcessMatch;
  readonly quorum: number;
  readonly quorumMax: number | null;
  readonly #opts: ProcessTrackerOptions;
  readonly #table: ProcessTable;
  #matched = new Set<number>();
  #pending: NodeJS.Timeout | null = null;
  #pendingKind: 'fork' | 'terminate' | null = null;
  #subscribed = false;

  constructor(opts: ProcessTrackerOptions) {
    super(opts, 'processes not read yet');
    this.#opts = opts;
    this.#table = opts.table;
    this.match = {
      process: opts.process,
      params: opts.params,
      paramMatch: opts.paramMatch,
      fullCommand: opts.fullCommand,
    };
    this.quorum = opts.quorum ?? 1;
    this.quorumMax = opts.quorumMax ?? null;
  }

  get needsCmdline(): boolean {
    return this.match.fullCommand;
  }

  /** a fork_delay or terminate_delay is running */
  get pendingDelay(): 'fork' | 'terminate' | null {
    return this.#pending ? this.#pendingKind : null;
  }

  get forkDelay(): number {
    return this.#opts.forkDelay ?? 0;
  }

  get terminateDelay(): number {
    return this.#opts.terminateDelay ?? 0;
  }

  /** the processes counted in the last scan */
  get pids(): number[] {
    return [...this.#matched].sort((a, b) => a - b);
  }

  start(): void {
    if (this.stopped || this.#subscribed) return;
    this.#subscribed = true;
    this.#table.subscribe(this);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#pending) clearTimeout(this.#pending);
    this.#pending = null;
    if (this.#subscribed) this.#table.unsubscribe(this);
    this.#subscribed = false;
  }

  #quorate(n: number): boolean {
    return n >= this.quorum && (this.quorumMax === null || n <= this.quorumMax);
  }

  #reason(n: number, waiting = ''): string {
    const range = `${this.quorum}..${this.quorumMax ?? '∞'}`;
    return `${n} process${n === 1 ? '' : 'es'} with ${describeMatch(this.match)} (quorum ${range})${waiting}`;
  }

  onScan(snap: ProcessSnapshot): void {
    if (this.stopped) return;
    const before = this.#matched;
    const now = new Set<number>();
    for (const p of snap.values()) if (processMatches(this.match, p)) now.add(p.pid);
    this.#matched = now;
    const ok = this.#quorate(now.size);
    if (!this.observed) {
      this.setUp(ok, this.#reason(now.size));
      return;
    }
    if (ok === this.state.up) {
      // back before the delay ran out: no bounce
      if (this.#pending) clearTimeout(this.#pending);
      this.#pending = null;
      this.setUp(ok, this.#reason(now.size));
      return;
    }
    if (this.#pending) return;
    const grew = now.size > before.size;
    const forked = grew && [...now].some((pid) => !before.has(pid) && before.has(snap.get(pid)!.ppid));
    const exited = !grew && [...before].some((pid) => !now.has(pid) && !snap.has(pid));
    const delay = forked ? (this.#opts.forkDelay ?? 0) : exited ? (this.#opts.terminateDelay ?? 0) : 0;
    if (delay <= 0) {
      this.setUp(ok, this.#reason(now.size));
      return;
    }
    this.#pendingKind = forked ? 'fork' : 'terminate';
    this.#pending = setTimeout(() => {
      this.#pending = null;
      this.setUp(this.#quorate(this.#matched.size), this.#reason(this.#matched.size));
    }, delay * 1000);
    this.log.debug(
      { processes: now.size, delay },
      `quorum ${ok ? 'gained' : 'lost'}; acting after ${forked ? 'fork_delay' : 'terminate_delay'} ${delay}s`,
    );
  }
}
