/**
 * ACL criteria and the condition language (configuration.txt §7.1–7.2):
 * `acl NAME FETCH[(args)][,conv…] [flags] [values]` and `if|unless [!]acl1 acl2 or|'||' …` with
 * anonymous ACLs between braces.
 */
import { suggest } from '../common/did-you-mean.ts';
import type { AclCriterion, Condition, ConditionTerm } from './model.ts';
import {
  BOOLEAN_FETCHES,
  CONVERTER_NAMES,
  FETCH_NAMES,
  INTEGER_FETCHES,
  IP_FETCHES,
} from './sample-names.ts';
import type { Parsed } from './values.ts';
import { parseCidr } from './values.ts';

/** ACLs every proxy knows without declaring them (§7.4). */
export const PREDEFINED_ACLS: readonly string[] = [
  'FALSE',
  'HTTP',
  'HTTP_1.0',
  'HTTP_1.1',
  'HTTP_2.0',
  'HTTP_CONTENT',
  'HTTP_URL_ABS',
  'HTTP_URL_SLASH',
  'HTTP_URL_STAR',
  'LOCALHOST',
  'METH_CONNECT',
  'METH_DELETE',
  'METH_GET',
  'METH_HEAD',
  'METH_OPTIONS',
  'METH_POST',
  'METH_PUT',
  'METH_TRACE',
  'RDP_COOKIE',
  'REQ_CONTENT',
  'TRUE',
  'WAIT_END',
];

const MATCH_METHODS = [
  'found',
  'bool',
  'int',
  'ip',
  'bin',
  'len',
  'str',
  'sub',
  'reg',
  'beg',
  'end',
  'dir',
  'dom',
];
const IMPLIED_MATCH = /_(beg|end|sub|reg|dir|dom|len|cnt|val|found|ip|int|str|bin)$/;

interface FetchExpr {
  fetch: string;
  fetchArgs: string[];
  converters: { name: string; args: string[] }[];
}

/** Splits `name(a,b),conv(x),conv2` into the fetch and its converters. */
export function parseSampleExpression(text: string): Parsed<FetchExpr> {
  const parts: { name: string; args: string[] }[] = [];
  let i = 0;
  while (i < text.length) {
    const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(text.slice(i));
    if (!m) return { ok: false, error: `invalid sample expression '${text}' near '${text.slice(i)}'` };
    const name = m[0];
    i += name.length;
    let args: string[] = [];
    if (text[i] === '(') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')') {
          depth--;
          if (depth === 0) break;
        }
      }
      if (j >= text.length) return { ok: false, error: `missing closing ')' after arguments to '${name}'` };
      const inner = text.slice(i + 1, j);
      args = inner === '' ? [] : splitArgs(inner);
      i = j + 1;
    }
    parts.push({ name, args });
    if (i < text.length) {
      if (text[i] !== ',')
        return { ok: false, error: `invalid sample expression '${text}' near '${text.slice(i)}'` };
      i++;
    }
  }
  if (parts.length === 0) return { ok: false, error: 'missing sample fetch' };
  return { ok: true, value: { fetch: parts[0].name, fetchArgs: parts[0].args, converters: parts.slice(1) } };
}

/** Commas inside nested parentheses do not split (`regsub(a,b)` inside an argument is rare but legal). */
function splitArgs(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of inner) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const MATCH_SUFFIX = /^(.+)_(beg|end|sub|reg|dir|dom|len|cnt|ip|val|found|int|str|bin)$/;

/** True when `name` is a sample fetch HAProxy 2.6 knows (with an optional ACL match suffix). */
export function isKnownFetch(name: string): boolean {
  if (FETCH_NAMES.has(name) || name.startsWith('lua.')) return true;
  const m = MATCH_SUFFIX.exec(name);
  return m !== null && FETCH_NAMES.has(m[1]);
}

