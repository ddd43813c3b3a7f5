/**
 * Keywords of `defaults`, `frontend`, `backend` and `listen` sections (configuration.txt §4), as one
 * table: keyword → where it is allowed and a handler that fills the proxy draft.
 */

import { suggest } from '../common/did-you-mean.ts';
import { CODES, ensure } from './context.ts';
import { HASH_FUNCTIONS } from './model.ts';
import { balanceKeyword } from './proxy/balance.ts';
import { bindKeyword } from './proxy/bind.ts';
import { checkRulesKeyword } from './proxy/checks.ts';
import { cookieKeyword } from './proxy/cookie.ts';
import { dispatchKeyword } from './proxy/dispatch.ts';
import { checkErrorCode, errorfileKeyword, errorlocKeyword } from './proxy/errorfile.ts';
import { captureKeyword, logKeyword } from './proxy/log.ts';
import { logFormatKeyword } from './proxy/log-format.ts';
import { optionKeyword } from './proxy/option.ts';
import {
  aclKeyword,
  httpRulesKeyword,
  monitorKeyword,
  persistKeyword,
  redirectKeyword,
  tcpRulesKeyword,
  useBackendKeyword,
  useServerKeyword,
} from './proxy/rule-keywords.ts';
import {
  intKeyword,
  noExtra,
  type ProxyKeyword,
  rawKeyword,
  simple,
  stringKeyword,
  usage,
} from './proxy/scope.ts';
import { parseServer, reportServerOptions } from './proxy/server.ts';
import { statsKeyword } from './proxy/stats.ts';
import { LEGACY_TIMEOUTS, legacyTimeout, timeoutKeyword } from './proxy/timeout.ts';
import { applyServerOptions } from './server-options.ts';

export { parseBindLine } from './proxy/bind.ts';
export { checkErrorCode, ERROR_CODES } from './proxy/errorfile.ts';
export { parseLogLine } from './proxy/log.ts';
export { ALL_OPTIONS } from './proxy/option.ts';
export type { ProxyKeyword, ProxyKind, ProxyScope } from './proxy/scope.ts';
export { parseRuleCondition } from './proxy/scope.ts';

export const PROXY_KEYWORDS: Record<string, ProxyKeyword> = {
  acl: aclKeyword,
  backlog: intKeyword('df', (d, n) => (d.backlog = n)),
  balance: balanceKeyword,
  bind: bindKeyword,
  'bind-process': rawKeyword('dfb'),
  dispatch: dispatchKeyword,
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
  declare: rawKeyword('f', 1),
  'default-server': simple(
    'db',
    (ctx, px) => {
      const r = applyServerOptions(ctx.args, px.draft.defaultServer);
      // HAProxy prints these without a server name: `[FILE:LINE] : 'rise' has to be > 0..`
      if (!r.ok) return ctx.alert(r.error, CODES.serverOption);
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
    ensure(px.draft, 'errorfilesFrom', () => []).push({ name, codes: nums, file: ctx.file, line: ctx.line });
  }),
  errorloc: errorlocKeyword(302),
  errorloc302: errorlocKeyword(302),
  errorloc303: errorlocKeyword(303),
  'error-log-format': stringKeyword('df', (d, v) => (d.errorLogFormat = v), 'a log-format string', true),
  'external-check': rawKeyword('db'),
  filter: rawKeyword('fb'),
  'force-persist': persistKeyword('force'),
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
    if (fn !== undefined && !(HASH_FUNCTIONS as readonly string[]).includes(fn)) {
      return ctx.alert(
        `'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions. (Got '${fn}'; 'none' is accepted too.)`,
        CODES.badValue,
      );
    }
    if ((modifier !== undefined && modifier !== 'avalanche') || extra !== undefined) {
      return ctx.alert(
        `'hash-type' : unknown modifier '${modifier ?? extra}' (only 'avalanche').`,
        CODES.badValue,
      );
    }
    px.draft.hashType = {
      method,
      function: (fn ?? 'sdbm') as (typeof HASH_FUNCTIONS)[number],
      // configuration.txt: "consistent hash uses sdbm and avalanche if no hash function is specified"
      modifier:
        modifier === 'avalanche' || (fn === undefined && method === 'consistent') ? 'avalanche' : null,
    };
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
  'ignore-persist': persistKeyword('ignore'),
  'load-server-state-from-file': rawKeyword('db'),
  log: logKeyword,
  'log-format': logFormatKeyword,
  'log-format-sd': stringKeyword('df', (d, v) => (d.logFormatSd = v), 'a log-format string', true),
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
  monitor: monitorKeyword,
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
  'max-session-srv-conns': rawKeyword('f'),
  'clitcpka-cnt': rawKeyword('df'),
  'clitcpka-idle': rawKeyword('df'),
  'clitcpka-intvl': rawKeyword('df'),
  'srvtcpka-cnt': rawKeyword('db'),
  'srvtcpka-idle': rawKeyword('db'),
  'srvtcpka-intvl': rawKeyword('db'),
  'use-fcgi-app': rawKeyword('b'),
  // Deprecated alias of `option transparent`, kept as written.
  transparent: rawKeyword('db', 0),
};

/** Keywords HAProxy removed; using them is an alert that says what to write instead. */
export const REMOVED_PROXY_KEYWORDS: Record<string, string> = {
  // HAProxy 2.6's sentences (cfgparse-listen.c), odd spacing and all
  reqadd:
    "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
  rspadd:
    "The 'rspadd' directive is not supported anymore since HAProxy 2.1. Use 'http-response add-header' instead.",
  reqdel:
    "The 'reqdel' directive is not supported anymore since HAProxy 2.1. Use 'http-request del-header' instead.",
  rspdel:
    "The 'rspdel' directive is not supported anymore since HAProxy 2.1. Use 'http-response del-header' .",
  reqrep:
    "The 'reqrep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-path', 'http-request replace-uri' or 'http-request replace-header' instead.",
  rsprep:
    "The 'rsprep' directive is not supported anymore since HAProxy 2.1. Use 'http-response replace-header' instead.",
  reqirep:
    "The 'reqirep' directive is not supported anymore since HAProxy 2.1. Use 'http-request replace-header' instead.",
  reqdeny: "The 'reqdeny' not supported anymore since HAProxy 2.1. Use 'http-request deny' instead.",
  reqallow:
    "The 'reqallow' directive is not supported anymore since HAProxy 2.1. Use 'http-request allow' instead.",
  reqtarpit:
    "The 'reqtarpit' directive is not supported anymore since HAProxy 2.1. Use 'http-request tarpit' instead.",
  block:
    "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
  redispatch:
    "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
};
