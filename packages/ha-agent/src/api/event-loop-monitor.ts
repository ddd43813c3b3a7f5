import { type ELDHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { HaError } from '../errors.ts';
import type { TrackLogger } from '../track/tracker.ts';
import { silentLogger } from '../track/tracker.ts';
import type { EventLoopStatus } from './status-schema.ts';

export interface EventLoopMonitorOptions {
  /**
   * A stall longer than this is logged. For VRRP, a quarter of the smallest advert_int: a stall of that
   * size already eats most of the Skew_Time margin a backup has before it declares the master dead.
   */
  thresholdMs: number;
  /** how often the drift probe runs (default: a quarter of the threshold, 5..100 ms) */
  probeMs?: number;
  logger?: TrackLogger;
  onStall?: (ms: number) => void;
}

/**
 * Measures event-loop delay two ways: a drift probe (a timer that notices it fired late — this is what
 * finds individual stalls, and logs each one over the threshold) and perf_hooks.monitorEventLoopDelay
 * (a histogram for the percentiles in /status and /metrics).
 */
export class EventLoopMonitor {
  readonly thresholdMs: number;
  readonly #probeMs: number;
  readonly #log: TrackLogger;
  readonly #onStall?: (ms: number) => void;
  readonly #hist: ELDHistogram;
  #timer: NodeJS.Timeout | null = null;
  #last = 0;
  stalls = 0;
  lastStallMs: number | null = null;

  constructor(opts: EventLoopMonitorOptions) {
    if (!(opts.thresholdMs > 0))
      throw new HaError('HA_ERR_API', `thresholdMs must be > 0, got ${opts.thresholdMs}`);
    this.thresholdMs = opts.thresholdMs;
    this.#probeMs = opts.probeMs ?? Math.min(100, Math.max(5, Math.floor(opts.thresholdMs / 4)));
    this.#log = opts.logger ?? silentLogger;
    this.#onStall = opts.onStall;
    this.#hist = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    if (this.#timer) return;
    this.#hist.enable();
    this.#last = performance.now();
    this.#timer = setInterval(() => this.#probe(), this.#probeMs);
    // The probe must not keep a shutting-down agent alive.
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#hist.disable();
  }

  #probe(): void {
    const now = performance.now();
    const late = now - this.#last - this.#probeMs;
    this.#last = now;
    if (late > this.thresholdMs) {
      this.stalls++;
      this.lastStallMs = late;
      this.#log.warn(
        { stallMs: Math.round(late), thresholdMs: this.thresholdMs },
        'event loop stalled: VRRP timers and adverts were late',
      );
      this.#onStall?.(late);
    }
  }

  status(): EventLoopStatus {
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    const hasData = this.#hist.count > 0;
    return {
      delayP50Ms: hasData ? ms(this.#hist.percentile(50)) : 0,
      delayP99Ms: hasData ? ms(this.#hist.percentile(99)) : 0,
      delayMaxMs: hasData ? ms(this.#hist.max) : 0,
      stalls: this.stalls,
      stallThresholdMs: this.thresholdMs,
      lastStallMs: this.lastStallMs,
    };
  }
}

/**
 * The stall that matters for VRRP: a quarter of the smallest advert_int (seconds) of the instances, in ms
 * — late adverts by that much already make a backup's Master_Down_Interval margin thin. At least 10 ms.
 */
export function vrrpStallThresholdMs(advertIntervals: Iterable<number>, fallbackSeconds = 1): number {
  let min = Number.POSITIVE_INFINITY;
  for (const a of advertIntervals) if (a > 0 && a < min) min = a;
  if (!Number.isFinite(min)) min = fallbackSeconds;
  return Math.max(10, (min * 1000) / 4);
}