/** HAProxy's wording for an unknown fetch or converter, plus a suggestion. */
export function checkSampleNames(expr: { fetch: string; converters: { name: string }[] }): string | null {
  if (!isKnownFetch(expr.fetch)) {
    const hint = suggest(expr.fetch, FETCH_NAMES);
    return `unknown fetch method '${expr.fetch}' in ACL expression '${expr.fetch}'${hint ? `; did you mean '${hint}' maybe ?` : ''}`;
  }
  for (const c of expr.converters) {
    if (!CONVERTER_NAMES.has(c.name) && !c.name.startsWith('lua.')) {
      const hint = suggest(c.name, CONVERTER_NAMES);
      return `ACL keyword '${expr.fetch}' : unknown converter '${c.name}'${hint ? `; did you mean '${hint}' maybe ?` : ''}`;
    }
  }
  return null;
}

type ValueKind = 'string' | 'int' | 'ip' | 'none';

/** How an ACL's values are read: by `-m`, else by the fetch's match suffix, else by its output type. */
export function valueKind(c: {
  fetch: string;
  converters: readonly unknown[];
  match: string | null;
}): ValueKind {
  switch (c.match) {
    case 'found':
    case 'bool':
      return 'none';
    case 'int':
    case 'len':
      return 'int';
    case 'ip':
      return 'ip';
    case null:
      break;
    default:
      return 'string';
  }
  // A converter may change the type; only judge the bare fetch.
  if (c.converters.length > 0) return 'string';
  if (INTEGER_FETCHES.has(c.fetch)) return 'int';
  if (IP_FETCHES.has(c.fetch)) return 'ip';
  if (BOOLEAN_FETCHES.has(c.fetch)) return 'none';
  return 'string';
}

const INT_OPERATORS = ['eq', 'ge', 'gt', 'le', 'lt'];

/** HAProxy's value checks for integer and address ACLs (its wording). */
function checkValues(kind: ValueKind, values: readonly string[]): string | null {
  if (kind === 'int') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (INT_OPERATORS.includes(v) && i + 1 < values.length) continue;
      if (/^-?\d+$/.test(v) || /^(\d+:\d*|:\d+)$/.test(v)) continue;
      return `'${v}' is neither a number nor a supported operator.`;
    }
  } else if (kind === 'ip') {
    for (const v of values) {
      if (!parseCidr(v, 'acl').ok) return `'${v}' is not a valid IPv4 or IPv6 address.`;
    }
  }
  return null;
}

/**
 * True when an ACL can never match because it has nothing to compare with (HAProxy warns): no
 * values, no `-f` file, no `--`, and a fetch that is not a boolean or an existence test.
 */
export function hasNoPattern(c: AclCriterion): boolean {
  return (
    c.values.length === 0 &&
    c.patternFiles.length === 0 &&
    !c.otherFlags.includes('--') &&
    valueKind(c) !== 'none'
  );
}

/** `FETCH [flags] [values]` (the words after the ACL name, or inside braces). */
export function parseCriterion(words: string[]): Parsed<AclCriterion> {
  if (words.length === 0) return { ok: false, error: 'missing ACL criterion (write e.g. path_beg /static)' };
  const expr = parseSampleExpression(words[0]);
  if (!expr.ok) return expr;
  const unknown = checkSampleNames(expr.value);
  if (unknown) return { ok: false, error: unknown };
  let ignoreCase = false;
  // a fetch whose own name ends like a match suffix (`wait_end`) implies nothing
  const implied =
    expr.value.fetch === 'wait_end' ? null : (IMPLIED_MATCH.exec(expr.value.fetch)?.[1] ?? null);
  // `hdr_cnt`, `hdr_val`: the fetch yields a number compared with `-m int`.
  let match: string | null = implied === 'cnt' || implied === 'val' ? 'int' : implied;
  const patternFiles: string[] = [];
  const otherFlags: string[] = [];
  let i = 1;
  flags: while (i < words.length && words[i].startsWith('-') && words[i].length > 1) {
    const flag = words[i];
    if (flag === '--') {
      otherFlags.push(flag);
      i++;
      break;
    }
    switch (flag) {
      case '-i':
        ignoreCase = true;
        i++;
        break;
      case '-m': {
        const method = words[i + 1];
        if (method === undefined || !MATCH_METHODS.includes(method)) {
          return {
            ok: false,
            error: `'-m' expects a match method (${MATCH_METHODS.join(', ')})${method ? `, got '${method}'` : ''}`,
          };
        }
        match = method;
        i += 2;
        break;
      }
      case '-f':
        if (words[i + 1] === undefined) return { ok: false, error: "'-f' expects a pattern file name" };
        patternFiles.push(words[i + 1]);
        i += 2;
        break;
      case '-u':
      case '-M':
        otherFlags.push(flag);
        if (flag === '-u') {
          if (words[i + 1] === undefined) return { ok: false, error: "'-u' expects a unique id" };
          otherFlags.push(words[i + 1]);
          i++;
        }
        i++;
        break;
      case '-n':
        otherFlags.push(flag);
        i++;
        break;
      default:
        // A negative integer value (`-1`) or a value starting with '-' ends the flags, like HAProxy.
        if (/^-\d/.test(flag)) break flags;
        return {
          ok: false,
          error: `'${flag}' is not a valid ACL option (use -i, -f FILE, -m METHOD, -n, -M, -u ID, --)`,
        };
    }
  }
  const values = words.slice(i);
  const bad = checkValues(
    valueKind({ fetch: expr.value.fetch, converters: expr.value.converters, match }),
    values,
  );
  if (bad) return { ok: false, error: bad };
  return {
    ok: true,
    value: { ...expr.value, ignoreCase, match, patternFiles, otherFlags, values },
  };
}

