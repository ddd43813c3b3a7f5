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
              "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.",
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
          if (v === undefined)
            return ctx.alert(
              `'${a}' expects <${a === 'domain' ? 'domain' : 'value'}> as argument.`,
              CODES.missingArg,
            );
          if (a === 'domain') {
            if (!v.includes('.'))
              ctx.warn(
                `domain '${v}' contains no embedded dot, this configuration may not work properly (see RFC6265#5.2.3).`,
                CODES.ignored,
              );
            c.domains?.push(v);
          } else {
            // the attribute text goes into Set-Cookie as written: no header injection
            const bad = [...v].find(
              (ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f || ch === ';',
            );
            if (bad !== undefined) {
              const hex = bad.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
              return ctx.alert(`character '%x${hex}' is not permitted in attribute value.`, CODES.badValue);
            }
            c.attrs?.push(v);
          }
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
    // HAProxy 2.6's consistency checks, with its messages
    if (c.mode === 'rewrite' && c.indirect)
      return ctx.alert("cookie 'rewrite' and 'indirect' modes are incompatible.", CODES.badValue);
    if (c.preserve && c.mode !== 'insert' && !c.indirect)
      return ctx.alert("cookie 'preserve' requires at least 'insert' or 'indirect'.", CODES.badValue);
    px.draft.cookie = c;
  },
};
