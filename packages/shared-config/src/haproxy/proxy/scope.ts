/** What every proxy keyword handler shares: the proxy being built and small parsing helpers. */

import { suggest } from '../../common/did-you-mean.ts';
import { hasNoPattern, PREDEFINED_ACLS, parseCondition } from '../condition.ts';
import type { LineContext, ProxyDraft } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import type { Condition } from '../model.ts';
import { parseInteger, parseTime } from '../values.ts';

export type ProxyKind = 'defaults' | 'frontend' | 'backend' | 'listen';

export interface ProxyScope {
  kind: ProxyKind;
  name: string;
  draft: ProxyDraft;
  capabilities: { frontend: boolean; backend: boolean };
  /** The latest-processed kind of rule seen so far, for HAProxy's rule-ordering warning. */
  ruleRank?: { rank: number; label: string };
  /** Names of `draft.acls` (inherited ones included), built on first use: see aclNames(). */
  aclNames?: Set<string>;
}

export interface ProxyKeyword {
  /**
   * Where the keyword may appear: d = defaults, n = named defaults only, f = frontend capability,
   * b = backend capability.
   */
  where: string;
  /** The handler reports its own runtime status (keyword families such as option/timeout). */
  ownStatus?: boolean;
  handle(ctx: LineContext, px: ProxyScope): void;
}

/** Ends a message with a period unless it already ends a sentence (`… maybe ?`). */
export const sentence = (msg: string) => (/[.?!)]$/.test(msg) ? msg : `${msg}.`);

export const usage = (ctx: LineContext, text: string) =>
  ctx.alert(`'${ctx.keyword}' expects ${text}.`, CODES.missingArg);

/**
 * The names of the proxy's ACLs, as a set: a rule's condition looks its names up here, so a proxy of
 * 40 000 `acl` + rule pairs loads in linear time (the `acl` handler adds each new name).
 */
export function aclNames(px: ProxyScope): Set<string> {
  px.aclNames ??= new Set((px.draft.acls ?? []).map((a) => a.name));
  return px.aclNames;
}

export function knownAcl(px: ProxyScope) {
  const names = aclNames(px);
  return (name: string) => PREDEFINED_ACLS.includes(name) || names.has(name);
}

/**
 * Parses the `if|unless …` part of a rule; undefined when an error was reported. `what` is how HAProxy
 * introduces the problem: "an 'http-request deny' condition" gives "error detected while parsing an
 * 'http-request deny' condition : …"; a function writes the whole message around the problem.
 */
export function parseRuleCondition(
  ctx: LineContext,
  px: ProxyScope,
  polarity: 'if' | 'unless' | null,
  words: string[],
  what: string | ((problem: string) => string),
): Condition | null | undefined {
  if (polarity === null) return null;
  const around =
    typeof what === 'string' ? (p: string) => `error detected while parsing ${what} : ${sentence(p)}` : what;
  const c = parseCondition(polarity, words, knownAcl(px));
  if (!c.ok) {
    let msg = around(c.error);
    if (c.unknown) {
      const names = [...new Set([...(px.draft.acls ?? []).map((a) => a.name), ...PREDEFINED_ACLS])];
      const hint = suggest(c.unknown, names);
      if (hint) msg += ` Did you mean '${hint}' maybe ?`;
      else msg += ` Declare it first with 'acl ${c.unknown} <criterion> [values]'.`;
    }
    ctx.alert(msg, c.unknown ? CODES.unknownReference : CODES.syntax);
    return undefined;
  }
  for (const group of c.value.anyOf) {
    for (const term of group) {
      if (term.kind !== 'inline') continue;
      const missing = missingPatternFile(ctx, term.criterion.patternFiles);
      if (missing) {
        ctx.alert(around(missing), CODES.file);
        return undefined;
      }
      if (hasNoPattern(term.criterion)) {
        ctx.warn(noPatternMessage('anonymous ACL', term.criterion.fetch), CODES.ignored);
      }
    }
  }
  return c.value;
}

/** HAProxy's "no pattern to match against" warning, on one line. */
export function noPatternMessage(what: string, fetch: string): string {
  return `${what} ('${fetch}') has no pattern to match against, so it will never match; add '--' if this is intended, use '-m found' to match on existence, or '-m bool' to test an integer as a boolean.`;
}

/** `-f FILE` pattern files must be readable (HAProxy loads them at start-up); the message for the first that is not. */
export function missingPatternFile(ctx: LineContext, files: readonly string[]): string | null {
  for (const f of files) {
    if (!ctx.readable(ctx.resolvePath(f))) return `failed to open pattern file <${f}>.`;
  }
  return null;
}

export function time(ctx: LineContext, text: string | undefined, what: string): number | undefined {
  if (text === undefined) {
    ctx.alert(`'${what}' expects a time value (e.g. 10s).`, CODES.missingArg);
    return undefined;
  }
  const t = parseTime(text, what);
  if (!t.ok) {
    ctx.alert(t.error, CODES.badValue);
    return undefined;
  }
  return t.value;
}

export function int(ctx: LineContext, text: string | undefined, what: string, min = 0, max = 2 ** 31 - 1) {
  const n = parseInteger(text, what, min, max);
  if (!n.ok) {
    ctx.alert(n.error, CODES.badValue);
    return undefined;
  }
  return n.value;
}

export function noExtra(ctx: LineContext, count: number): boolean {
  if (ctx.args.length > count) {
    ctx.alert(
      `'${ctx.keyword}' ${count === 0 ? 'takes no argument' : `expects ${count} argument${count > 1 ? 's' : ''}`} (unexpected '${ctx.args[count]}').`,
      CODES.syntax,
    );
    return false;
  }
  return true;
}

export function capabilityOk(px: ProxyScope, where: string): boolean {
  if (px.kind === 'defaults') return where.includes('d');
  return (
    (where.includes('f') && px.capabilities.frontend) || (where.includes('b') && px.capabilities.backend)
  );
}

export function simple(where: string, handle: ProxyKeyword['handle'], ownStatus = false): ProxyKeyword {
  return { where, handle, ownStatus };
}

export function intKeyword(
  where: string,
  set: (d: ProxyDraft, n: number) => void,
  min = 0,
  max = 2 ** 31 - 1,
): ProxyKeyword {
  return simple(where, (ctx, px) => {
    if (!noExtra(ctx, 1)) return;
    const n = int(ctx, ctx.args[0], ctx.keyword, min, max);
    if (n !== undefined) set(px.draft, n);
  });
}

export function stringKeyword(
  where: string,
  set: (d: ProxyDraft, v: string) => void,
  what = 'an argument',
  join = false,
): ProxyKeyword {
  return simple(where, (ctx, px) => {
    if (ctx.args.length === 0) return usage(ctx, what);
    if (!join && !noExtra(ctx, 1)) return;
    set(px.draft, join ? ctx.args.join(' ') : ctx.args[0]);
  });
}

/** Kept as written in `other` (planned features whose syntax we only check loosely). */
export function rawKeyword(where: string, minArgs = 1): ProxyKeyword {
  return simple(where, (ctx, px) => {
    if (ctx.args.length < minArgs) return usage(ctx, 'arguments');
    ensure(px.draft, 'other', () => []).push({
      keyword: ctx.keyword,
      args: [...ctx.args],
      file: ctx.file,
      line: ctx.line,
    });
  });
}
