/** `cookie` persistence settings. */
import { suggest } from '../../common/did-you-mean.ts';
import type { ProxyDraft } from '../context.ts';
import { CODES } from '../context.ts';
import { type ProxyKeyword, time, usage } from './scope.ts';

export const cookieKeyword: ProxyKeyword = {
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
