/**
 * HAProxy resolves the names in sample fetch arguments (userlists, stick tables) proxy by proxy after
 * parsing (sample.c, smp_resolve_args); when one proxy has several that fail, they are one alert:
 * "multiple argument resolution errors:" and one indented `parsing [F:L]: …` line each.
 */
import { type Diagnostic, POST_PARSE_PHASE, postParseRank } from '@ha-lb/shared-config/haproxy';

/** The proxy an argument-resolution alert is about, or null for any other diagnostic. */
function argResolutionProxy(d: Diagnostic): number | null {
  if (d.severity !== 'alert' || d.postParse === undefined) return null;
  const r = postParseRank(d.postParse);
  return r.index >= 0 && r.phase === POST_PARSE_PHASE.resolveArgs ? r.index : null;
}

export function combineArgResolution(ds: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<number, Diagnostic[]>();
  for (const d of ds) {
    const p = argResolutionProxy(d);
    if (p !== null) groups.set(p, [...(groups.get(p) ?? []), d]);
  }
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const p = argResolutionProxy(d);
    const group = p === null ? [] : (groups.get(p) ?? []);
    if (group.length < 2) {
      out.push(d);
      continue;
    }
    if (group[0] !== d) continue;
    const items = [...group].sort((a, b) => a.line - b.line);
    out.push({
      ...group[0],
      at: 'none',
      message: `multiple argument resolution errors:${items.map((x) => `\n        parsing [${x.file}:${x.line}]: ${x.message}`).join('')}`,
    });
  }
  return out;
}
