/**
 * HAProxy resolves the names in sample fetch arguments (userlists, stick tables) proxy by proxy after
 * parsing (sample.c, smp_resolve_args); when one proxy has several that fail, they are one alert:
 * "multiple argument resolution errors:" and one indented `parsing [F:L]: …` line each.
 */
import { type Diagnostic, POST_PARSE_PHASE } from '@ha-lb/shared-config/haproxy';

const PER_PROXY = 100;
const LATE = 1_000_000;

function isArgResolution(d: Diagnostic): boolean {
  return (
    d.severity === 'alert' &&
    d.postParse !== undefined &&
    d.postParse < LATE &&
    d.postParse % PER_PROXY === POST_PARSE_PHASE.resolveArgs
  );
}

export function combineArgResolution(ds: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<number, Diagnostic[]>();
  for (const d of ds)
    if (isArgResolution(d)) groups.set(d.postParse ?? 0, [...(groups.get(d.postParse ?? 0) ?? []), d]);
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const group = isArgResolution(d) ? (groups.get(d.postParse ?? 0) ?? []) : [];
    if (group.length < 2) {
      out.push(d);
      continue;
    }
    if (group[0] !== d) continue;
    const items = [...group].sort((a, b) => a.line - b.line);
    out.push({
      ...items[0],
      at: 'none',
      message: `multiple argument resolution errors:${items.map((x) => `\n        parsing [${x.file}:${x.line}]: ${x.message}`).join('')}`,
    });
  }
  return out;
}
