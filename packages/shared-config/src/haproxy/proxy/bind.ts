/** `bind` (and the legacy address on a `frontend`/`listen` line). */
import { parseBindOptions } from '../bind-options.ts';
import type { LineContext } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import { parseAddress } from '../values.ts';
import { type ProxyKeyword, type ProxyScope, usage } from './scope.ts';

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
  ctx.uses('bind');
  for (const o of opts.value.used) ctx.uses(`bind ${o}`, o, `'bind ${addressList}'`);
}

export const bindKeyword: ProxyKeyword = {
  where: 'f',
  ownStatus: true,
  handle(ctx, px) {
    const [address, ...rest] = ctx.args;
    if (address === undefined) return usage(ctx, '<addr1>[:<port1>[-<port2>]][,...] [param*] as arguments');
    parseBindLine(ctx, px, address, rest, false);
  },
};
