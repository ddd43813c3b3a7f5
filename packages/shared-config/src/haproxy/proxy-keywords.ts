/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections (configuration.txt §4), as one
 * table: keyword → where it is allowed and a handler that fills the proxy draft.
 */
import { suggest } from '../common/did-you-mean.ts';
import { parseBindOptions } from './bind-options.ts';
import { PREDEFINED_ACLS, parseCondition, parseCriterion, splitAtCondition } from './condition.ts';
import type { LineContext, ProxyDraft } from './context.ts';
import { CODES, ensure } from './context.ts';
import type { Condition } from './model.ts';
import { BOOLEAN_OPTIONS, camelCase } from './model.ts';
import type { HttpRuleInput } from './rules.ts';
import { parseHttpAction, parseRedirect, parseTcpRule } from './rules.ts';
import { applyServerOptions, serverOptionStatusKey } from './server-options.ts';
import { parseAddress, parseCidr, parseInteger, parseTime } from './values.ts';

export type ProxyKind = 'defaults' | 'frontend' | 'backend' | 'listen';

export interface ProxyScope {
  kind: ProxyKind;
  name: string;
  draft: ProxyDraft;
  capabilities: { frontend: boolean; backend: boolean };
  /** The latest-processed kind of rule seen so far, for HAProxy's rule-ordering warning. */
  ruleRank?: { rank: number; label: string };
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
const sentence = (msg: string) => (/[.?!)]$/.test(msg) ? msg : `${msg}.`);

const usage = (ctx: LineContext, text: string) =>
  ctx.alert(`'${ctx.keyword}' expects ${text}.`, CODES.missingArg);

function knownAcl(px: ProxyScope) {
  return (name: string) =>
    PREDEFINED_ACLS.includes(name) || (px.draft.acls ?? []).some((a) => a.name === name);
}

/** Parses the `if|unless …` part of a rule; undefined when an error was reported. */
export function parseRuleCondition(
  ctx: LineContext,
  px: ProxyScope,
  polarity: 'if' | 'unless' | null,
  words: string[],
  what: string,
): Condition | null | undefined {
  if (polarity === null) return null;
  const c = parseCondition(polarity, words, knownAcl(px));
  if (!c.ok) {
    let msg = `error detected while parsing ${what} condition : ${sentence(c.error)}`;
    if (c.unknown) {
      const names = [...new Set([...(px.draft.acls ?? []).map((a) => a.name), ...PREDEFINED_ACLS])];
      const hint = suggest(c.unknown, names);
      if (hint) msg += ` Did you mean '${hint}' maybe ?`;
      else msg += ` Declare it first with 'acl ${c.unknown} <criterion> [values]'.`;
    }
    ctx.alert(msg, c.unknown ? CODES.unknownReference : CODES.syntax);
    return undefined;
  }
  return c.value;
}

