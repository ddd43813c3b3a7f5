/** `acl`, `use_backend`, `use-server`, `http-request`/`http-response`, `tcp-request`, `redirect`. */
import { hasNoPattern, parseCriterion, splitAtCondition } from '../condition.ts';
import type { LineContext } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import type { Condition } from '../model.ts';
import { parseHttpAction, parseRedirect, parseTcpRule } from '../rules.ts';
import {
  aclNames,
  missingPatternFile,
  noPatternMessage,
  type ProxyKeyword,
  type ProxyScope,
  parseRuleCondition,
  sentence,
  time,
  usage,
} from './scope.ts';

/**
 * HAProxy evaluates request rules by kind, whatever their order in the file: tcp-request connection,
 * session, content, then http-request, redirect, use_backend. A rule written after one of a later kind
 * gets HAProxy's warning.
 */
export const RULE_ORDER = [
  'tcp-request connection',
  'tcp-request session',
  'tcp-request content',
  'http-request',
  'redirect',
  'use_backend',
];

export function checkRuleOrder(ctx: LineContext, px: ProxyScope, kind: string) {
  const rank = RULE_ORDER.indexOf(kind);
  const seen = px.ruleRank;
  if (seen && seen.rank > rank) {
    const label = kind.startsWith('tcp-request') ? 'tcp-request' : kind;
    // HAProxy's own wording (article included).
    ctx.warn(
      `a '${label}' rule placed after ${seen.label.startsWith('http') ? 'an' : 'a'} '${seen.label}' rule will still be processed before.`,
      CODES.ignored,
    );
  } else if (!seen || rank > seen.rank) {
    px.ruleRank = { rank, label: kind.startsWith('tcp-request') ? 'tcp-request' : kind };
  }
}

export const aclKeyword: ProxyKeyword = {
  where: 'nfb',
  handle(ctx, px) {
    const [name, ...crit] = ctx.args;
    if (name === undefined || crit.length === 0) return usage(ctx, '<name> <criterion> [flags] [values]');
    if (!/^[A-Za-z0-9_.:-]+$/.test(name)) {
      return ctx.alert(
        `ACL name '${name}' contains invalid characters (use letters, digits, '-', '_', '.', ':').`,
        CODES.badValue,
      );
    }
    const c = parseCriterion(crit);
    if (!c.ok)
      return ctx.alert(`error detected while parsing ACL '${name}' : ${sentence(c.error)}`, CODES.syntax);
    const missing = missingPatternFile(ctx, c.value.patternFiles);
    if (missing) return ctx.alert(`error detected while parsing ACL '${name}' : ${missing}`, CODES.file);
    if (hasNoPattern(c.value)) ctx.warn(noPatternMessage(`ACL '${name}'`, c.value.fetch), CODES.ignored);
    ensure(px.draft, 'acls', () => []).push({ name, ...c.value, file: ctx.file, line: ctx.line });
    aclNames(px).add(name);
  },
};

export const useBackendKeyword: ProxyKeyword = {
  where: 'f',
  handle(ctx, px) {
    const { head, polarity, cond } = splitAtCondition([...ctx.args]);
    if (head.length !== 1) return usage(ctx, '<backend> [{if | unless} <condition>]');
    const c = parseRuleCondition(ctx, px, polarity, cond, 'switching rule');
    if (c === undefined) return;
    ensure(px.draft, 'useBackends', () => []).push({
      backend: head[0],
      cond: c,
      file: ctx.file,
      line: ctx.line,
    });
    checkRuleOrder(ctx, px, 'use_backend');
  },
};

/**
 * `<head words> { if | unless } <condition>` where the condition is mandatory (use-server, force-persist,
 * ignore-persist, monitor fail): HAProxy's words when it is missing, or when more than `headWords` come
 * before it; undefined once an alert is reported.
 */
function requiredCondition(
  ctx: LineContext,
  px: ProxyScope,
  name: string,
  words: string[],
  headWords: number,
  what: string,
): { head: string[]; cond: Condition } | undefined {
  const { head, polarity, cond } = splitAtCondition(words);
  if (head.length !== headWords || polarity === null) {
    ctx.alert(`'${name}' requires either 'if' or 'unless' followed by a condition.`, CODES.syntax);
    return undefined;
  }
  const c = parseRuleCondition(ctx, px, polarity, cond, what);
  return c === undefined || c === null ? undefined : { head, cond: c };
}

export const useServerKeyword: ProxyKeyword = {
  where: 'b',
  handle(ctx, px) {
    if (ctx.args.length === 0) return usage(ctx, '<server> {if | unless} <condition>');
    const r = requiredCondition(ctx, px, 'use-server', [...ctx.args], 1, "a 'use-server' rule");
    if (r === undefined) return;
    const { head, cond: c } = r;
    ensure(px.draft, 'useServers', () => []).push({
      server: head[0],
      cond: c,
      file: ctx.file,
      line: ctx.line,
    });
  },
};

