/** `stats …` in proxies (the stats page). */
import { suggest } from '../../common/did-you-mean.ts';
import { splitAtCondition } from '../condition.ts';
import { CODES, ensure } from '../context.ts';
import type { HttpRuleInput } from '../rules.ts';
import { parseHttpAction } from '../rules.ts';
import { parseTime } from '../values.ts';
import { noExtra, type ProxyKeyword, parseRuleCondition, sentence } from './scope.ts';

export const STATS_SUB = [
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

export const statsKeyword: ProxyKeyword = {
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
        if (!noExtra(ctx.as('stats enable', rest), 0)) return;
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
        s.auth ??= [];
        s.auth.push({ user: v.slice(0, colon), password: v.slice(colon + 1) });
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
        s.scope ??= [];
        s.scope.push(v);
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
        const c = parseRuleCondition(ctx, px, polarity, cond, "a 'stats admin' condition");
        if (!c) return;
        s.admin ??= [];
        s.admin.push(c);
        break;
      }
      case 'http-request': {
        const { head, polarity, cond } = splitAtCondition(rest);
        const c = parseRuleCondition(ctx, px, polarity, cond, "a 'stats http-request' condition");
        if (c === undefined) return;
        const r = parseHttpAction(head, { file: ctx.file, line: ctx.line }, c);
        if (!r.ok) return ctx.alert(`'stats http-request' : ${sentence(r.error)}`, CODES.badValue);
        s.httpRequest ??= [];
        s.httpRequest.push(r.value as HttpRuleInput);
        break;
      }
      case 'bind-process':
        break;
    }
    ctx.uses(`stats ${sub}`, `stats ${sub}`);
  },
};