/**
 * The words after `if`/`unless`. `knownAcl` decides whether a name refers to a declared ACL; unknown
 * names are reported by the caller (they need a did-you-mean against the proxy's ACLs).
 */
export function parseCondition(
  polarity: 'if' | 'unless',
  words: string[],
  knownAcl: (name: string) => boolean,
): Parsed<Condition> & { unknown?: string } {
  const anyOf: ConditionTerm[][] = [[]];
  let i = 0;
  let negate = false;
  while (i < words.length) {
    const w = words[i];
    if (w === '||' || w === 'or') {
      if (negate || anyOf[anyOf.length - 1].length === 0) {
        return { ok: false, error: `missing ACL before '${w}'` };
      }
      anyOf.push([]);
      i++;
      continue;
    }
    if (w === '!') {
      negate = !negate;
      i++;
      continue;
    }
    if (w === '{' || w === '!{') {
      if (w === '!{') negate = !negate;
      const close = words.indexOf('}', i + 1);
      if (close < 0) return { ok: false, error: "missing closing '}' in condition" };
      const crit = parseCriterion(words.slice(i + 1, close));
      if (!crit.ok) return crit;
      anyOf[anyOf.length - 1].push({ kind: 'inline', negate, criterion: crit.value });
      negate = false;
      i = close + 1;
      continue;
    }
    if (w === '}') return { ok: false, error: "unexpected '}' in condition" };
    let name = w;
    while (name.startsWith('!')) {
      negate = !negate;
      name = name.slice(1);
    }
    if (!knownAcl(name)) return { ok: false, error: `no such ACL : '${name}'`, unknown: name };
    anyOf[anyOf.length - 1].push({ kind: 'named', negate, name });
    negate = false;
    i++;
  }
  if (negate) return { ok: false, error: "missing ACL after '!'" };
  // nothing after if/unless: HAProxy 2.6 accepts it as a condition of no term, which never holds
  // (`if`: the rule never applies; `unless`: it always does)
  if (words.length === 0) return { ok: true, value: { polarity, anyOf: [] } };
  if (anyOf[anyOf.length - 1].length === 0) {
    return {
      ok: false,
      error: anyOf.length === 1 ? `missing condition after '${polarity}'` : "missing ACL after 'or'",
    };
  }
  return { ok: true, value: { polarity, anyOf } };
}

/**
 * Splits a rule's words at its `if`/`unless` (the first one that is not a quoted argument: by then the
 * tokenizer has removed quotes, so a literal `if` argument must be avoided, as in HAProxy).
 */
export function splitAtCondition(words: string[]): {
  head: string[];
  polarity: 'if' | 'unless' | null;
  cond: string[];
} {
  const at = words.findIndex((w) => w === 'if' || w === 'unless');
  if (at < 0) return { head: words, polarity: null, cond: [] };
  return { head: words.slice(0, at), polarity: words[at] as 'if' | 'unless', cond: words.slice(at + 1) };
}
