/**
 * `http-request`, `http-response`, `http-after-response`, `redirect` and `tcp-request`/`tcp-response`
 * actions, parsed into structured rules (configuration.txt §4.2 "http-request", §4.4 actions).
 */

import type { z } from 'zod';
import { suggest } from '../common/did-you-mean.ts';
import type { HttpRuleSchema, TcpRuleSchema } from './model.ts';
import type { Parsed } from './values.ts';
import { parseInteger } from './values.ts';

export type HttpRuleInput = z.input<typeof HttpRuleSchema>;
export type TcpRuleInput = z.input<typeof TcpRuleSchema>;
type Where = { file: string; line: number };

/** Actions parsed loosely into `{ action: 'other' }` — known names, so typos still get caught. */
const OTHER_HTTP_ACTIONS = [
  'add-acl',
  'cache-store',
  'cache-use',
  'capture',
  'del-acl',
  'del-map',
  'disable-l7-retry',
  'do-resolve',
  'normalize-uri',
  'ot-group',
  'reject',
  'sc-add-gpc',
  'sc-inc-gpc',
  'sc-inc-gpc0',
  'sc-inc-gpc1',
  'sc-set-gpt',
  'sc-set-gpt0',
  'send-spoe-group',
  'set-bandwidth-limit',
  'set-dst',
  'set-dst-port',
  'set-log-level',
  'set-map',
  'set-mark',
  'set-nice',
  'set-priority-class',
  'set-priority-offset',
  'set-src',
  'set-src-port',
  'set-timeout',
  'set-tos',
  'silent-drop',
  'strict-mode',
  'track-sc0',
  'track-sc1',
  'track-sc2',
  'track-sc',
  'unset-var',
  'use-service',
  'wait-for-body',
  'wait-for-handshake',
];

const STRUCTURED_HTTP_ACTIONS = [
  'allow',
  'deny',
  'tarpit',
  'redirect',
  'set-header',
  'add-header',
  'early-hint',
  'del-header',
  'replace-header',
  'replace-value',
  'replace-path',
  'replace-pathq',
  'replace-uri',
  'set-path',
  'set-pathq',
  'set-query',
  'set-uri',
  'set-method',
  'set-status',
  'return',
  'auth',
  'set-var',
];

export const HTTP_ACTIONS: readonly string[] = [...STRUCTURED_HTTP_ACTIONS, ...OTHER_HTTP_ACTIONS];

const err = <T>(error: string): Parsed<T> => ({ ok: false, error });

function need(args: string[], n: number, usage: string): string | null {
  return args.length < n
    ? `expects ${usage}`
    : args.length > n
      ? `expects ${usage} (unexpected '${args[n]}')`
      : null;
}

const BODY_KINDS = ['string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles'] as const;

/** Parses `return`/`deny`/`tarpit` payload options starting at args[i]; returns the index after them. */
function parsePayload(
  args: string[],
  start: number,
  out: {
    status?: number;
    contentType?: string | null;
    body?: { kind: (typeof BODY_KINDS)[number] | 'none'; value: string } | null;
    headers?: { name: string; format: string }[];
  },
  statusWord: string,
): Parsed<number> {
  let i = start;
  while (i < args.length) {
    const a = args[i];
    if (a === statusWord) {
      const s = parseInteger(args[i + 1], statusWord, 200, 599);
      if (!s.ok) return err(`'${statusWord}' expects an HTTP status code between 200 and 599`);
      out.status = s.value;
      i += 2;
    } else if (a === 'content-type') {
      if (args[i + 1] === undefined) return err("'content-type' expects a MIME type");
      out.contentType = args[i + 1];
      i += 2;
    } else if ((BODY_KINDS as readonly string[]).includes(a)) {
      if (args[i + 1] === undefined) return err(`'${a}' expects an argument`);
      out.body = { kind: a as (typeof BODY_KINDS)[number], value: args[i + 1] };
      i += 2;
    } else if (a === 'default-errorfiles') {
      out.body = { kind: 'errorfiles', value: '' };
      i += 1;
    } else if (a === 'hdr') {
      if (args[i + 2] === undefined) return err("'hdr' expects a header name and a value");
      out.headers = [...(out.headers ?? []), { name: args[i + 1], format: args[i + 2] }];
      i += 3;
    } else {
      return err(`unexpected argument '${a}'`);
    }
  }
  return { ok: true, value: i };
}

