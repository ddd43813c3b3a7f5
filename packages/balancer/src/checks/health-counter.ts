/**
 * HAProxy's health counter (check.c, set_server_check_status), pure. One integer per checked server,
 * 0 … rise+fall-1: at or above `rise` the checks say UP, below it DOWN.
 *
 * - A checked server starts UP with its health at `rise` (haproxy 2.6: `show servers state` gives
 *   health 2 for rise 2, `show stat` "UP 1/3"), so its first failed check takes it DOWN at once —
 *   recorded in test/checks-expected.json (`initialState`).
 * - A failure lowers the health by one; falling below `rise` drops it to 0 (DOWN at once).
 * - A success raises it by one; reaching `rise` jumps to rise+fall-1 (fully UP): a server needs
 *   `rise` successes in a row to come back, and `fall` failures in a row to go down.
 */

export interface RiseFall {
  readonly rise: number;
  readonly fall: number;
}

export function initialHealth(p: RiseFall): number {
  return p.rise;
}

/** The top of the counter: fully UP. */
export function fullHealth(p: RiseFall): number {
  return p.rise + p.fall - 1;
}

export function healthSaysUp(health: number, p: RiseFall): boolean {
  return health >= p.rise;
}

/** The counter after one check; `reported` is HAProxy's "the counter moved" (log-health-checks). */
export function afterCheck(
  health: number,
  passed: boolean,
  p: RiseFall,
): { health: number; reported: boolean } {
  if (!passed) {
    if (health <= 0) return { health: 0, reported: false };
    const h = health - 1;
    return { health: h < p.rise ? 0 : h, reported: true };
  }
  const top = fullHealth(p);
  if (health >= top) return { health: top, reported: false };
  const h = health + 1;
  return { health: h >= p.rise ? top : h, reported: true };
}

/** `status: 2/3 UP` in log-health-checks lines (the counter seen from the state it is in). */
export function counterText(health: number, p: RiseFall, weight: number): string {
  return healthSaysUp(health, p)
    ? `${health - p.rise + 1}/${p.fall} ${weight > 0 ? 'UP' : 'DRAIN'}`
    : `${health}/${p.rise} DOWN`;
}

/** The `status` column of `show stat` / the stats page: `UP`, `UP 1/3` (going down), `DOWN 1/2` (going up). */
export function statusText(health: number, p: RiseFall, up: boolean): string {
  if (up) return health >= fullHealth(p) ? 'UP' : `UP ${health - p.rise + 1}/${p.fall}`;
  return health > 0 ? `DOWN ${health}/${p.rise}` : 'DOWN';
}

export interface Intervals {
  /** ms between checks while fully UP */
  readonly inter: number;
  /** ms while in transition (going up or down) */
  readonly fastinter: number;
  /** ms while fully DOWN */
  readonly downinter: number;
}

/**
 * HAProxy's srv_getinter(): `inter` while fully UP (unless an observed error forced fastinter),
 * `downinter` while fully DOWN, `fastinter` in between.
 */
export function checkInterval(
  health: number,
  up: boolean,
  p: RiseFall,
  t: Intervals,
  forceFast: boolean,
): number {
  if (!forceFast && health === fullHealth(p)) return t.inter;
  if (!up && health === 0) return t.downinter;
  return t.fastinter;
}

/** Below this, an interval does not set the start-up spread (SRV_CHK_INTER_THRES). */
export const SPREAD_THRESHOLD_MS = 1000;

/**
 * When the check of the server at position `pos` (0-based, across all backends) of `count` first
 * runs: HAProxy spreads start-up over max(the smallest interval ≥ 1 s, the server's own interval),
 * capped by `max-spread-checks`. Measured on haproxy 2.6 (test/checks-expected.json `spread`): 4
 * servers, inter 1000 → 0, 250, 500, 750 ms; inter 500 → 0, 125, 250, 375 ms.
 */
export function firstCheckDelay(
  pos: number,
  count: number,
  minInter: number,
  ownInter: number,
  maxSpread: number | null,
): number {
  let span = Math.max(minInter, ownInter);
  if (maxSpread !== null && maxSpread > 0 && span > maxSpread) span = maxSpread;
  return count > 0 ? Math.floor((span * pos) / count) : 0;
}

/** The smallest interval at or above the threshold, 0 when none is (start_checks' `mininter`). */
export function spreadBase(intervals: readonly number[]): number {
  let min = 0;
  for (const i of intervals) if (i >= SPREAD_THRESHOLD_MS && (min === 0 || i < min)) min = i;
  return min;
}

/** `spread-checks N`: ± N % random jitter on an interval (`random` in [0, 1)). */
export function jitter(interval: number, percent: number, random: number): number {
  if (percent <= 0) return interval;
  const rv = Math.trunc((interval * percent) / 100);
  return interval + rv - Math.trunc(2 * rv * random);
}
