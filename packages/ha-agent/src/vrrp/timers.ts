// VRRP timer arithmetic, in milliseconds as floats so Skew_Time keeps its sub-millisecond part.

/** v3 (RFC 9568 §6.1): Skew_Time = ((256 - Priority) × Master_Adver_Interval) / 256.
 *  v2 (RFC 3768 §6.1): Skew_Time = (256 - Priority) / 256 seconds, independent of the interval. */
export function skewTimeMs(version: 2 | 3, priority: number, masterAdverIntervalMs: number): number {
  return version === 3 ? ((256 - priority) * masterAdverIntervalMs) / 256 : ((256 - priority) * 1000) / 256;
}

/** Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalMs(
  version: 2 | 3,
  priority: number,
  masterAdverIntervalMs: number,
): number {
  return 3 * masterAdverIntervalMs + skewTimeMs(version, priority, masterAdverIntervalMs);
}

/** Compares two addresses of the same family as unsigned big-endian integers (RFC tie-break). */
export function compareAddresses(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}
