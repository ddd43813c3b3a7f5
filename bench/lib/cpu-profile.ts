/** Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions by self time. */
import { readFileSync } from 'node:fs';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

export type SelfTime = { name: string; where: string; ms: number; pct: number };

/** `skipMs`: ignore the first samples (start-up, module loading, warm-up) to profile the steady state. */
export function topSelfTime(file: string, top = 20, skipMs = 0): { total: number; rows: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const acc = new Map<string, SelfTime>();
  let total = 0;
  let elapsed = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    elapsed += dt;
    if (!n || elapsed < skipMs) continue;
    total += dt;
    const name = n.callFrame.functionName || '(anonymous)';
    const url = n.callFrame.url.replace(/^file:\/\/.*?\/(packages|node_modules)\//, '$1/');
    const where = url ? `${url}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const e = acc.get(key) ?? { name, where, ms: 0, pct: 0 };
    e.ms += dt;
    acc.set(key, e);
  }
  const rows = [...acc.values()].sort((a, b) => b.ms - a.ms).slice(0, top);
  for (const r of rows) r.pct = (100 * r.ms) / (total || 1);
  return { total, rows };
}
