// keepalived's track_file arithmetic (vrrp_track.c), pure: what a file holds, and what that does to an
// instance following it with a weight.
import type { TrackEffect } from './weight.ts';

/** keepalived clamps the value read to ±254 … */
const VALUE_LIMIT = 254;
/** … and the weighted result to [-254, 253]; -254 means FAULT. */
const FAULT_STATUS = -254;
const MAX_STATUS = 253;

/**
 * The number in a track file as keepalived reads it: its first 127 bytes through strtol(buf, NULL, 0) —
 * leading blanks, a sign, `0x` hex or `0` octal or decimal digits, anything after ignored; no number at
 * all is 0, as is a file that does not exist. Clamped to ±254.
 */
export function parseTrackFileValue(text: string): number {
  const m = /^[\s]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(text.slice(0, 127));
  if (!m) return 0;
  const digits = m[2];
  const n =
    digits.length > 1 && (digits[1] === 'x' || digits[1] === 'X')
      ? Number.parseInt(digits.slice(2), 16)
      : digits.startsWith('0')
        ? Number.parseInt(digits, 8) || 0
        : Number.parseInt(digits, 10);
  const v = m[1] === '-' ? -n : n;
  return Math.max(-VALUE_LIMIT, Math.min(VALUE_LIMIT, v));
}

/**
 * What a file holding `value` does to an instance tracking it with `weight` [reverse]: with weight 0 a
 * non-zero value is FAULT (reverse: a zero one is); otherwise value × weight (× -1 with reverse),
 * clamped to [-254, 253], is added to the priority, and -254 or less is FAULT.
 */
export function trackFileEffect(value: number, weight: number, reverse: boolean): TrackEffect {
  const multiplier = reverse ? -1 : 1;
  if (weight === 0) return { fault: (value !== 0) === (multiplier === 1), delta: 0 };
  const status = Math.max(FAULT_STATUS, Math.min(MAX_STATUS, value * weight * multiplier));
  return status <= FAULT_STATUS ? { fault: true, delta: 0 } : { fault: false, delta: status };
}
