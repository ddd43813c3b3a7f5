/** `errorfile`, `errorloc`, `errorloc302`, `errorloc303`. */
import type { LineContext } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import { noExtra, type ProxyKeyword, usage } from './scope.ts';

export function errorfileKeyword(): ProxyKeyword {
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

export function errorlocKeyword(code: 302 | 303): ProxyKeyword {
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
