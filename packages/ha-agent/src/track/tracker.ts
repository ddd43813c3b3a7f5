import { EventEmitter } from 'node:events';
import { trackEffect } from './weight.ts';

/**
 * What every tracker reports. `up` is the tracked object's health after rise/fall hysteresis (never
 * reversed: `reverse` only changes what `up` does to the instance). `weight` is the priority adjustment
 * this tracker contributes with its own default weight (0 when it contributes nothing); instances that
 * override the weight in `track_script { NAME weight W }` compute their own with `trackEffect(up, …)`.
 */
export interface TrackerState {
  readonly up: boolean;
  readonly weight: number;
  readonly reason: string;
}

export type TrackerKind = 'balancer' | 'script' | 'interface';

export type TrackerEvents = {
  /** emitted when `up` or `weight` changes; `reason` updates alone are not events */
  change: [state: TrackerState, previous: TrackerState];
};

export interface Tracker {
  readonly name: string;
  readonly kind: TrackerKind;
  /** configured default weight (keepalived: 0 = a down tracker puts the instance in FAULT) */
  readonly configuredWeight: number;
  readonly reverse: boolean;
  readonly state: TrackerState;
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
  protected readonly log: TrackLogger;
  protected stopped = false;
  #state: TrackerState;

  constructor(opts: BaseTrackerOptions, initialReason: string) {
    super();
    this.name = opts.name;
    this.configuredWeight = opts.weight ?? 0;
    this.reverse = opts.reverse ?? false;
    this.log = opts.logger ?? silentLogger;
    this.#state = Object.freeze({
      up: false,
      weight: trackEffect(false, this.configuredWeight, this.reverse).delta,
      reason: initialReason,
    });
  }

  get state(): TrackerState {
    return this.#state;
  }

  abstract start(): void;
  abstract stop(): Promise<void>;

  protected setUp(up: boolean, reason: string): void {
    if (this.stopped) return;
    const previous = this.#state;
    const weight = trackEffect(up, this.configuredWeight, this.reverse).delta;
    this.#state = Object.freeze({ up, weight, reason });
    if (previous.up !== up || previous.weight !== weight) {
      this.log.info(
        { tracker: this.name, kind: this.kind, up, weight, reason },
        `tracker ${up ? 'up' : 'down'}`,
      );
      this.emit('change', this.#state, previous);
    }
  }
}