function time(ctx: LineContext, text: string | undefined, what: string): number | undefined {
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

function int(ctx: LineContext, text: string | undefined, what: string, min = 0, max = 2 ** 31 - 1) {
  const n = parseInteger(text, what, min, max);
  if (!n.ok) {
    ctx.alert(n.error, CODES.badValue);
    return undefined;
  }
  return n.value;
}

function noExtra(ctx: LineContext, count: number): boolean {
  if (ctx.args.length > count) {
    ctx.alert(
      `'${ctx.keyword}' ${count === 0 ? 'takes no argument' : `expects ${count} argument${count > 1 ? 's' : ''}`} (unexpected '${ctx.args[count]}').`,
      CODES.syntax,
    );
    return false;
  }
  return true;
}

/**
 * HAProxy evaluates request rules by kind, whatever their order in the file: tcp-request connection,
 * session, content, then http-request, redirect, use_backend. A rule written after one of a later kind
 * gets HAProxy's warning.
 */
const RULE_ORDER = [
  'tcp-request connection',
  'tcp-request session',
  'tcp-request content',
  'http-request',
  'redirect',
  'use_backend',
];

function checkRuleOrder(ctx: LineContext, px: ProxyScope, kind: string) {
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

// ---------------------------------------------------------------------------------------------
// timeout

const TIMEOUTS: Record<string, { key: keyof ProxyDraft['timeouts']; where: string }> = {
  client: { key: 'client', where: 'df' },
  server: { key: 'server', where: 'db' },
  connect: { key: 'connect', where: 'db' },
  'http-request': { key: 'httpRequest', where: 'dfb' },
  'http-keep-alive': { key: 'httpKeepAlive', where: 'dfb' },
  queue: { key: 'queue', where: 'db' },
  tunnel: { key: 'tunnel', where: 'db' },
  'client-fin': { key: 'clientFin', where: 'df' },
  'server-fin': { key: 'serverFin', where: 'db' },
  check: { key: 'check', where: 'db' },
  tarpit: { key: 'tarpit', where: 'dfb' },
};

/** Removed keywords and what to write instead (HAProxy 2.1 dropped them). */
const LEGACY_TIMEOUTS: Record<string, string> = {
  contimeout: 'timeout connect',
  clitimeout: 'timeout client',
  srvtimeout: 'timeout server',
};

function capabilityOk(px: ProxyScope, where: string): boolean {
  if (px.kind === 'defaults') return where.includes('d');
  return (
    (where.includes('f') && px.capabilities.frontend) || (where.includes('b') && px.capabilities.backend)
  );
}

/**
 * `contimeout`/`clitimeout`/`srvtimeout` (HAProxy 1.x): HAProxy 2.1+ refuses them; we apply them like
 * their modern form and warn with the line to write instead, so old configurations keep working.
 */
function legacyTimeout(keyword: string, modern: string): ProxyKeyword {
  return {
    where: TIMEOUTS[modern.slice('timeout '.length)].where,
    ownStatus: true,
    handle(ctx, px) {
      if (!noExtra(ctx, 1)) return;
      const ms = time(ctx, ctx.args[0], keyword);
      if (ms === undefined) return;
      ctx.warn(
        `'${keyword}' is a legacy directive that HAProxy 2.1+ rejects; write '${modern} ${ctx.args[0]}' instead.`,
        CODES.legacy,
      );
      px.draft.timeouts[TIMEOUTS[modern.slice('timeout '.length)].key] = ms;
      ctx.planned(modern);
    },
  };
}

const timeoutKeyword: ProxyKeyword = {
  where: 'dfb',
  ownStatus: true,
  handle(ctx, px) {
    const [name, value, extra] = ctx.args;
    const spec = name === undefined ? undefined : TIMEOUTS[name];
    if (!spec) {
      const hint = name && suggest(name, Object.keys(TIMEOUTS));
      ctx.alert(
        `'timeout' supports ${Object.keys(TIMEOUTS)
          .map((t) => `'${t}'`)
          .join(', ')} (got '${name ?? ''}')${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
        CODES.badValue,
      );
      return;
    }
    if (extra !== undefined) {
      ctx.alert(`'timeout ${name}' : unexpected extra argument '${extra}'.`, CODES.syntax);
      return;
    }
    const ms = time(ctx, value, `timeout ${name}`);
    if (ms === undefined) return;
    if (!capabilityOk(px, spec.where)) {
      const need = spec.where.includes('f') ? 'frontend' : 'backend';
      ctx.warn(
        `'timeout ${name}' will be ignored because ${px.kind} '${px.name}' has no ${need} capability`,
        CODES.ignored,
      );
    }
    px.draft.timeouts[spec.key] = ms;
    ctx.planned(`timeout ${name}`);
  },
};

// ---------------------------------------------------------------------------------------------
// option

const BOOLEAN_SET = new Set<string>(BOOLEAN_OPTIONS);
const FRONTEND_OPTIONS = new Set([
  'accept-invalid-http-request',
  'clitcpka',
  'contstats',
  'dontlog-normal',
  'dontlognull',
  'http-ignore-probes',
  'http-use-proxy-header',
  'log-separate-errors',
  'logasap',
  'socket-stats',
  'tcp-smart-accept',
  'h1-case-adjust-bogus-client',
  'disable-h2-upgrade',
  'idle-close-on-response',
  'httplog',
  'httpslog',
  'tcplog',
]);
const BACKEND_OPTIONS = new Set([
  'abortonclose',
  'accept-invalid-http-response',
  'allbackups',
  'checkcache',
  'log-health-checks',
  'persist',
  'prefer-last-server',
  'redispatch',
  'srvtcpka',
  'tcp-smart-connect',
  'transparent',
  'h1-case-adjust-bogus-server',
  'http-pretend-keepalive',
  'httpchk',
  'tcp-check',
  'ssl-hello-chk',
  'smtpchk',
  'mysql-check',
  'pgsql-check',
  'redis-check',
  'ldap-check',
  'spop-check',
  'external-check',
]);
const CHECK_OPTIONS = [
  'tcp-check',
  'ssl-hello-chk',
  'smtpchk',
  'mysql-check',
  'pgsql-check',
  'redis-check',
  'ldap-check',
  'spop-check',
  'external-check',
];
const ARG_OPTIONS = [
  'httplog',
  'httpslog',
  'tcplog',
  'forwardfor',
  'originalto',
  'httpchk',
  'http-restrict-req-hdr-names',
];
export const ALL_OPTIONS: readonly string[] = [...BOOLEAN_OPTIONS, ...ARG_OPTIONS, ...CHECK_OPTIONS];

function parseHeaderOpts(
  ctx: LineContext,
  args: readonly string[],
  allowed: string[],
): { except: string | null; header: string | null; ifNone: boolean } | undefined {
  const out = { except: null as string | null, header: null as string | null, ifNone: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'except' && allowed.includes('except')) {
      if (args[i + 1] === undefined) {
        ctx.alert(`'option ${ctx.args[0]} except' expects <address>[/mask] as argument.`, CODES.missingArg);
        return undefined;
      }
      out.except = args[++i];
    } else if (a === 'header' && allowed.includes('header')) {
      if (args[i + 1] === undefined) {
        ctx.alert(`'option ${ctx.args[0]} header' expects <header name> as argument.`, CODES.missingArg);
        return undefined;
      }
      out.header = args[++i];
    } else if (a === 'if-none' && allowed.includes('if-none')) {
      out.ifNone = true;
    } else {
      ctx.alert(
        `'option ${ctx.args[0]}' only supports optional values: ${allowed.map((x) => `'${x}'`).join(', ')} (got '${a}').`,
        CODES.badValue,
      );
      return undefined;
    }
  }
  return out;
}

const optionKeyword: ProxyKeyword = {
  where: 'dfb',
  ownStatus: true,
  handle(ctx, px) {
    const [name, ...rest] = ctx.args;
    if (name === undefined) return usage(ctx, 'an option name');
    const o = px.draft.options;
    const known = BOOLEAN_SET.has(name) || ARG_OPTIONS.includes(name) || CHECK_OPTIONS.includes(name);
    if (!known) {
      const hint = suggest(name, ALL_OPTIONS);
      ctx.alert(
        `unknown option '${name}'.${hint ? ` Did you mean '${hint}' maybe ?` : ''}`,
        CODES.unknownKeyword,
      );
      return;
    }
    if (px.kind !== 'defaults') {
      if (FRONTEND_OPTIONS.has(name) && !px.capabilities.frontend) {
        ctx.warn(
          `'option ${name}' ignored because ${px.kind} '${px.name}' has no frontend capability.`,
          CODES.ignored,
        );
      } else if (BACKEND_OPTIONS.has(name) && !px.capabilities.backend) {
        ctx.warn(
          `'option ${name}' ignored because ${px.kind} '${px.name}' has no backend capability.`,
          CODES.ignored,
        );
      }
    }
    if (ctx.no && !BOOLEAN_SET.has(name)) {
      ctx.alert(
        `negation/default is not supported for option '${name}' (only on/off options can be negated).`,
        CODES.syntax,
      );
      return;
    }
    if (BOOLEAN_SET.has(name)) {
      if (name === 'redispatch' && rest.length === 1 && !ctx.no && /^-?\d+$/.test(rest[0])) {
        o.redispatchInterval = Number(rest[0]);
      } else if (rest.length > 0) {
        ctx.alert(`'option ${name}' takes no argument (unexpected '${rest[0]}').`, CODES.syntax);
        return;
      }
      (o as Record<string, boolean>)[camelCase(name)] = !ctx.no;
      // The three HTTP connection modes exclude one another: the last one written wins, as in HAProxy.
      if (!ctx.no && ['http-server-close', 'httpclose', 'http-keep-alive'].includes(name)) {
        o.httpServerClose = name === 'http-server-close';
        o.httpclose = name === 'httpclose';
        o.httpKeepAlive = name === 'http-keep-alive';
      }
      ctx.planned(`option ${name}`);
      return;
    }
    switch (name) {
      case 'httplog':
      case 'httpslog':
      case 'tcplog':
        if (rest.length > (name === 'httplog' ? 1 : 0) || (rest.length === 1 && rest[0] !== 'clf')) {
          ctx.alert(
            `'option ${name}' ${name === 'httplog' ? "only supports 'clf'" : 'takes no argument'}.`,
            CODES.syntax,
          );
          return;
        }
        {
          const previous = (['httplog', 'httpslog', 'tcplog'] as const).find((x) => o[x] && x !== name);
          if (previous && px.kind === 'defaults') {
            const where = px.kind === 'defaults' ? "'defaults' section" : `${px.kind} '${px.name}'`;
            ctx.warn(`'option ${name}' overrides previous 'option ${previous}' in ${where}.`, CODES.ignored);
          }
        }
        o.httplog = name === 'httplog';
        o.httpslog = name === 'httpslog';
        o.tcplog = name === 'tcplog';
        o.httplogClf = rest[0] === 'clf';
        break;
      case 'forwardfor':
      case 'originalto': {
        const h = parseHeaderOpts(
          ctx,
          rest,
          name === 'forwardfor' ? ['except', 'header', 'if-none'] : ['except', 'header'],
        );
        if (!h) return;
        let except = null;
        if (h.except !== null) {
          const c = parseCidr(h.except, `option ${name} except`);
          if (!c.ok) {
            ctx.alert(c.error, CODES.badValue);
            return;
          }
          except = c.value;
        }
        if (name === 'forwardfor') {
          o.forwardfor = { except, header: h.header?.toLowerCase() ?? 'x-forwarded-for', ifNone: h.ifNone };
        } else {
          o.originalto = { except, header: h.header?.toLowerCase() ?? 'x-original-to' };
        }
        break;
      }
      case 'httpchk': {
        if (rest.length > 3 && !rest[2]?.includes('\r\n')) {
          ctx.alert(
            `'option httpchk' expects [<method>] [<uri>] [<version>] (unexpected '${rest[3]}'); use 'http-check send hdr …' for headers.`,
            CODES.syntax,
          );
          return;
        }
        const [a, b, c] = rest;
        const chk =
          rest.length === 1
            ? { uri: a }
            : rest.length >= 2
              ? {
                  method: a,
                  uri: b,
                  version: c?.split('\r\n')[0],
                  extra: c?.includes('\r\n') ? c.slice(c.indexOf('\r\n') + 2) : null,
                }
              : {};
        if (c?.includes('\r\n')) {
          ctx.warn(
            "'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.",
            CODES.legacy,
          );
        }
        o.httpchk = chk;
        o.checkType = 'httpchk';
        o.checkArgs = [...rest];
        break;
      }
      case 'http-restrict-req-hdr-names':
        if (rest.length !== 1 || !['preserve', 'delete', 'reject'].includes(rest[0])) {
          ctx.alert(
            "'option http-restrict-req-hdr-names' expects 'preserve', 'delete' or 'reject'.",
            CODES.badValue,
          );
          return;
        }
        px.draft.other = [
          ...(px.draft.other ?? []),
          { keyword: 'option', args: [...ctx.args], file: ctx.file, line: ctx.line },
        ];
        break;
      default:
        // One of the check kinds.
        o.checkType = name;
        o.checkArgs = [...rest];
        if (name !== 'httpchk') o.httpchk = null;
    }
    ctx.planned(`option ${name}`);
  },
};

// ---------------------------------------------------------------------------------------------
// bind, server

export function parseBindLine(
  ctx: LineContext,
  px: ProxyScope,
  addressList: string,
  optionWords: readonly string[],
  legacy: boolean,
) {
  const opts = parseBindOptions(optionWords, `bind ${addressList}`);
  if (!opts.ok) {
    ctx.alert(opts.error, CODES.badValue);
    return;
  }
  for (const key of ['crt', 'crt-list'] as const) {
    const value = opts.value.options[key];
    if (typeof value !== 'string') continue;
    for (const file of value.split(',')) {
      if (!ctx.readable(ctx.resolveCert(file))) {
        ctx.alert(
          `'bind ${addressList}' in section '${px.kind}' : unable to stat SSL certificate from file '${file}' : No such file or directory.`,
          CODES.file,
        );
        return;
      }
    }
  }
  const binds = ensure(px.draft, 'binds', () => []);
  for (const one of addressList.split(',')) {
    const a = parseAddress(one, { what: 'bind', portRequired: true, allowRange: true, env: ctx.env });
    if (!a.ok) {
      ctx.alert(a.error, CODES.badValue);
      return;
    }
    binds.push({
      address: a.value.address,
      options: { ...opts.value.options },
      legacy,
      file: ctx.file,
      line: ctx.line,
    });
  }
  ctx.planned('bind');
  for (const o of opts.value.used) ctx.planned(`bind ${o}`, o, `'bind ${addressList}'`);
}

const bindKeyword: ProxyKeyword = {
  where: 'f',
  ownStatus: true,
  handle(ctx, px) {
    const [address, ...rest] = ctx.args;
    if (address === undefined) return usage(ctx, '<addr1>[:<port1>[-<port2>]][,...] [param*] as arguments');
    parseBindLine(ctx, px, address, rest, false);
  },
};

function parseServer(ctx: LineContext, px: ProxyScope) {
  const [name, address, ...rest] = ctx.args;
  if (name === undefined || address === undefined) {
    return ctx.alert(`'server' expects <name> and <addr>[:<port>] as arguments.`, CODES.missingArg);
  }
  const a = parseAddress(address, {
    what: `server ${px.name}/${name}`,
    allowPortOffset: true,
    allowHostname: true,
    env: ctx.env,
  });
  if (!a.ok) return ctx.alert(a.error, CODES.badValue);
  const settings = structuredClone(px.draft.defaultServer);
  const r = applyServerOptions(rest, settings);
  if (!r.ok) return ctx.alert(`'server ${px.name}/${name}' : ${r.error}`, CODES.badValue);
  ensure(px.draft, 'servers', () => []).push({
    ...settings,
    name,
    address: a.value.address,
    portOffset: a.value.portOffset,
    // resolved after parsing: fastinter/downinter fall back to inter
    fastinter: settings.fastinter ?? -1,
    downinter: settings.downinter ?? -1,
    file: ctx.file,
    line: ctx.line,
  });
  ctx.planned('server');
  reportServerOptions(ctx, r.value.used, `'server ${name}'`);
}

function reportServerOptions(ctx: LineContext, used: string[], subject: string) {
  for (const o of used) ctx.planned(serverOptionStatusKey(o), o, subject);
}

// ---------------------------------------------------------------------------------------------
// acl, use_backend, rules

const aclKeyword: ProxyKeyword = {
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
    ensure(px.draft, 'acls', () => []).push({ name, ...c.value, file: ctx.file, line: ctx.line });
  },
};

const useBackendKeyword: ProxyKeyword = {
  where: 'f',
  handle(ctx, px) {
    const { head, polarity, cond } = splitAtCondition([...ctx.args]);
    if (head.length !== 1) return usage(ctx, '<backend> [{if | unless} <condition>]');
    const c = parseRuleCondition(ctx, px, polarity, cond, "a 'use_backend'");
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

const useServerKeyword: ProxyKeyword = {
  where: 'b',
  handle(ctx, px) {
    const { head, polarity, cond } = splitAtCondition([...ctx.args]);
    if (head.length !== 1) return usage(ctx, '<server> [{if | unless} <condition>]');
    const c = parseRuleCondition(ctx, px, polarity, cond, "a 'use-server'");
    if (c === undefined) return;
    ensure(px.draft, 'useServers', () => []).push({
      server: head[0],
      cond: c,
      file: ctx.file,
      line: ctx.line,
    });
  },
};

function httpRulesKeyword(
  field: 'httpRequestRules' | 'httpResponseRules' | 'httpAfterResponseRules',
): ProxyKeyword {
  return {
    where: 'nfb',
    ownStatus: true,
    handle(ctx, px) {
      const { head, polarity, cond } = splitAtCondition([...ctx.args]);
      const c = parseRuleCondition(ctx, px, polarity, cond, `an '${ctx.keyword} ${head[0] ?? ''}'`);
      if (c === undefined) return;
      const r = parseHttpAction(head, { file: ctx.file, line: ctx.line }, c);
      if (!r.ok) return ctx.alert(`'${ctx.keyword}' : ${sentence(r.error)}`, CODES.badValue);
      if (field === 'httpRequestRules') checkRuleOrder(ctx, px, 'http-request');
      ensure(px.draft, field, () => []).push(r.value);
      ctx.planned(ctx.keyword, `${ctx.keyword} ${head[0]}`);
    },
  };
}

function tcpRulesKeyword(keyword: 'tcp-request' | 'tcp-response'): ProxyKeyword {
  return {
    where: keyword === 'tcp-request' ? 'nfb' : 'b',
    ownStatus: true,
    handle(ctx, px) {
      if (ctx.args[0] === 'inspect-delay') {
        const ms = time(ctx, ctx.args[1], `${keyword} inspect-delay`);
        if (ms === undefined) return;
        if (keyword === 'tcp-request') px.draft.tcpRequestInspectDelay = ms;
        else px.draft.tcpResponseInspectDelay = ms;
        ctx.planned(keyword, `${keyword} inspect-delay`);
        return;
      }
      const { head, polarity, cond } = splitAtCondition([...ctx.args]);
      const c = parseRuleCondition(ctx, px, polarity, cond, `a '${keyword} ${head[0] ?? ''}'`);
      if (c === undefined) return;
      const r = parseTcpRule(head, { file: ctx.file, line: ctx.line }, c, keyword);
      if (!r.ok) return ctx.alert(r.error, CODES.badValue);
      if (keyword === 'tcp-request') checkRuleOrder(ctx, px, `tcp-request ${r.value.stage}`);
      ensure(px.draft, keyword === 'tcp-request' ? 'tcpRequestRules' : 'tcpResponseRules', () => []).push(
        r.value,
      );
      ctx.planned(keyword, `${keyword} ${head[0]} ${head[1]}`);
    },
  };
}

const redirectKeyword: ProxyKeyword = {
  where: 'fb',
  handle(ctx, px) {
    const { head, polarity, cond } = splitAtCondition([...ctx.args]);
    const c = parseRuleCondition(ctx, px, polarity, cond, "a 'redirect'");
    if (c === undefined) return;
    const r = parseRedirect(head, { file: ctx.file, line: ctx.line }, c);
    if (!r.ok) return ctx.alert(r.error, CODES.badValue);
    checkRuleOrder(ctx, px, 'redirect');
    ensure(px.draft, 'redirects', () => []).push(r.value);
  },
};

// ---------------------------------------------------------------------------------------------
// balance, cookie, stats, checks

const BALANCE_ALGOS = [
  'roundrobin',
  'static-rr',
  'leastconn',
  'first',
  'source',
  'uri',
  'url_param',
  'hdr',
  'random',
  'rdp-cookie',
  'hash',
];

const balanceKeyword: ProxyKeyword = {
  where: 'db',
  ownStatus: true,
  handle(ctx, px) {
    const [algoWord, ...args] = ctx.args;
    if (algoWord === undefined) return usage(ctx, `an algorithm (${BALANCE_ALGOS.join(', ')})`);
    const m = /^([a-z_-]+)(?:\((.*)\))?$/.exec(algoWord);
    const algo = m?.[1] ?? algoWord;
    const bad = (why: string) => ctx.alert(`'balance ${algoWord}' : ${why}.`, CODES.badValue);
    if (!m || !BALANCE_ALGOS.includes(algo)) {
      const hint = suggest(algo, BALANCE_ALGOS);
      ctx.alert(
        `balance only supports ${BALANCE_ALGOS.map((a) => `'${a}'`).join(', ')} (got '${algoWord}')${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
        CODES.badValue,
      );
      return;
    }
    const inner = m[2];
    const outArgs: string[] = [];
    switch (algo) {
      case 'hdr':
        if (!inner) return bad("'hdr' expects a header name, write 'hdr(Host)'");
        outArgs.push(inner);
        if (args.length > 1 || (args.length === 1 && args[0] !== 'use_domain_only'))
          return bad("only 'use_domain_only' may follow");
        outArgs.push(...args);
        break;
      case 'rdp-cookie':
        outArgs.push(inner || 'mstshash');
        if (args.length) return bad(`unexpected '${args[0]}'`);
        break;
      case 'random':
        if (inner !== undefined) {
          const n = parseInteger(inner, 'balance random', 1, 100);
          if (!n.ok) return bad('the number of draws must be an integer between 1 and 100');
          outArgs.push(inner);
        }
        if (args.length) return bad(`unexpected '${args[0]}'`);
        break;
      case 'url_param':
        if (args.length === 0) return bad("expects a URL parameter name, e.g. 'balance url_param userid'");
        outArgs.push(...args);
        break;
      case 'uri':
        for (let i = 0; i < args.length; i++) {
          if (args[i] === 'whole' || args[i] === 'path-only') continue;
          if ((args[i] === 'len' || args[i] === 'depth') && /^\d+$/.test(args[i + 1] ?? '')) {
            i++;
            continue;
          }
          return bad(`unexpected '${args[i]}' (uri accepts whole, len <n>, depth <n>, path-only)`);
        }
        outArgs.push(...args);
        break;
      case 'hash':
        if (args.length === 0) return bad("expects a sample expression, e.g. 'balance hash req.cookie(id)'");
        outArgs.push(...args);
        break;
      default:
        if (inner !== undefined || args.length) return bad(`'${algo}' takes no argument`);
    }
    px.draft.balance = { algorithm: algo, args: outArgs };
    ctx.planned(`balance ${algo}`, `balance ${algo}`);
  },
};

const cookieKeyword: ProxyKeyword = {
  where: 'db',
  handle(ctx, px) {
    const [name, ...rest] = ctx.args;
    if (name === undefined) return usage(ctx, '<cookie_name> as argument');
    const c: NonNullable<ProxyDraft['cookie']> = {
      name,
      file: ctx.file,
      line: ctx.line,
      domains: [],
      attrs: [],
    };
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      switch (a) {
        case 'rewrite':
        case 'insert':
        case 'prefix':
          if (c.mode && c.mode !== a) {
            return ctx.alert(
              `'cookie' supports only one of 'rewrite', 'insert' and 'prefix' (got '${c.mode}' and '${a}').`,
              CODES.badValue,
            );
          }
          c.mode = a;
          break;
        case 'indirect':
        case 'nocache':
        case 'postonly':
        case 'preserve':
        case 'httponly':
        case 'secure':
        case 'dynamic':
          c[a] = true;
          break;
        case 'domain':
        case 'attr': {
          const v = rest[i + 1];
          if (v === undefined) return ctx.alert(`'cookie' : '${a}' requires an argument.`, CODES.missingArg);
          if (a === 'domain') c.domains?.push(v);
          else c.attrs?.push(v);
          i++;
          break;
        }
        case 'maxidle':
        case 'maxlife': {
          const ms = time(ctx, rest[i + 1], `cookie ${a}`);
          if (ms === undefined) return;
          c[a] = ms;
          i++;
          break;
        }
        default: {
          const opts = [
            'rewrite',
            'insert',
            'prefix',
            'indirect',
            'nocache',
            'postonly',
            'preserve',
            'httponly',
            'secure',
            'domain',
            'maxidle',
            'maxlife',
            'dynamic',
            'attr',
          ];
          const hint = suggest(a, opts);
          return ctx.alert(
            `'cookie' supports 'rewrite', 'insert', 'prefix', 'indirect', 'nocache', 'postonly', 'domain', 'maxidle', 'dynamic', 'maxlife' and 'attr' options (got '${a}')${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
            CODES.badValue,
          );
        }
      }
    }
    if ((c.nocache || c.postonly || c.indirect) && !c.mode) {
      // HAProxy only accepts these with a mode that sets the cookie; without one it is meaningless.
      ctx.warn(
        `'cookie ${name}' : 'indirect', 'nocache' and 'postonly' only apply with 'insert', 'rewrite' or 'prefix'.`,
        CODES.ignored,
      );
    }
    px.draft.cookie = c;
  },
};

const STATS_SUB = [
  'enable',
  'uri',
  'realm',
  'auth',
  'hide-version',
  'refresh',
  'admin',
  'show-node',
  'show-desc',
  'show-legends',
  'show-modules',
  'scope',
  'http-request',
  'bind-process',
  'disable',
];

const statsKeyword: ProxyKeyword = {
  where: 'dfb',
  ownStatus: true,
  handle(ctx, px) {
    const [sub, ...rest] = ctx.args;
    if (sub === undefined || !STATS_SUB.includes(sub)) {
      const hint = sub && suggest(sub, STATS_SUB);
      return ctx.alert(
        `'stats' expects ${STATS_SUB.slice(0, 12)
          .map((s) => `'${s}'`)
          .join(', ')}${sub ? ` (got '${sub}')` : ''}${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
        sub ? CODES.unknownKeyword : CODES.missingArg,
      );
    }
    const s = ensure(px.draft, 'stats', () => ({ file: ctx.file, line: ctx.line }));
    const one = (what: string) => {
      if (rest.length !== 1) {
        ctx.alert(`'stats ${sub}' expects ${what} as argument.`, CODES.missingArg);
        return undefined;
      }
      return rest[0];
    };
    switch (sub) {
      case 'enable':
        if (!noExtra({ ...ctx, keyword: 'stats enable', args: rest }, 0)) return;
        s.enabled = true;
        break;
      case 'disable':
        s.enabled = false;
        break;
      case 'uri': {
        const v = one('an URI prefix');
        if (v === undefined) return;
        s.uri = v;
        s.enabled = true;
        break;
      }
      case 'realm': {
        if (rest.length === 0)
          return ctx.alert("'stats realm' expects a realm name as argument.", CODES.missingArg);
        s.realm = rest.join(' ');
        s.enabled = true;
        break;
      }
      case 'auth': {
        const v = one('<user>:<password>');
        if (v === undefined) return;
        const colon = v.indexOf(':');
        if (colon <= 0)
          return ctx.alert(
            `'stats auth' expects <user>:<password> in the same argument (got '${v}').`,
            CODES.badValue,
          );
        s.auth = [...(s.auth ?? []), { user: v.slice(0, colon), password: v.slice(colon + 1) }];
        s.enabled = true;
        break;
      }
      case 'hide-version':
        s.hideVersion = true;
        s.enabled = true;
        break;
      case 'show-modules':
        s.showModules = true;
        s.enabled = true;
        break;
      case 'show-legends':
        s.showLegends = true;
        s.enabled = true;
        break;
      case 'show-node':
        s.showNode = rest[0] ?? '';
        s.enabled = true;
        break;
      case 'show-desc':
        s.showDesc = rest.join(' ');
        s.enabled = true;
        break;
      case 'refresh': {
        const v = one('a delay (e.g. 5s)');
        if (v === undefined) return;
        const t = parseTime(v, 'stats refresh', 's');
        if (!t.ok) return ctx.alert(t.error, CODES.badValue);
        s.refresh = t.value;
        s.enabled = true;
        break;
      }
      case 'scope': {
        const v = one('a proxy name');
        if (v === undefined) return;
        s.scope = [...(s.scope ?? []), v];
        break;
      }
      case 'admin': {
        const { polarity, cond } = splitAtCondition(rest);
        if (polarity === null || rest[0] !== polarity) {
          return ctx.alert(
            "'stats admin' requires either 'if' or 'unless' followed by a condition.",
            CODES.syntax,
          );
        }
        if (px.kind === 'defaults')
          return ctx.alert("'stats admin' is not supported in 'defaults' sections.", CODES.wrongSection);
        const c = parseRuleCondition(ctx, px, polarity, cond, "a 'stats admin'");
        if (!c) return;
        s.admin = [...(s.admin ?? []), c];
        break;
      }
      case 'http-request': {
        const { head, polarity, cond } = splitAtCondition(rest);
        const c = parseRuleCondition(ctx, px, polarity, cond, "a 'stats http-request'");
        if (c === undefined) return;
        const r = parseHttpAction(head, { file: ctx.file, line: ctx.line }, c);
        if (!r.ok) return ctx.alert(`'stats http-request' : ${sentence(r.error)}`, CODES.badValue);
        s.httpRequest = [...(s.httpRequest ?? []), r.value as HttpRuleInput];
        break;
      }
      case 'bind-process':
        break;
    }
    ctx.planned(`stats ${sub}`, `stats ${sub}`);
  },
};

const HTTP_CHECK_SUB = [
  'send',
  'expect',
  'connect',
  'comment',
  'disable-on-404',
  'send-state',
  'set-var',
  'unset-var',
];
const TCP_CHECK_SUB = [
  'connect',
  'send',
  'send-lf',
  'send-binary',
  'send-binary-lf',
  'expect',
  'comment',
  'set-var',
  'unset-var',
];
const EXPECT_MATCH = [
  'status',
  'rstatus',
  'string',
  'rstring',
  'hdr',
  'fhdr',
  'binary',
  'rbinary',
  'string-lf',
  'binary-lf',
  'custom',
];

function checkRulesKeyword(kind: 'http-check' | 'tcp-check'): ProxyKeyword {
  const subs = kind === 'http-check' ? HTTP_CHECK_SUB : TCP_CHECK_SUB;
  return {
    where: 'db',
    ownStatus: true,
    handle(ctx, px) {
      const [sub, ...rest] = ctx.args;
      const base = sub?.replace(/\(.*$/, '');
      if (base === undefined || !subs.includes(base)) {
        const hint = base && suggest(base, subs);
        return ctx.alert(
          `'${kind}' expects ${subs.map((s) => `'${s}'`).join(', ')}${sub ? ` (got '${sub}')` : ''}${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
          CODES.badValue,
        );
      }
      if (base === 'expect') {
        // Skip the option words to find the match keyword.
        let i = 0;
        const withArg = [
          'min-recv',
          'comment',
          'ok-status',
          'error-status',
          'tout-status',
          'on-success',
          'on-error',
          'status-code',
        ];
        while (i < rest.length && withArg.includes(rest[i])) i += 2;
        if (rest[i] === '!') i++;
        const match = rest[i];
        if (match === undefined || !EXPECT_MATCH.includes(match)) {
          const hint = match && suggest(match, EXPECT_MATCH);
          return ctx.alert(
            `'${kind} expect' expects a match keyword (${EXPECT_MATCH.join(', ')})${match ? `, got '${match}'` : ''}${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
            CODES.badValue,
          );
        }
        if (match !== 'custom' && rest[i + 1] === undefined) {
          return ctx.alert(`'${kind} expect ${match}' expects a pattern.`, CODES.missingArg);
        }
      }
      ensure(px.draft, kind === 'http-check' ? 'httpChecks' : 'tcpChecks', () => []).push({
        kind: base,
        args: rest,
        file: ctx.file,
        line: ctx.line,
      });
      ctx.planned(kind, `${kind} ${base}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// errorfile & co

function errorfileKeyword(): ProxyKeyword {
  return {
    where: 'dfb',
    handle(ctx, px) {
      const [code, file, extra] = ctx.args;
      if (code === undefined || file === undefined) return usage(ctx, '<error_code> and <file> as arguments');
      if (extra !== undefined)
        return ctx.alert(`'errorfile' : unexpected extra argument '${extra}'.`, CODES.syntax);
      const status = checkErrorCode(ctx, code);
      if (status === undefined) return;
      const path = ctx.resolvePath(file);
      if (!ctx.readable(path)) return ctx.alert(`errorfile : error opening file '${file}'.`, CODES.file);
      ensure(px.draft, 'errorfiles', () => ({}))[String(status)] = path;
    },
  };
}

/** Status codes HAProxy can produce itself (the only ones errorfile/errorloc accept). */
export const ERROR_CODES = [
  200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504,
];

export function checkErrorCode(ctx: LineContext, code: string): number | undefined {
  const n = Number(code);
  if (!/^\d{3}$/.test(code) || !ERROR_CODES.includes(n)) {
    ctx.alert(
      `${ctx.keyword} : status code '${code}' not handled (use one of ${ERROR_CODES.join(', ')}).`,
      CODES.badValue,
    );
    return undefined;
  }
  return n;
}

function errorlocKeyword(code: 302 | 303): ProxyKeyword {
  return {
    where: 'dfb',
    handle(ctx, px) {
      const [status, location] = ctx.args;
      if (status === undefined || location === undefined)
        return usage(ctx, '<error_code> and <url> as arguments');
      if (!noExtra(ctx, 2)) return;
      const n = checkErrorCode(ctx, status);
      if (n === undefined) return;
      ensure(px.draft, 'errorlocs', () => ({}))[String(n)] = { code, location };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// simple keywords

function simple(where: string, handle: ProxyKeyword['handle'], ownStatus = false): ProxyKeyword {
  return { where, handle, ownStatus };
}

function intKeyword(
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

function stringKeyword(
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
function rawKeyword(where: string, minArgs = 1): ProxyKeyword {
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

const LOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'auth2',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'cron2',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];
const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const LOG_FORMATS = ['local', 'rfc3164', 'rfc5424', 'priority', 'short', 'timed', 'iso', 'raw'];

/** `log global` | `log <target> [len N] [format F] [sample R:S] <facility> [level [minlevel]]` | `no log`. */
export function parseLogLine(ctx: LineContext, allowGlobal: boolean) {
  const args = [...ctx.args];
  if (ctx.no) return { clear: true as const };
  if (args[0] === 'global') {
    if (!allowGlobal) {
      ctx.alert("'log global' is only valid in proxies and 'defaults' sections.", CODES.wrongSection);
      return undefined;
    }
    if (args.length > 1) {
      ctx.alert(`'log global' takes no other argument (unexpected '${args[1]}').`, CODES.syntax);
      return undefined;
    }
    return { entry: { kind: 'global' as const, file: ctx.file, line: ctx.line } };
  }
  const target = args.shift();
  if (target === undefined) {
    ctx.alert(
      "'log' expects either <address[:port]> and <facility> or 'global' as arguments.",
      CODES.missingArg,
    );
    return undefined;
  }
  let len: number | null = null;
  let format: string | null = null;
  let sample: string | null = null;
  while (args[0] === 'len' || args[0] === 'format' || args[0] === 'sample') {
    const k = args.shift() as string;
    const v = args.shift();
    if (v === undefined) {
      ctx.alert(`'log' : missing value after '${k}'.`, CODES.missingArg);
      return undefined;
    }
    if (k === 'len') {
      const n = int(ctx, v, 'log len', 80, 65535);
      if (n === undefined) return undefined;
      len = n;
    } else if (k === 'format') {
      if (!LOG_FORMATS.includes(v)) {
        ctx.alert(`'log' : unknown log format '${v}' (use ${LOG_FORMATS.join(', ')}).`, CODES.badValue);
        return undefined;
      }
      format = v;
    } else sample = v;
  }
  const [facility, level, minLevel, extra] = args;
  if (facility === undefined || !LOG_FACILITIES.includes(facility)) {
    const hint = facility && suggest(facility, LOG_FACILITIES);
    ctx.alert(
      facility === undefined
        ? "'log' expects <address[:port]> and <facility> as arguments (e.g. 'log 127.0.0.1 local0')."
        : `unknown log facility '${facility}'${hint ? `; did you mean '${hint}' maybe ?` : ` (use local0 … local7, daemon, user, …)`}`,
      CODES.badValue,
    );
    return undefined;
  }
  for (const l of [level, minLevel]) {
    if (l !== undefined && !LOG_LEVELS.includes(l)) {
      const hint = suggest(l, LOG_LEVELS);
      ctx.alert(
        `unknown optional log level '${l}'${hint ? `; did you mean '${hint}' maybe ?` : ` (use ${LOG_LEVELS.join(', ')})`}`,
        CODES.badValue,
      );
      return undefined;
    }
  }
  if (extra !== undefined) {
    ctx.alert(`'log' : unexpected extra argument '${extra}'.`, CODES.syntax);
    return undefined;
  }
  let address = null;
  if (!['stdout', 'stderr'].includes(target) && !target.startsWith('ring@')) {
    const a = parseAddress(target, { what: 'log', defaultPort: 514, allowHostname: true, env: ctx.env });
    if (!a.ok) {
      ctx.alert(a.error, CODES.badValue);
      return undefined;
    }
    address = a.value.address;
  }
  return {
    entry: {
      kind: 'target' as const,
      target,
      address,
      facility,
      level: level ?? null,
      minLevel: minLevel ?? null,
      format,
      len,
      sample,
      file: ctx.file,
      line: ctx.line,
    },
  };
}

const logKeyword: ProxyKeyword = simple('dfb', (ctx, px) => {
  const r = parseLogLine(ctx, true);
  if (!r) return;
  if ('clear' in r) px.draft.log = [];
  else ensure(px.draft, 'log', () => []).push(r.entry);
});

const captureKeyword: ProxyKeyword = simple('f', (ctx, px) => {
  const [what, header, name, lenWord, len] = ctx.args;
  if (what === 'cookie') {
    // capture cookie <name> len <length>
    if (header === undefined || name !== 'len' || lenWord === undefined)
      return usage(ctx, "'cookie' <cookie_name> 'len' <max_length>");
    const n = int(ctx, lenWord, 'capture cookie len', 1, 64);
    if (n === undefined) return;
    ensure(px.draft, 'captures', () => []).push({
      kind: 'cookie',
      name: header,
      len: n,
      file: ctx.file,
      line: ctx.line,
    });
    return;
  }
  if (
    (what !== 'request' && what !== 'response') ||
    header !== 'header' ||
    name === undefined ||
    lenWord !== 'len'
  ) {
    return usage(
      ctx,
      "'request header' or 'response header' <name> 'len' <length>, or 'cookie' <name> 'len' <length>",
    );
  }
  const n = int(ctx, len, `capture ${what} header len`, 1);
  if (n === undefined) return;
  ensure(px.draft, 'captures', () => []).push({
    kind: `${what} header`,
    name,
    len: n,
    file: ctx.file,
    line: ctx.line,
  });
});

const HASH_FUNCTIONS = ['sdbm', 'djb2', 'wt6', 'crc32', 'none'];

export const PROXY_KEYWORDS: Record<string, ProxyKeyword> = {
  acl: aclKeyword,
  backlog: intKeyword('df', (d, n) => (d.backlog = n)),
  balance: balanceKeyword,
  bind: bindKeyword,
  'bind-process': rawKeyword('dfb'),
  capture: captureKeyword,
  compression: simple('dfb', (ctx, px) => {
    const [sub, ...rest] = ctx.args;
    const comp = ensure(px.draft, 'compression', () => ({}));
    if (sub === 'algo' && rest.length > 0) {
      for (const a of rest) {
        if (!['identity', 'gzip', 'deflate', 'raw-deflate'].includes(a)) {
          return ctx.alert(
            `'compression algo' : '${a}' is not a supported algorithm (identity, gzip, deflate, raw-deflate).`,
            CODES.badValue,
          );
        }
      }
      comp.algorithms = rest;
    } else if (sub === 'type' && rest.length > 0) comp.types = rest;
    else if (sub === 'offload' && rest.length === 0) comp.offload = true;
    else return usage(ctx, "'algo', 'type' or 'offload'");
  }),
  cookie: cookieKeyword,
  declare: rawKeyword('f', 2),
  'default-server': simple(
    'db',
    (ctx, px) => {
      const r = applyServerOptions(ctx.args, px.draft.defaultServer);
      if (!r.ok) return ctx.alert(`'default-server' : ${r.error}`, CODES.badValue);
      reportServerOptions(ctx, r.value.used, `'default-server'`);
    },
    true,
  ),
  default_backend: simple('df', (ctx, px) => {
    if (ctx.args.length !== 1) return usage(ctx, '<backend_name> as argument');
    px.draft.defaultBackend = ctx.args[0];
    px.draft.defaultBackendAt = { file: ctx.file, line: ctx.line };
  }),
  description: stringKeyword('fb', (d, v) => (d.description = v), 'a string', true),
  disabled: simple('dfb', (ctx, px) => {
    if (noExtra(ctx, 0)) px.draft.disabled = true;
  }),
  'dynamic-cookie-key': rawKeyword('db'),
  'email-alert': rawKeyword('dfb', 2),
  enabled: simple('dfb', (ctx, px) => {
    if (noExtra(ctx, 0)) px.draft.disabled = false;
  }),
  errorfile: errorfileKeyword(),
  errorfiles: simple('dfb', (ctx, px) => {
    const [name, ...codes] = ctx.args;
    if (name === undefined) return usage(ctx, '<http-errors name> [<code> ...]');
    const nums: number[] = [];
    for (const c of codes) {
      const n = checkErrorCode(ctx, c);
      if (n === undefined) return;
      nums.push(n);
    }
    ensure(px.draft, 'errorfilesFrom', () => []).push({ name, codes: nums });
  }),
  errorloc: errorlocKeyword(302),
  errorloc302: errorlocKeyword(302),
  errorloc303: errorlocKeyword(303),
  'error-log-format': stringKeyword('df', (d, v) => (d.errorLogFormat = v), 'a log-format string', true),
  'external-check': rawKeyword('db'),
  filter: rawKeyword('fb'),
  'force-persist': rawKeyword('fb', 2),
  fullconn: intKeyword('db', (d, n) => (d.fullconn = n)),
  'hash-balance-factor': intKeyword('db', (d, n) => (d.hashBalanceFactor = n)),
  'hash-type': simple('db', (ctx, px) => {
    const [method, fn, modifier, extra] = ctx.args;
    if (method !== 'map-based' && method !== 'consistent') {
      return ctx.alert(
        `'hash-type' expects 'map-based' or 'consistent'${method ? `, got '${method}'` : ''}.`,
        CODES.badValue,
      );
    }
    if (fn !== undefined && !HASH_FUNCTIONS.includes(fn)) {
      return ctx.alert(
        `'hash-type' : unknown hash function '${fn}' (use ${HASH_FUNCTIONS.join(', ')}).`,
        CODES.badValue,
      );
    }
    if ((modifier !== undefined && modifier !== 'avalanche') || extra !== undefined) {
      return ctx.alert(
        `'hash-type' : unknown modifier '${modifier ?? extra}' (only 'avalanche').`,
        CODES.badValue,
      );
    }
    px.draft.hashType = { method, function: fn ?? 'sdbm', modifier: modifier ?? null };
  }),
  'http-after-response': httpRulesKeyword('httpAfterResponseRules'),
  'http-check': checkRulesKeyword('http-check'),
  'http-error': rawKeyword('dfb', 2),
  'http-request': httpRulesKeyword('httpRequestRules'),
  'http-response': httpRulesKeyword('httpResponseRules'),
  'http-reuse': simple('db', (ctx, px) => {
    const v = ctx.args[0];
    if (v !== 'never' && v !== 'safe' && v !== 'aggressive' && v !== 'always') {
      return ctx.alert(
        `'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'${v ? ` (got '${v}')` : ''}.`,
        CODES.badValue,
      );
    }
    if (noExtra(ctx, 1)) px.draft.httpReuse = v;
  }),
  'http-send-name-header': rawKeyword('db', 0),
  id: intKeyword('fb', (d, n) => (d.id = n), 1),
  'ignore-persist': rawKeyword('fb', 2),
  'load-server-state-from-file': rawKeyword('db'),
  log: logKeyword,
  'log-format': stringKeyword('df', (d, v) => (d.logFormat = v), 'a log-format string', true),
  'log-format-sd': rawKeyword('df'),
  'log-tag': stringKeyword('dfb', (d, v) => (d.logTag = v)),
  'max-keep-alive-queue': rawKeyword('db'),
  maxconn: intKeyword('df', (d, n) => (d.maxconn = n)),
  mode: simple('dfb', (ctx, px) => {
    const v = ctx.args[0];
    if (v !== 'http' && v !== 'tcp') {
      const hint =
        v === 'health'
          ? " ('mode health' was removed in HAProxy 2.4; use 'monitor-uri' or a 'tcp' listener)"
          : '';
      return ctx.alert(`unknown proxy mode '${v ?? ''}' (use 'http' or 'tcp')${hint}.`, CODES.badValue);
    }
    if (noExtra(ctx, 1)) px.draft.mode = v;
  }),
  monitor: rawKeyword('f', 2),
  'monitor-uri': stringKeyword('df', (d, v) => (d.monitorUri = v), 'an URI'),
  'monitor-net': rawKeyword('df'),
  option: optionKeyword,
  persist: rawKeyword('db'),
  'rate-limit': rawKeyword('df', 2),
  redirect: redirectKeyword,
  retries: intKeyword('db', (d, n) => (d.retries = n)),
  'retry-on': simple('db', (ctx, px) => {
    const allowed = [
      'none',
      'conn-failure',
      'empty-response',
      'junk-response',
      'response-timeout',
      '0rtt-rejected',
      '404',
      '408',
      '425',
      '500',
      '501',
      '502',
      '503',
      '504',
      'all-retryable-errors',
    ];
    if (ctx.args.length === 0) return usage(ctx, 'a list of events (e.g. conn-failure 503)');
    for (const a of ctx.args) {
      if (!allowed.includes(a)) {
        const hint = suggest(a, allowed);
        return ctx.alert(
          `'retry-on' : unknown keyword '${a}'${hint ? `; did you mean '${hint}' maybe ?` : ` (use ${allowed.join(', ')}).`}`,
          CODES.badValue,
        );
      }
    }
    px.draft.retryOn = [...ctx.args];
  }),
  server: simple('b', parseServer, true),
  'server-state-file-name': rawKeyword('db', 0),
  'server-template': rawKeyword('b', 3),
  source: rawKeyword('db'),
  stats: statsKeyword,
  stick: rawKeyword('b', 2),
  'stick-table': rawKeyword('fb', 2),
  'tcp-check': checkRulesKeyword('tcp-check'),
  'tcp-request': tcpRulesKeyword('tcp-request'),
  'tcp-response': tcpRulesKeyword('tcp-response'),
  timeout: timeoutKeyword,
  ...Object.fromEntries(Object.entries(LEGACY_TIMEOUTS).map(([k, modern]) => [k, legacyTimeout(k, modern)])),
  'unique-id-format': stringKeyword('df', (d, v) => (d.uniqueIdFormat = v), 'a log-format string', true),
  'unique-id-header': stringKeyword('df', (d, v) => (d.uniqueIdHeader = v), 'a header name'),
  'use-server': useServerKeyword,
  use_backend: useBackendKeyword,
  // Size-valued keywords reuse the generic size parser (kept for completeness of `other`).
  'max-session-srv-conns': rawKeyword('f'),
};

/** Keywords HAProxy removed; using them is an alert that says what to write instead. */
export const REMOVED_PROXY_KEYWORDS: Record<string, string> = {
  reqadd: "the 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header'.",
  rspadd:
    "the 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header'.",
  reqdel: "the 'reqdel' directive is not supported anymore since HAProxy 2.1. Use 'http-request del-header'.",
  rspdel:
    "the 'rspdel' directive is not supported anymore since HAProxy 2.1. Use 'http-response del-header'.",
  reqrep:
    "the 'reqrep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-header' or 'http-request replace-path'.",
  rsprep:
    "the 'rsprep' directive is not supported anymore since HAProxy 2.1. Use 'http-response replace-header'.",
  reqirep:
    "the 'reqirep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-header'.",
  reqdeny: "the 'reqdeny' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny'.",
  reqallow: "the 'reqallow' directive is not supported anymore since HAProxy 2.1. Use 'http-request allow'.",
  reqtarpit:
    "the 'reqtarpit' directive is not supported anymore since HAProxy 2.1. Use 'http-request tarpit'.",
  block: "the 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny'.",
  redispatch:
    "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
  dispatch: "'dispatch' is not supported; use a 'server' line instead.",
};
