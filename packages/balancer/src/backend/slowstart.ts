/**
 * `slowstart <time>` on a server, as HAProxy 2.6 computes it (server.c server_recalc_eweight and the
 * server_warmup task, queue.c srv_dynamic_maxconn, server.h server_throttle_rate). A server that comes
 * back UP — from DOWN or from maintenance, never at start-up — is "starting" for the period: its
 * weight (only under a dynamic algorithm: roundrobin, leastconn, first, random, consistent hashing) and
 * its maxconn grow with each whole second since the change, then it runs at full speed. The period is
 * counted in whole seconds (HAProxy keeps `(ms + 999) / 1000`) and re-evaluated once a second.
 *
 * Pure functions of the elapsed seconds; backend.ts keeps the state and runs the one-second tick.
 */

/** HAProxy's BE_WEIGHT_SCALE: an effective weight is the user weight × 1…16 sixteenths. */
export const WEIGHT_SCALE = 16;

/** server_warmup's period: max(1000 ms, slowstart / 20), slowstart being in seconds there. */
export const WARMUP_TICK_MS = 1000;

/** `slowstart` in ms → HAProxy's whole seconds (`(val + 999) / 1000`). */
export function slowstartSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/**
 * server_recalc_eweight's `w`: the sixteenths of the user weight in effect `elapsed` whole seconds into
 * a period of `period` seconds: 1 at the change, growing linearly, 16 (full) once the period is over
 * (or when the clock went back).
 */
export function warmupStep(elapsed: number, period: number): number {
  if (elapsed < 0 || elapsed >= period) return WEIGHT_SCALE;
  return Math.trunc((WEIGHT_SCALE * elapsed + period) / period);
}

/** srv_dynamic_maxconn's throttle: `max` × the whole percent of the period elapsed, at least 1. */
export function warmupMaxconn(max: number, elapsed: number, period: number): number {
  if (elapsed < 0 || elapsed >= period) return max;
  const ratio = Math.trunc((100 * elapsed) / period);
  return Math.max(1, Math.trunc((max * ratio) / 100));
}

/** The stats' `weight` of a server: its effective weight in user units, rounded up. */
export function shownWeight(uweight: number, step: number): number {
  return Math.ceil((uweight * step) / WEIGHT_SCALE);
}

/** server_throttle_rate(): the stats' `throttle` percent while starting (100 when the user weight is 0). */
export function throttlePercent(uweight: number, step: number): number {
  if (uweight === 0) return 100;
  return Math.trunc((100 * uweight * step + WEIGHT_SCALE - 1) / (WEIGHT_SCALE * uweight));
}
