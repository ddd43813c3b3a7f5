import { type FSWatcher, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseTrackFileValue, trackFileEffect } from './file-value.ts';
import { BaseTracker, type BaseTrackerOptions, type TrackerState } from './tracker.ts';
import type { TrackEffect } from './weight.ts';

/**
 * keepalived's `track_file NAME { file PATH; weight W [reverse]; init_file [VALUE] [overwrite] }`: the
 * number in the file (parseTrackFileValue), re-read whenever it changes, weighed by each instance as
 * keepalived does (trackFileEffect). `up` says whether the file faults an instance that uses this
 * tracker's own weight; `state.value` is the number itself.
 *
 * keepalived watches the directory with inotify for IN_CLOSE_WRITE/IN_MOVED_TO/IN_DELETE. Node's
 * fs.watch has no close-write event, only "something changed" (often mid-write, after the truncate and
 * before the new number): each event re-reads after `settleMs`, so `echo 5 > file` is read once, as 5.
 * A read every `pollMs` besides catches what a watch can miss (a directory created later, an NFS mount).
 */
export interface FileTrackerOptions extends BaseTrackerOptions {
  path: string;
  /** write `value` at start when the file does not exist, or always with `overwrite` */
  initFile?: { value: number; overwrite: boolean } | null;
  /** ms between a change event and the read (default 10) */
  settleMs?: number;
  /** ms between safety re-reads (default 1000) */
  pollMs?: number;
}

export class FileTracker extends BaseTracker {
  readonly kind = 'file' as const;
  readonly path: string;
  readonly #opts: FileTrackerOptions;
  #watcher: FSWatcher | null = null;
  #settle: NodeJS.Timeout | null = null;
  #poll: NodeJS.Timeout | null = null;

  constructor(opts: FileTrackerOptions) {
    // keepalived's default weight for a track_file is 1
    super({ ...opts, weight: opts.weight ?? 1 }, 'not read yet');
    this.path = opts.path;
    this.#opts = opts;
  }

  protected override effectOf(
    state: Omit<TrackerState, 'weight'>,
    weight: number,
    reverse: boolean,
  ): TrackEffect {
    return trackFileEffect(state.value ?? 0, weight, reverse);
  }

  start(): void {
    if (this.stopped || this.#poll) return;
    this.#initFile();
    this.#watch();
    this.#read();
    this.#poll = setInterval(() => {
      if (!this.#watcher) this.#watch();
      this.#read();
    }, this.#opts.pollMs ?? 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    if (this.#settle) clearTimeout(this.#settle);
    this.#settle = null;
    this.#watcher?.close();
    this.#watcher = null;
  }

  #initFile(): void {
    const init = this.#opts.initFile;
    if (!init) return;
    let exists = true;
    try {
      statSync(this.path);
    } catch {
      exists = false;
    }
    if (exists && !init.overwrite) return;
    try {
      writeFileSync(this.path, `${init.value}\n`); // as keepalived: into an existing directory only
    } catch (err) {
      this.log.error(
        { file: this.path, err: (err as Error).message },
        `cannot write init_file ${init.value}`,
      );
    }
  }

  #watch(): void {
    try {
      const name = basename(this.path);
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.#soon();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch {
      this.#watcher = null; // the directory does not exist (yet): the poll keeps reading
    }
  }

  #soon(): void {
    if (this.stopped || this.#settle) return;
    this.#settle = setTimeout(() => {
      this.#settle = null;
      this.#read();
    }, this.#opts.settleMs ?? 10);
  }

  #read(): void {
    if (this.stopped) return;
    let text: string | null;
    try {
      text = readFileSync(this.path, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log.debug({ file: this.path, err: (err as Error).message }, 'cannot read the track file');
      }
      text = null;
    }
    const value = text === null ? 0 : parseTrackFileValue(text);
    const up = !trackFileEffect(value, this.configuredWeight, this.reverse).fault;
    const what = text === null ? `${this.path} does not exist (0)` : `${this.path} holds ${value}`;
    this.setUp(up, what, value);
  }
}
