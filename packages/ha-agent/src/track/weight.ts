/**
 * keepalived's tracking weight rules (vrrp_track.c), shared by every tracker kind:
 * - weight 0: the tracked object being down puts the instance in FAULT (with `reverse`: being UP does);
 * - weight > 0: `weight` is added while up (with `reverse`: subtracted while up);
 * - weight < 0: `weight` is added (i.e. |weight| subtracted) while down (with `reverse`: |weight| added).
 */
export interface TrackEffect {
  /** the instance must be in FAULT because of this tracker */
  readonly fault: boolean;
  /** priority adjustment contributed by this tracker */
  readonly delta: number;
}

export function trackEffect(up: boolean, weight: number, reverse = false): TrackEffect {
  if (weight === 0) return { fault: up === reverse, delta: 0 };
  const multiplier = reverse ? -1 : 1;
  return { fault: false, delta: up === weight > 0 ? weight * multiplier : 0 };
}

export const VRRP_PRIO_OWNER = 255;

/**
 * Effective priority like keepalived's vrrp_set_effective_priority: the address owner (255) is never
 * adjusted; otherwise base + Σ deltas clamped to 1..254 (trackers can neither reach 255 nor 0 — priority 0
 * is only sent on shutdown or FAULT).
 */
export function effectivePriority(base: number, deltas: Iterable<number>): number {
  if (base === VRRP_PRIO_OWNER) return base;
  let total = base;
  for (const d of deltas) total += d;
  if (total < 1) return 1;
  if (total >= VRRP_PRIO_OWNER) return VRRP_PRIO_OWNER - 1;
  return total;
}
