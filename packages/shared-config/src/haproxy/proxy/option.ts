/** `option …` / `no option …` (configuration.txt §4.2 "option"). */
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import { BOOLEAN_OPTIONS, camelCase } from '../model.ts';
import { parseCidr } from '../values.ts';
import { setLogFormat } from './log-format.ts';
import { type ProxyKeyword, usage } from './scope.ts';

export const BOOLEAN_SET = new Set<string>(BOOLEAN_OPTIONS);
/** Health-check options (backend-only); `httpchk` takes arguments and is handled on its own. */
export const CHECK_OPTIONS = [
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
export const FRONTEND_OPTIONS = new Set([
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
export const BACKEND_OPTIONS = new Set([
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
  ...CHECK_OPTIONS,
]);
export const ARG_OPTIONS = [
  'httplog',
  'httpslog',
  'tcplog',
  'forwardfor',
  'originalto',
  'httpchk',
  'http-restrict-req-hdr-names',
];
export const ALL_OPTIONS: readonly string[] = [...BOOLEAN_OPTIONS, ...ARG_OPTIONS, ...CHECK_OPTIONS];

export function parseHeaderOpts(
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

export const optionKeyword: ProxyKeyword = {
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
        `unknown option '${name}'${hint ? `; did you mean '${hint}' maybe ?` : '.'}`,
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
      ctx.uses(`option ${name}`);
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
        setLogFormat(
          ctx,
          px.draft,
          px.kind,
          name === 'httplog'
            ? rest[0] === 'clf'
              ? 'option httplog clf'
              : 'option httplog'
            : `option ${name}`,
        );
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
            // HAProxy's sentence, then what exactly is wrong
            const detail = c.error.includes('expects <address>')
              ? `got '${h.except}'; write e.g. 10.0.0.0/8 or 2001:db8::/32`
              : c.error
                  .replace(/^'option [a-z]+ except' : /, '')
                  .replace(/ \((IPv[46] allows [^)]*)\)$/, ': $1');
            ctx.alert(
              `'option ${name} except' expects <address>[/mask] as argument. (${detail})`,
              CODES.badValue,
            );
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
    ctx.uses(`option ${name}`);
  },
};
