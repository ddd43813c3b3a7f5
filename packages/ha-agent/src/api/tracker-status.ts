import { BalancerTracker } from '../track/balancer.ts';
import type { Tracker } from '../track/tracker.ts';
import type { TrackerStatus } from './status-schema.ts';

/**
 * A tracker as one instance sees it: the instance's `track_* { NAME weight W [reverse] }` reference may
 * override the tracker's own weight (the keepalived model resolves it into TrackRef.weight/reverse), and
 * a sync group's reference may contribute only its FAULT.
 */
export function trackerStatus(
  t: Tracker,
  ref?: { weight: number; reverse: boolean; faultOnly?: boolean },
): TrackerStatus {
  const weight = ref?.weight ?? t.configuredWeight;
  const reverse = ref?.reverse ?? t.reverse;
  const effect = t.effect(weight, reverse);
  return {
    name: t.name,
    kind: t.kind,
    up: t.state.up,
    weight,
    reverse,
    fault: effect.fault,
    // a sync group's tracker only contributes its FAULT (unless sync_group_tracking_weight)
    delta: ref?.faultOnly ? 0 : effect.delta,
    reason: t.state.reason,
    ...(t.state.value === undefined ? {} : { value: t.state.value }),
    ...(t instanceof BalancerTracker && t.graceUntil !== null
      ? { restartGraceRemainingMs: Math.max(0, Math.round(t.graceUntil - Date.now())) }
      : {}),
  };
}
