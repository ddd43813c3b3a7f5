import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { type LinkState, parseIpLinkLine, readSysfsLinkState } from './link-state.ts';
import { BaseTracker, type BaseTrackerOptions } from './tracker.ts';

/**
 * `track_interface { IF [weight W [reverse]] }` (and the instance's own interface). Link changes arrive
 * from a long-running `ip -o monitor link` (netlink, no polling); the initial state is read once after
 * the monitor is running, so no change falls between the two. keepalived has no rise/fall here: a link
 * going down is acted on at once. An interface that disappears is down; one that comes back is tracked
 * again. If the monitor process dies it is restarted (with a short backoff) and the state re-read.
 */
export interface InterfaceTrackerOptions extends BaseTrackerOptions {
  /** defaults to `name` */
  ifname?: string;
  /** run `ip -n NETNS …` (tests, or an agent managing another namespace) */
  netns?: string | null;
  /** the `ip` binary */
  ipPath?: string;
}

export class InterfaceTracker extends BaseTracker {
  readonly kind = 'interface' as const;
  readonly ifname: string;
  readonly #netns: string | null;
  readonly #ip: string;
  #monitor: ResultPromise | null = null;
  #monitorDone: Promise<unknown> | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #rereadTimer: NodeJS.Timeout | null = null;
  #restartDelay = 100;
  /** generation counter: a stale initial read must not overwrite a newer monitor event */
  #events = 0;

  constructor(opts: InterfaceTrackerOptions) {
    super(opts, 'link state not read yet');
    this.ifname = opts.ifname ?? opts.name;
    this.#netns = opts.netns ?? null;
    this.#ip = opts.ipPath ?? 'ip';
  }

  start(): void {
    if (this.stopped || this.#monitor) return;
    this.#startMonitor();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    if (this.#rereadTimer) clearTimeout(this.#rereadTimer);
    this.#monitor?.kill('SIGTERM');
    await this.#monitorDone;
    this.#monitor = null;
  }

  #nsArgs(): string[] {
    return this.#netns ? ['-n', this.#netns] : [];
  }

  #startMonitor(): void {
    const sub = execa(this.#ip, [...this.#nsArgs(), '-o', 'monitor', 'link'], {
      reject: false,
      buffer: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'ignore',
    });
    this.#monitor = sub;
    const rl = createInterface({ input: sub.stdout! });
    rl.on('line', (line) => {
      const s = parseIpLinkLine(line);
      if (s && s.ifname === this.ifname) {
        this.#events++;
        this.#apply(s);
      }
    });
    this.#monitorDone = sub.then((r) => {
      rl.close();
      this.#monitor = null;
      if (this.stopped) return;
      // A stop of the whole process group (systemd's KillMode=control-group, Ctrl-C on a terminal)
      // reaches `ip` as early as the agent: only a monitor that died while we go on running is news,
      // so the warning waits for the restart.
      this.#restartTimer = setTimeout(() => {
        this.#restartTimer = null;
        if (this.stopped) return;
        this.log.warn({ exitCode: r.exitCode, signal: r.signal }, 'ip monitor exited; restarting');
        this.#startMonitor();
      }, this.#restartDelay);
      this.#restartDelay = Math.min(this.#restartDelay * 2, 2000);
    });
    // Read the current state once `ip` runs, and once more a little later: `ip` subscribes to netlink a
    // moment after exec, and a change in that gap would otherwise be missed until the next one.
    sub.nodeChildProcess.once('spawn', () => {
      this.#readAndApply();
      this.#rereadTimer = setTimeout(() => this.#readAndApply(), 250);
    });
  }

  #readAndApply(): void {
    const generation = this.#events;
    void this.#readInitial().then(
      (s) => {
        if (generation === this.#events && !this.stopped) this.#apply(s);
      },
      (err: Error) => this.log.error({ err: err.message }, 'cannot read link state'),
    );
  }

  async #readInitial(): Promise<LinkState> {
    if (!this.#netns) return readSysfsLinkState(this.ifname);
    const r = await execa(this.#ip, [...this.#nsArgs(), '-o', 'link', 'show', 'dev', this.ifname], {
      reject: false,
    });
    const s = r.exitCode === 0 ? parseIpLinkLine(String(r.stdout)) : null;
    return s ?? { ifname: this.ifname, exists: false, up: false, operstate: 'ABSENT' };
  }

  #apply(s: LinkState): void {
    const reason = !s.exists
      ? `interface ${this.ifname} ${s.operstate === 'DELETED' ? 'removed' : 'does not exist'}`
      : `interface ${this.ifname} ${s.up ? 'up' : 'down'} (state ${s.operstate})`;
    this.setUp(s.up, reason);
  }
}