/** Parses the words after `http-request` (without the condition). */
export function parseHttpAction(
  words: string[],
  where: Where,
  cond: HttpRuleInput['cond'],
): Parsed<HttpRuleInput> {
  const [action, ...args] = words;
  const base = { ...where, cond };
  if (action === undefined)
    return err(`expects an action (${STRUCTURED_HTTP_ACTIONS.slice(0, 8).join(', ')}, …)`);
  switch (action) {
    case 'allow':
      if (args.length > 0) return err(`'allow' takes no argument (unexpected '${args[0]}')`);
      return { ok: true, value: { action, ...base } };
    case 'deny':
    case 'tarpit': {
      const out: Parameters<typeof parsePayload>[2] = {};
      const r = parsePayload(args, 0, out, args.includes('deny_status') ? 'deny_status' : 'status');
      if (!r.ok) return err(`'${action}': ${r.error}`);
      return {
        ok: true,
        value: {
          action,
          status: out.status,
          body: out.body ?? null,
          contentType: out.contentType ?? null,
          headers: out.headers ?? [],
          ...base,
        },
      };
    }
    case 'return': {
      const out: Parameters<typeof parsePayload>[2] = {};
      const r = parsePayload(args, 0, out, 'status');
      if (!r.ok) return err(`'return': ${r.error}`);
      return {
        ok: true,
        value: {
          action,
          status: out.status,
          contentType: out.contentType ?? null,
          body: out.body ?? { kind: 'none', value: '' },
          headers: out.headers ?? [],
          ...base,
        },
      };
    }
    case 'redirect':
      return parseRedirect(args, where, cond);
    case 'set-header':
    case 'add-header':
    case 'early-hint': {
      const e = need(args, 2, `<name> <fmt>`);
      if (e) return err(`'${action}' ${e}`);
      return { ok: true, value: { action, name: args[0], format: args[1], ...base } };
    }
    case 'del-header': {
      if (args.length === 0) return err("'del-header' expects <name> [-m <meth>]");
      let method: 'str' | 'beg' | 'end' | 'sub' | 'reg' = 'str';
      if (args.length > 1) {
        if (
          args[1] !== '-m' ||
          !['str', 'beg', 'end', 'sub', 'reg'].includes(args[2] ?? '') ||
          args.length > 3
        ) {
          return err("'del-header' expects <name> [-m <meth>] where <meth> is str, beg, end, sub or reg");
        }
        method = args[2] as typeof method;
      }
      return { ok: true, value: { action, name: args[0], method, ...base } };
    }
    case 'replace-header':
    case 'replace-value': {
      const e = need(args, 3, '<name> <match-regex> <replace-fmt>');
      if (e) return err(`'${action}' ${e}`);
      const re = checkRegex(args[1]);
      if (re) return err(`'${action}': ${re}`);
      return { ok: true, value: { action, name: args[0], regex: args[1], replace: args[2], ...base } };
    }
    case 'replace-path':
    case 'replace-pathq':
    case 'replace-uri': {
      const e = need(args, 2, '<match-regex> <replace-fmt>');
      if (e) return err(`'${action}' ${e}`);
      const re = checkRegex(args[0]);
      if (re) return err(`'${action}': ${re}`);
      return { ok: true, value: { action, regex: args[0], replace: args[1], ...base } };
    }
    case 'set-path':
    case 'set-pathq':
    case 'set-query':
    case 'set-uri':
    case 'set-method':
    case 'set-status-text': {
      const e = need(args, 1, '<fmt>');
      if (e) return err(`'${action}' ${e}`);
      return { ok: true, value: { action, format: args[0], ...base } };
    }
    case 'set-status': {
      const s = parseInteger(args[0], 'set-status', 100, 999);
      if (!s.ok) return err("'set-status' expects a status code between 100 and 999");
      let reason: string | null = null;
      if (args.length > 1) {
        if (args[1] !== 'reason' || args.length !== 3)
          return err("'set-status' expects <status> [reason <str>]");
        reason = args[2];
      }
      return { ok: true, value: { action, status: s.value, reason, ...base } };
    }
    case 'auth': {
      let realm: string | null = null;
      if (args.length > 0) {
        if (args[0] !== 'realm' || args.length !== 2) return err("'auth' expects [realm <realm>]");
        realm = args[1];
      }
      return { ok: true, value: { action, realm, ...base } };
    }
    default: {
      const setVar = /^set-var\(([a-z]+)\.([A-Za-z0-9_.]+)\)$/.exec(action);
      if (setVar) {
        if (!['proc', 'sess', 'txn', 'req', 'res'].includes(setVar[1])) {
          return err(
            `invalid variable scope '${setVar[1]}' in '${action}' (use proc, sess, txn, req or res)`,
          );
        }
        if (args.length === 0) return err(`'${action}' expects a sample expression`);
        return {
          ok: true,
          value: {
            action: 'set-var',
            scope: setVar[1],
            variable: setVar[2],
            expression: args.join(' '),
            ...base,
          },
        };
      }
      const bare = action.replace(/\(.*$/, '');
      if (
        OTHER_HTTP_ACTIONS.includes(bare) ||
        /^(sc-[a-z-]+|track-sc\d|lua\.|set-var-fmt|unset-var|set-var)/.test(bare)
      ) {
        return { ok: true, value: { action: 'other', name: action, args, ...base } };
      }
      const hint = suggest(bare, HTTP_ACTIONS);
      return err(
        `unknown action '${action}'${hint ? `; did you mean '${hint}' maybe ?` : ''} (expects ${STRUCTURED_HTTP_ACTIONS.slice(0, 10).join(', ')}, …)`,
      );
    }
  }
}

export function parseRedirect(
  args: string[],
  where: Where,
  cond: HttpRuleInput['cond'],
): Parsed<HttpRuleInput> {
  const type = args[0];
  if (type !== 'location' && type !== 'prefix' && type !== 'scheme') {
    return err("'redirect' expects 'location', 'prefix' or 'scheme' followed by a value");
  }
  if (args[1] === undefined) return err(`'redirect ${type}' expects a value`);
  const rule: Extract<HttpRuleInput, { action: 'redirect' }> = {
    action: 'redirect',
    type,
    value: args[1],
    ...where,
    cond,
  };
  for (let i = 2; i < args.length; i++) {
    const a = args[i];
    if (a === 'code') {
      const c = Number(args[i + 1]);
      if (![301, 302, 303, 307, 308].includes(c)) {
        return err(
          `'redirect': unsupported HTTP code '${args[i + 1] ?? ''}' (use 301, 302, 303, 307 or 308)`,
        );
      }
      rule.code = c as 301;
      i++;
    } else if (a === 'drop-query') rule.dropQuery = true;
    else if (a === 'append-slash') rule.appendSlash = true;
    else if (a === 'set-cookie' || a === 'clear-cookie') {
      if (args[i + 1] === undefined) return err(`'redirect': '${a}' expects a cookie name`);
      if (a === 'set-cookie') rule.setCookie = args[i + 1];
      else rule.clearCookie = args[i + 1];
      i++;
    } else {
      return err(
        `'redirect': unexpected argument '${a}' (expects code, drop-query, append-slash, set-cookie, clear-cookie)`,
      );
    }
  }
  return { ok: true, value: rule };
}

function checkRegex(re: string): string | null {
  try {
    // HAProxy uses PCRE; JavaScript's syntax is close enough to catch unbalanced groups and the like.
    new RegExp(re);
    return null;
  } catch (e) {
    return `invalid regex '${re}': ${(e as Error).message}`;
  }
}

const TCP_STAGES = ['connection', 'session', 'content'] as const;
const TCP_ACTIONS = [
  'accept',
  'reject',
  'expect-proxy',
  'expect-netscaler-cip',
  'capture',
  'do-resolve',
  'sc-inc-gpc0',
  'sc-inc-gpc1',
  'sc-set-gpt0',
  'set-dst',
  'set-dst-port',
  'set-log-level',
  'set-mark',
  'set-nice',
  'set-priority-class',
  'set-priority-offset',
  'set-src',
  'set-src-port',
  'set-tos',
  'set-var',
  'unset-var',
  'silent-drop',
  'send-spoe-group',
  'switch-mode',
  'track-sc0',
  'track-sc1',
  'track-sc2',
  'use-service',
  'close',
  'set-bandwidth-limit',
];

/** `tcp-request connection|session|content ACTION …` (the words after `tcp-request`, without condition). */
export function parseTcpRule(
  words: string[],
  where: Where,
  cond: TcpRuleInput['cond'],
  keyword: 'tcp-request' | 'tcp-response',
): Parsed<TcpRuleInput> {
  const [stage, action, ...args] = words;
  const stages: readonly string[] = keyword === 'tcp-request' ? TCP_STAGES : ['content'];
  if (!stages.includes(stage ?? '')) {
    return err(
      `'${keyword}' expects ${stages.map((s) => `'${s}'`).join(', ')} or 'inspect-delay'${stage ? `, got '${stage}'` : ''}`,
    );
  }
  if (action === undefined) return err(`'${keyword} ${stage}' expects an action (accept, reject, …)`);
  const bare = action.replace(/\(.*$/, '');
  if (!TCP_ACTIONS.includes(bare) && !/^(sc-[a-z-]+\d*|track-sc\d|lua\.)/.test(bare)) {
    const hint = suggest(bare, TCP_ACTIONS);
    return err(
      `'${keyword} ${stage}': unknown action '${action}'${hint ? `; did you mean '${hint}' maybe ?` : ''}`,
    );
  }
  return {
    ok: true,
    value: { stage: stage as (typeof TCP_STAGES)[number], action, args, ...where, cond },
  };
}
