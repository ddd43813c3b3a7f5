/** Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time over a time window. */
import { readFileSync } from 'node:fs';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type Profile = { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };

export type SelfTime = { name: string; where: string; ms: number; pct: number };
export type ProfileSummary = {
  /** ms of samples counted (inside the window) */
  total: number;
  /** samples inside the window */
  samples: number;
  /** ms of the window with no sample at all (gaps longer than 10 sampling intervals): not counted */
  gapsMs: number;
  rows: SelfTime[];
};

/**
 * Self time per function (name + file:line, all call paths added up) of the samples taken between
 * `fromMs` and `toMs` after the profile started (V8's clock: the profile starts with the process).
 * Each sample stands for the interval up to the next one (as Chrome DevTools counts); an interval longer
 * than 10× the median (the sampler was stopped or starved) is not counted and is reported as a gap, so
 * one sample after a pause cannot take the blame for the whole pause.
 */
export function topSelfTime(
  file: string,
  top = 20,
  fromMs = 0,
  toMs = Number.POSITIVE_INFINITY,
): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const n = p.samples.length;
  // sample i is taken at t[i] = sum of timeDeltas[0..i] (µs after startTime)
  const at = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += p.timeDeltas[i] ?? 0;
    at[i] = t / 1000;
  }
  const intervals = [...p.timeDeltas.slice(1)].sort((a, b) => a - b);
  const nominal = (intervals[intervals.length >> 1] ?? 1000) / 1000;
  const acc = new Map<string, SelfTime>();
  let total = 0;
  let samples = 0;
  let gapsMs = 0;
  for (let i = 0; i + 1 < n; i++) {
    if (at[i] < fromMs || at[i] >= toMs) continue;
    const dt = at[i + 1] - at[i];
    if (dt > 10 * nominal) {
      gapsMs += dt;
      continue;
    }
    const node = byId.get(p.samples[i]);
    if (!node) continue;
    samples++;
    total += dt;
    const name = node.callFrame.functionName || '(anonymous)';
    const url = node.callFrame.url.replace(/^file:\/\/.*?\/(packages|node_modules)\//, '$1/');
    const where = url ? `${url}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    let e = acc.get(key);
    if (!e) {
      e = { name, where, ms: 0, pct: 0 };
      acc.set(key, e);
    }
    e.ms += dt;
  }
  const rows = [...acc.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
  for (const r of rows) r.pct = (100 * r.ms) / (total || 1);
  return { total, samples, gapsMs, rows };
}

/** The summary as printed lines (a warning first when the window holds few samples). */
export function formatSelfTime(s: ProfileSummary, windowMs: number): string[] {
  const lines: string[] = [];
  if (s.total < windowMs / 2)
    lines.push(
      `  (only ${s.total.toFixed(0)} ms of samples in a ${windowMs.toFixed(0)} ms window, ${s.gapsMs.toFixed(0)} ms of gaps: the profile does not cover the load)`,
    );
  for (const r of s.rows)
    lines.push(
      `  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}`,
    );
  return lines;
}
