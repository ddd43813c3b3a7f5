/**
 * `map()` and its variants load their file when HAProxy reads the line (pattern.c, pat_ref_load via
 * sample.c's converter argument check): a missing map file stops `haproxy -c` with the message of the
 * place the expression is in. ACL `-f` files are checked by the parser (shared-config).
 *
 * HAProxy 2.6's wording per place, as the real binary prints it (test/check-cases/pattern-*.cfg):
 * - `acl NAME …,map(F)`: cfgparse-listen.c "error detected while parsing ACL '%s' : %s", the ACL then
 *   does not exist, so a later rule naming it gets "no such ACL" (unless another line defines it);
 * - a rule's condition: "error detected while parsing an 'http-request deny' condition : …" (stops
 *   reading: ERR_ABORT), "error detected while parsing switching rule : …" (use_backend);
 * - a log-format argument (`set-header X %[…,map(F)]`): "error detected in frontend 'f' while parsing
 *   'http-request set-header' rule : failed to parse sample expression <REST> : …" (ERR_ABORT);
 * - a sample expression argument (`set-var(txn.x) …`, `capture …`): the same without "failed to parse
 *   sample expression" (ERR_ABORT);
 * - `tcp-request content set-var(…)`, `stick on`: the converter's message alone;
 * - a dynamic `use_backend %[…]`: after parsing, "Parsing [F:L]: failed to parse use_backend rule '…'".
 */
import {
  type Acl,
  type AclCriterion,
  type Condition,
  type Diagnostic,
  type HaproxyAt,
  type HaproxyProxy,
  type HttpRule,
  POST_PARSE_PHASE,
  parseSampleExpression,
  postParseOrder,
  proxyLabel,
} from '@ha-lb/shared-config/haproxy';
import type { CheckContext } from './context.ts';

export const PATTERN_FILE_CODE = 'CFG_ERR_FILE';

const MAP_CONVERTER = /^map(_(str|beg|sub|dir|dom|end|reg|regm|int|ip))?(_(int|ip|str))?$/;

/** The context, and the map files already looked for (see mapError). */
interface Scan extends CheckContext {
  readonly tried: Set<string>;
}

interface Expr {
  fetch: string;
  fetchArgs: readonly string[];
  converters: readonly { name: string; args: readonly string[] }[];
}

/**
 * The converter error for the first map file of `expr` that cannot be opened, or null. HAProxy keeps
 * one pattern reference per file name, created by the first use even when loading fails: only that
 * first use is an error (`tried`, shared by the whole configuration).
 */
function mapError(ctx: Scan, expr: Expr, file: string): string | null {
  const tried = ctx.tried;
  for (const c of expr.converters) {
    const name = c.args[0];
    if (!MAP_CONVERTER.test(c.name) || name === undefined || tried.has(name)) continue;
    tried.add(name);
    if (!ctx.readable(ctx.resolve(name, file)))
      return `invalid args in converter '${c.name}' : failed to open pattern file <${name}>`;
  }
  return null;
}

function exprText(e: Expr): string {
  const part = (name: string, args: readonly string[]) =>
    args.length > 0 ? `${name}(${args.join(',')})` : name;
  return [part(e.fetch, e.fetchArgs), ...e.converters.map((c) => part(c.name, c.args))].join(',');
}

function criterionError(ctx: Scan, c: AclCriterion, file: string): string | null {
  const e = mapError(ctx, c, file);
  return e === null ? null : `${e} in ACL expression '${exprText(c)}'.`;
}

/** The first `%[…]` expression of a log-format string whose map cannot be opened: HAProxy's text. */
function formatError(ctx: Scan, format: string, file: string): string | null {
  for (let i = format.indexOf('%['); i >= 0; i = format.indexOf('%[', i + 2)) {
    const rest = format.slice(i + 2);
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      if (rest[end] === '(') depth++;
      else if (rest[end] === ')') depth--;
      else if (rest[end] === ']' && depth === 0) break;
    }
    const parsed = parseSampleExpression(rest.slice(0, end));
    if (!parsed.ok) continue;
    const e = mapError(ctx, parsed.value, file);
    if (e !== null) return `failed to parse sample expression <${rest}> : ${e}.`;
  }
  return null;
}

/** A sample expression argument (set-var, capture): the converter's message. */
function sampleError(ctx: Scan, text: string | undefined, file: string): string | null {
  if (text === undefined) return null;
  const parsed = parseSampleExpression(text);
  return parsed.ok ? mapError(ctx, parsed.value, file) : null;
}

const sentence = (e: string | null) => (e === null ? null : `${e}.`);

function httpActionLabel(r: HttpRule): string {
  if (r.action === 'set-var') return `set-var(${r.scope}.${r.variable})`;
  if (r.action === 'other') return r.name;
  return r.action;
}

