/** Column-wise comparison of CSV stats text, for the stats tests (which cells differ and how). */
import { VARIABLE_COLUMNS } from './scenario.ts';

/**
 * Columns that differ between the two by design, each for a reason documented in the README:
 * HAProxy counts bytes of its internal (HTX) representation in bin/bout, the balancer the bytes on
 * the wire (HAProxy's h1_bytes_* are on the wire but counted as they pass, ours when an exchange ends);
 * idle-pool sizes depend on each one's pooling policy.
 */
export const BY_DESIGN = new Set([
  'bin',
  'bout',
  'srv_icur',
  'idle_conn_cur',
  'safe_conn_cur',
  'used_conn_cur',
  'need_conn_est',
  'connect',
  'reuse',
  'h1_open_connections',
  'h1_bytes_in',
  'h1_bytes_out',
]);

/** `row/column: ours != theirs` for every cell that differs outside the masked columns. */
export function csvDiff(ours: string, theirs: string, extraMask: Set<string> = new Set()): string[] {
  const a = ours.split('\n').filter((l) => l !== '');
  const b = theirs.split('\n').filter((l) => l !== '');
  const out: string[] = [];
  if (a[0] !== b[0]) out.push(`header: ${a[0]} != ${b[0]}`);
  const header = (b[0] ?? '').replace(/^# /, '').split(',');
  if (a.length !== b.length) out.push(`rows: ${a.length - 1} != ${b.length - 1}`);
  for (let i = 1; i < Math.min(a.length, b.length); i++) {
    const x = a[i].split(',');
    const y = b[i].split(',');
    const key = `${y[0]}/${y[1]}`;
    for (let j = 0; j < Math.max(x.length, y.length); j++) {
      const col = header[j] ?? `#${j}`;
      const masked = VARIABLE_COLUMNS.has(col) || BY_DESIGN.has(col) || extraMask.has(col);
      if (masked && (x[j] === '') === (y[j] === '')) continue;
      if (col === 'addr' && x[j]?.replace(/:\d+$/, '') === y[j]?.replace(/:\d+$/, '')) continue;
      if (x[j] !== y[j]) out.push(`${key} ${col}: ${JSON.stringify(x[j])} != ${JSON.stringify(y[j])}`);
    }
  }
  return out;
}
