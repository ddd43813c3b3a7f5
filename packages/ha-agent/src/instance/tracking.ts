import { evaluateTracking, type TrackedRef } from '../track/registry.ts';
import { effectivePriority } from '../track/weight.ts';

/** What an instance's trackers and its sync group say, as the state machine's `tracking` event wants it. */
export interface InstanceTracking {
  /** effective priority: base + tracker deltas, clamped (255 never adjusted) */
  readonly priority: number;
  /** the instance's own reason to be in FAULT (a weight-0 tracker down), null if none */
  readonly ownFault: string | null;
  /** the reason it must be in FAULT: its own, else its sync group's; null: it need not */
  readonly fault: string | null;
}

/** Pure: the reading of an instance's trackers (keepalived's vrrp_track.c combination) plus a sibling's FAULT. */
export function instanceTracking(
  refs: readonly TrackedRef[],
  basePriority: number,
  externalFault: string | null,
): InstanceTracking {
  const v = evaluateTracking(refs);
  const ownFault = v.faultReasons[0] ?? null;
  return {
    priority: effectivePriority(basePriority, [v.delta]),
    ownFault,
    fault: ownFault ?? externalFault,
  };
}
