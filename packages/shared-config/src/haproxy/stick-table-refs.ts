/**
 * Stick-table references must name a table: a proxy with a `stick-table` line, or `PEERS/TABLE` for a
 * `table` of a peers section. HAProxy 2.6 resolves them after parsing (cfgparse.c,
 * check_config_validity), with these messages (seen with the real binary, test/packages/balancer/test/check-cases/stick-*.cfg):
 * - `stick on|match|store-*` (default: the proxy itself): "Proxy 'b': unable to find stick-table 't'.";
 * - `track-scN` in tcp-request / http-request / http-response rules (default: the proxy itself):
 *   "Proxy 'f': unable to find table 't' referenced by track-sc0.";
 * - a fetch's or converter's table argument in an ACL (sample.c, smp_resolve_args): `src_*([T])`
 *   (default: the proxy itself), `sc_*(N,T)`, `scN_*(T)`, `table_*(T)`:
 *   "parsing [F:L]: unable to find table 't' referenced in arg 2 of ACL keyword 'sc_http_req_rate' in
 *   proxy 'f'." (several in one proxy are one "multiple argument resolution errors:" alert: the balancer's
 *   config/checks/arg-resolution.ts).
 */
import type { Diagnostic, HaproxyAt } from '../common/diagnostic.ts';
import { CODES } from './codes.ts';
import type { AclCriterion } from './model.ts';
import { POST_PARSE_PHASE, type ProxyToValidate, postParseOrder } from './validate.ts';

type Px = ProxyToValidate;

/** Proxies with a stick-table. `PEERS/TABLE` (a peers section's table) is not looked up here. */
function tableNames(proxies: readonly Px[]): Set<string> {
  const names = new Set<string>();
  for (const px of proxies) if ((px.other ?? []).some((d) => d.keyword === 'stick-table')) names.add(px.name);
  return names;
}

const known = (tables: ReadonlySet<string>, name: string) => tables.has(name) || name.includes('/');

/** `… table NAME …` in a rule's or directive's words; the proxy itself when absent. */
function tableArg(words: readonly string[], own: string): string {
  const i = words.indexOf('table');
  return i >= 0 && words[i + 1] !== undefined ? words[i + 1] : own;
}

/** Which argument of a fetch names its table, and whether the proxy itself is the default. */
function fetchTable(
  name: string,
  args: readonly string[],
  own: string,
): { arg: number; table: string } | null {
  if (/^sc_/.test(name)) return args[1] !== undefined ? { arg: 2, table: args[1] } : null;
  if (/^sc[0-9]_/.test(name)) return args[0] !== undefined ? { arg: 1, table: args[0] } : null;
  if (/^src_/.test(name) && name !== 'src_port' && name !== 'src_is_local')
    return { arg: 1, table: args[0] ?? own };
  if (/^table_(avl|cnt)$/.test(name)) return args[0] !== undefined ? { arg: 1, table: args[0] } : null;
  return null;
}

function criterionErrors(c: AclCriterion, px: Px, tables: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const f = fetchTable(c.fetch, c.fetchArgs, px.name);
  if (f !== null && !known(tables, f.table))
    out.push(
      `unable to find table '${f.table}' referenced in arg ${f.arg} of ACL keyword '${c.fetch}' in proxy '${px.name}'.`,
    );
  for (const conv of c.converters) {
    if (!/^table_/.test(conv.name) || conv.args[0] === undefined || known(tables, conv.args[0])) continue;
    out.push(
      `unable to find table '${conv.args[0]}' referenced in arg 1 of conversion keyword '${conv.name}' for ACL keyword '${c.fetch}' in proxy '${px.name}'.`,
    );
  }
  return out;
}

function proxyChecks(px: Px, index: number, tables: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  let seq = 0;
  const alert = (file: string, line: number, message: string, phase: number, at: HaproxyAt = 'none') =>
    out.push({
      severity: 'alert',
      file,
      line,
      code: CODES.unknownReference,
      message,
      at,
      postParse: postParseOrder(index, phase, 500 + seq++),
    });

  for (const d of px.other ?? []) {
    if (d.keyword !== 'stick' || !/^(on|match|store-request|store-response)$/.test(d.args[0] ?? '')) continue;
    const t = tableArg(d.args, px.name);
    if (!known(tables, t))
      alert(
        d.file,
        d.line,
        `Proxy '${px.name}': unable to find stick-table '${t}'.`,
        POST_PARSE_PHASE.stickRules,
      );
  }

  // HAProxy's rule lists in the order it resolves them: tcp-request connection, session, content, then http.
  const tracks: { action: string; words: readonly string[]; file: string; line: number }[] = [];
  for (const stage of ['connection', 'session', 'content'] as const)
    for (const r of px.tcpRequestRules ?? [])
      if (r.stage === stage && /^track-sc\d$/.test(r.action))
        tracks.push({ action: r.action, words: r.args, file: r.file, line: r.line });
  for (const rules of [px.httpRequestRules ?? [], px.httpResponseRules ?? []])
    for (const r of rules)
      if (r.action === 'other' && /^track-sc\d$/.test(r.name))
        tracks.push({ action: r.name, words: r.args, file: r.file, line: r.line });
  for (const t of tracks) {
    const name = tableArg(t.words, px.name);
    if (!known(tables, name))
      alert(
        t.file,
        t.line,
        `Proxy '${px.name}': unable to find table '${name}' referenced by ${t.action}.`,
        POST_PARSE_PHASE.trackSc,
      );
  }

  const criteria: { c: AclCriterion; file: string; line: number }[] = (px.acls ?? []).map((a) => ({
    c: a as AclCriterion,
    file: a.file,
    line: a.line,
  }));
  for (const r of [
    ...(px.httpRequestRules ?? []),
    ...(px.httpResponseRules ?? []),
    ...(px.tcpRequestRules ?? []),
    ...(px.useBackends ?? []),
  ])
    for (const group of r.cond?.anyOf ?? [])
      for (const t of group)
        if (t.kind === 'inline')
          criteria.push({ c: t.criterion as AclCriterion, file: r.file, line: r.line });
  for (const { c, file, line } of criteria)
    for (const m of criterionErrors(c, px, tables))
      alert(file, line, m, POST_PARSE_PHASE.resolveArgs, 'parsing:');
  return out;
}

/** What proxyChecks reads; most proxies of a large generated configuration have none of it. */
const mayReferToTables = (px: Px) =>
  (px.other?.length ?? 0) +
    (px.tcpRequestRules?.length ?? 0) +
    (px.httpRequestRules?.length ?? 0) +
    (px.httpResponseRules?.length ?? 0) +
    (px.acls?.length ?? 0) +
    (px.useBackends?.length ?? 0) >
  0;

export function validateStickTableRefs(proxies: readonly Px[]): Diagnostic[] {
  const tables = tableNames(proxies);
  const out: Diagnostic[] = [];
  proxies.forEach((px, i) => {
    if (!px.disabled && mayReferToTables(px)) for (const d of proxyChecks(px, i, tables)) out.push(d);
  });
  return out;
}
