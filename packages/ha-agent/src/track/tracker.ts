import { EventEmitter } from 'node:events';
import { type TrackEffect, trackEffect } from './weight.ts';

/**
 * What every tracker reports. `up` is the tracked object's health after rise/fall hysteresis (never
 * reversed: `reverse` only changes what `up` does to the instance). `weight` is the priority adjustment
 * this tracker contributes with its own default weight (0 when it contributes nothing); instances that
 * override the weight in `track_script { NAME weight W }` ask `effect(W, reverse)`. `value` is the
 * number a track_file holds (the other kinds have none).
 */
export interface TrackerState {
  readonly up: boolean;
  readonly weight: number;
  readonly reason: string;
  readonly value?: number;
}

export type TrackerKind = 'balancer' | 'script' | 'interface' | 'process' | 'file';

export type TrackerEvents = {
  /** emitted when `up`, `weight` or `value` changes; `reason` updates alone are not events */
  change: [state: TrackerState, previous: TrackerState];
};

export interface Tracker {
  readonly name: string;
  readonly kind: TrackerKind;
  /** configured default weight (keepalived: 0 = a down tracker puts the instance in FAULT) */
  readonly configuredWeight: number;
  readonly reverse: boolean;
  readonly state: TrackerState;
  /** true once the tracked object was looked at (a connect, a script run, a read), whatever it showed */
  readonly observed: boolean;
  /**
   * What this tracker does to an instance that follows it with `weight` and `reverse` now: keepalived's
   * rule for its kind (up/down for most, the number read times the weight for a track_file).
   */
  effect(weight: number, reverse: boolean): TrackEffect;
  /** begins tracking; idempotent while running */
  start(): void;
  /** stops timers, closes sockets, kills child processes; no 'change' after it resolves. Final: a
   * stopped tracker does not start again (a reload builds new ones) */
  stop(): Promise<void>;
  on(event: 'change', listener: (state: TrackerState, previous: TrackerState) => void): this;
  off(event: 'change', listener: (state: TrackerState, previous: TrackerState) => void): this;
  once(event: 'change', listener: (state: TrackerState, previous: TrackerState) => void): this;
}

/** Minimal logger shape (a pino logger satisfies it); trackers never require one. */
export interface TrackLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  /** a logger that adds `bindings` to every line (pino's child) */
  child?(bindings: Record<string, unknown>): TrackLogger;
}

export const silentLogger: TrackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface BaseTrackerOptions {
  name: string;
  /** keepalived weight, -253..253; 0 (default) = FAULT when down */
  weight?: number;
  /** `weight W reverse`: the adjustment (or FAULT for weight 0) applies in the opposite direction */
  reverse?: boolean;
  logger?: TrackLogger;
}

/** Shared state bookkeeping: subclasses call `setUp()`; the base computes weight and emits 'change'. */
export abstract class BaseTracker extends EventEmitter<TrackerEvents> implements Tracker {
  abstract readonly kind: TrackerKind;
  readonly name: string;
  readonly configuredWeight: number;
  readonly reverse: boolean;
  protected stopped = false;
  readonly #baseLog: TrackLogger;
  #log: TrackLogger | null = null;
  #state: TrackerState;
  #observed = false;

  constructor(opts: BaseTrackerOptions, initialReason: string) {
    super();
    this.name = opts.name;
    this.configuredWeight = opts.weight ?? 0;
    this.reverse = opts.reverse ?? false;
    this.#baseLog = opts.logger ?? silentLogger;
    this.#state = Object.freeze({
      up: false,
      weight: trackEffect(false, this.configuredWeight, this.reverse).delta,
      reason: initialReason,
    });
  }

  get state(): TrackerState {
    return this.#state;
  }

  get observed(): boolean {
    return this.#observed;
  }

  effect(weight: number, reverse: boolean): TrackEffect {
    return this.effectOf(this.#state, weight, reverse);
  }

  /** The up/down rule (vrrp_track.c); kinds whose effect depends on more than `up` override it. */
  protected effectOf(state: Omit<TrackerState, 'weight'>, weight: number, reverse: boolean): TrackEffect {
    return trackEffect(state.up, weight, reverse);
  }

  /** Every line names the tracker (`tracker`, `kind`) once; made on first use, when `kind` is set. */
  protected get log(): TrackLogger {
    if (this.#log === null) {
      const base = this.#baseLog;
      const bindings = { tracker: this.name, kind: this.kind };
      this.#log = base.child
        ? base.child(bindings)
        : {
            debug: (o, m) => base.debug({ ...bindings, ...o }, m),
            info: (o, m) => base.info({ ...bindings, ...o }, m),
            warn: (o, m) => base.warn({ ...bindings, ...o }, m),
            error: (o, m) => base.error({ ...bindings, ...o }, m),
          };
    }
    return this.#log;
  }

  abstract start(): void;
  abstract stop(): Promise<void>;

  protected setUp(up: boolean, reason: string, value?: number): void {
    if (this.stopped) return;
    const first = !this.#observed;
    this.#observed = true;
    const previous = this.#state;
    const next = value === undefined ? { up, reason } : { up, reason, value };
    const weight = this.effectOf(next, this.configuredWeight, this.reverse).delta;
    this.#state = Object.freeze({ ...next, weight });
    const changed = previous.up !== up || previous.weight !== weight || previous.value !== value;
    // the first reading is news even when it confirms the initial "down"
    if (changed || first) this.log.info({ up, weight, reason }, `${up ? 'up' : 'down'} (${reason})`);
    if (changed) this.emit('change', this.#state, previous);
  }
}
