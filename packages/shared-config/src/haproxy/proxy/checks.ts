/** `http-check …` and `tcp-check …` rules. */
import { suggest } from '../../common/did-you-mean.ts';
import { CODES, ensure } from '../context.ts';
import type { ProxyKeyword } from './scope.ts';

export const HTTP_CHECK_SUB = [
  'send',
  'expect',
  'connect',
  'comment',
  'disable-on-404',
  'send-state',
  'set-var',
  'unset-var',
];
export const TCP_CHECK_SUB = [
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
export const EXPECT_MATCH = [
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

export function checkRulesKeyword(kind: 'http-check' | 'tcp-check'): ProxyKeyword {
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
      ctx.uses(kind, `${kind} ${base}`);
    },
  };
}