/** The log-format strings and sample expressions an http rule's action reads. */
function httpActionError(ctx: Scan, r: HttpRule): string | null {
  const formats: string[] = [];
  switch (r.action) {
    case 'set-header':
    case 'add-header':
    case 'early-hint':
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method':
    case 'set-status-text':
      formats.push(r.format);
      break;
    case 'redirect':
      formats.push(r.value);
      break;
    case 'return':
      formats.push(...r.headers.map((h) => h.format));
      if (r.body.kind === 'lf-string') formats.push(r.body.value);
      break;
    case 'set-var':
      return sentence(sampleError(ctx, r.expression, r.file));
    case 'other':
      if (/^(capture|track-sc\d|set-var\()/.test(r.name))
        return sentence(sampleError(ctx, r.args[0], r.file));
      return null;
    default:
      return null;
  }
  for (const f of formats) {
    const e = formatError(ctx, f, r.file);
    if (e !== null) return e;
  }
  return null;
}

/** A condition's first problem: an inline criterion's map, or a named ACL that failed to load. */
function conditionError(ctx: Scan, cond: Condition | null, file: string, failed: ReadonlySet<string>) {
  for (const group of cond?.anyOf ?? [])
    for (const t of group) {
      if (t.kind === 'named' && failed.has(t.name)) return `no such ACL : '${t.name}'`;
      if (t.kind === 'inline') {
        const e = criterionError(ctx, t.criterion, file);
        if (e !== null) return e;
      }
    }
  return null;
}

function proxyChecks(ctx: Scan, px: HaproxyProxy, index: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const alert = (
    file: string,
    line: number,
    message: string,
    more: { abort?: boolean; at?: HaproxyAt; postParse?: number } = {},
  ) => out.push({ severity: 'alert', file, line, code: PATTERN_FILE_CODE, message, ...more });

  // ACLs: a name is gone only when none of its lines loaded.
  const loaded = new Set<string>();
  const failed = new Set<string>();
  for (const a of px.acls as readonly Acl[]) {
    const e = criterionError(ctx, a, a.file);
    if (e === null) {
      loaded.add(a.name);
      continue;
    }
    failed.add(a.name);
    alert(a.file, a.line, `error detected while parsing ACL '${a.name}' : ${e}`);
  }
  for (const n of loaded) failed.delete(n);

  for (const [keyword, rules] of [
    ['http-request', px.httpRequestRules],
    ['http-response', px.httpResponseRules],
  ] as const) {
    for (const r of rules) {
      const action = httpActionLabel(r);
      const a = httpActionError(ctx, r);
      if (a !== null) {
        alert(
          r.file,
          r.line,
          `error detected in ${proxyLabel(px)} while parsing '${keyword} ${action}' rule : ${a}`,
          {
            abort: true,
          },
        );
        continue;
      }
      const c = conditionError(ctx, r.cond, r.file, failed);
      if (c !== null)
        alert(
          r.file,
          r.line,
          `error detected while parsing an '${keyword} ${action}' condition : ${c}${c.endsWith('.') ? '' : '.'}`,
          {
            abort: true,
          },
        );
    }
  }
  for (const r of px.tcpRequestRules) {
    if (/^set-var\(/.test(r.action)) {
      const e = sampleError(ctx, r.args[0], r.file);
      if (e !== null) {
        alert(r.file, r.line, e);
        continue;
      }
    }
    for (const group of r.cond?.anyOf ?? [])
      for (const t of group)
        if (t.kind === 'named' && failed.has(t.name))
          alert(
            r.file,
            r.line,
            `'tcp-request ${r.stage} ${r.action}' : error detected in ${proxyLabel(px)} while parsing '${r.cond?.polarity}' condition : no such ACL : '${t.name}'`,
          );
  }
  for (const u of px.useBackends) {
    const c = conditionError(ctx, u.cond, u.file, failed);
    if (c !== null)
      alert(
        u.file,
        u.line,
        `error detected while parsing switching rule : ${c}${c.endsWith('.') ? '' : '.'}`,
      );
    if (!u.backend.includes('%[')) continue;
    const e = formatError(ctx, u.backend, u.file);
    if (e !== null)
      alert(u.file, u.line, `failed to parse use_backend rule '${u.backend}' : ${e}`, {
        at: 'Parsing:',
        postParse: postParseOrder(index, POST_PARSE_PHASE.useBackend),
      });
  }
  for (const d of px.other) {
    if (
      d.keyword !== 'stick' ||
      !['on', 'match', 'store-request', 'store-response'].includes(d.args[0] ?? '')
    )
      continue;
    const e = sampleError(ctx, d.args[1], d.file);
    if (e !== null) alert(d.file, d.line, `'stick': ${e}`);
  }
  return out;
}

/** What proxyChecks reads; most proxies of a large generated configuration have none of it. */
const hasPatterns = (px: HaproxyProxy) =>
  px.acls.length +
    px.httpRequestRules.length +
    px.httpResponseRules.length +
    px.tcpRequestRules.length +
    px.useBackends.length +
    px.other.length >
  0;

export function patternFileChecks(ctx: CheckContext): Diagnostic[] {
  const scan: Scan = { ...ctx, tried: new Set() };
  const out: Diagnostic[] = [];
  ctx.model.proxies.forEach((px, i) => {
    if (hasPatterns(px)) for (const d of proxyChecks(scan, px, i)) out.push(d);
  });
  return out;
}
