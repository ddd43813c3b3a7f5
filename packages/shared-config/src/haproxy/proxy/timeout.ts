/** `timeout …` and the legacy `contimeout`/`clitimeout`/`srvtimeout`. */
import { suggest } from '../../common/did-you-mean.ts';
import type { ProxyDraft } from '../context.ts';
import { CODES } from '../context.ts';
import { capabilityOk, noExtra, type ProxyKeyword, time } from './scope.ts';

export const TIMEOUTS: Record<string, { key: keyof ProxyDraft['timeouts']; where: string }> = {
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
export const LEGACY_TIMEOUTS: Record<string, string> = {
  contimeout: 'timeout connect',
  clitimeout: 'timeout client',
  srvtimeout: 'timeout server',
};

/**
 * `contimeout`/`clitimeout`/`srvtimeout` (HAProxy 1.x): HAProxy 2.1+ refuses them; we apply them like
 * their modern form and warn with the line to write instead, so old configurations keep working.
 */
export function legacyTimeout(keyword: string, modern: string): ProxyKeyword {
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
      ctx.uses(modern);
    },
  };
}

export const timeoutKeyword: ProxyKeyword = {
  where: 'dfb',
  ownStatus: true,
  handle(ctx, px) {
    const [name, value, extra] = ctx.args;
    const spec = name === undefined ? undefined : TIMEOUTS[name];
    if (!spec) {
      const hint = name && suggest(name, Object.keys(TIMEOUTS));
      ctx.alert(
        // cfgparse-listen.c's list, in its order
        `'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '${name ?? ''}')${hint ? `; did you mean '${hint}' maybe ?` : ''}`,
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
    ctx.uses(`timeout ${name}`);
  },
};