/**
 * `force-persist { if | unless } <condition>` / `ignore-persist …` (backends): the first matching one
 * decides, after the backend is chosen (HAProxy's process_switching_rules).
 */
export function persistKeyword(type: 'force' | 'ignore'): ProxyKeyword {
  return {
    where: 'b',
    handle(ctx, px) {
      const r = requiredCondition(ctx, px, ctx.keyword, [...ctx.args], 0, `a '${ctx.keyword}' rule`);
      if (r === undefined) return;
      ensure(px.draft, 'persistRules', () => []).push({ type, cond: r.cond, file: ctx.file, line: ctx.line });
    },
  };
}

/** `monitor fail { if | unless } <condition>` (frontends): a monitor-uri request then gets a 503. */
export const monitorKeyword: ProxyKeyword = {
  where: 'f',
  handle(ctx, px) {
    const [sub, ...rest] = ctx.args;
    if (sub !== 'fail') return ctx.alert(`'monitor' only supports 'fail'.`, CODES.syntax);
    const r = requiredCondition(ctx, px, 'monitor fail', rest, 0, "a 'monitor fail' condition");
    if (r === undefined) return;
    ensure(px.draft, 'monitorFail', () => []).push({ cond: r.cond, file: ctx.file, line: ctx.line });
  },
};

export function httpRulesKeyword(
  field: 'httpRequestRules' | 'httpResponseRules' | 'httpAfterResponseRules',
): ProxyKeyword {
  return {
    where: 'nfb',
    ownStatus: true,
    handle(ctx, px) {
      const { head, polarity, cond } = splitAtCondition([...ctx.args]);
      const c = parseRuleCondition(ctx, px, polarity, cond, `an '${ctx.keyword} ${head[0] ?? ''}' condition`);
      if (c === undefined) return;
      const r = parseHttpAction(head, { file: ctx.file, line: ctx.line }, c);
      if (!r.ok) return ctx.alert(`'${ctx.keyword}' : ${sentence(r.error)}`, CODES.badValue);
      if (field === 'httpRequestRules') checkRuleOrder(ctx, px, 'http-request');
      ensure(px.draft, field, () => []).push(r.value);
      ctx.uses(ctx.keyword, `${ctx.keyword} ${head[0]}`);
    },
  };
}

export function tcpRulesKeyword(keyword: 'tcp-request' | 'tcp-response'): ProxyKeyword {
  return {
    where: keyword === 'tcp-request' ? 'nfb' : 'b',
    ownStatus: true,
    handle(ctx, px) {
      if (ctx.args[0] === 'inspect-delay') {
        // tcp_parse_tcp_req's wording
        if (ctx.args[1] === undefined || !/^\d/.test(ctx.args[1]))
          return ctx.alert(
            `'${keyword} inspect-delay' expects a positive delay in milliseconds, in ${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}'`,
            CODES.missingArg,
          );
        const ms = time(ctx, ctx.args[1], `${keyword} inspect-delay`);
        if (ms === undefined) return;
        if (keyword === 'tcp-request') px.draft.tcpRequestInspectDelay = ms;
        else px.draft.tcpResponseInspectDelay = ms;
        ctx.uses(keyword, `${keyword} inspect-delay`);
        return;
      }
      const { head, polarity, cond } = splitAtCondition([...ctx.args]);
      // tcp_parse_tcp_req: "'tcp-request content reject' : error detected in frontend 'f' while parsing 'if' condition : …"
      const c = parseRuleCondition(
        ctx,
        px,
        polarity,
        cond,
        (p) =>
          `'${keyword} ${head.slice(0, 2).join(' ')}' : error detected in ${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}' while parsing '${polarity}' condition : ${p}`,
      );
      if (c === undefined) return;
      const r = parseTcpRule(head, { file: ctx.file, line: ctx.line }, c, keyword);
      if (!r.ok) return ctx.alert(r.error, CODES.badValue);
      if (keyword === 'tcp-request') checkRuleOrder(ctx, px, `tcp-request ${r.value.stage}`);
      ensure(px.draft, keyword === 'tcp-request' ? 'tcpRequestRules' : 'tcpResponseRules', () => []).push(
        r.value,
      );
      ctx.uses(keyword, `${keyword} ${head[0]} ${head[1]}`);
    },
  };
}

export const redirectKeyword: ProxyKeyword = {
  where: 'fb',
  handle(ctx, px) {
    const { head, polarity, cond } = splitAtCondition([...ctx.args]);
    const c = parseRuleCondition(ctx, px, polarity, cond, "a 'redirect' condition");
    if (c === undefined) return;
    const r = parseRedirect(head, { file: ctx.file, line: ctx.line }, c);
    if (!r.ok) return ctx.alert(r.error, CODES.badValue);
    checkRuleOrder(ctx, px, 'redirect');
    ensure(px.draft, 'redirects', () => []).push(r.value);
  },
};
