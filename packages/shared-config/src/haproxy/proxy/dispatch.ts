/** `dispatch <address>:<port>` (configuration.txt §4.2 "dispatch"): the server of a backend without `balance`. */
import { CODES } from '../context.ts';
import { parseAddress } from '../values.ts';
import { noExtra, type ProxyKeyword, simple, usage } from './scope.ts';

export const dispatchKeyword: ProxyKeyword = simple('b', (ctx, px) => {
  const [text] = ctx.args;
  if (text === undefined) return usage(ctx, '<address>:<port>');
  if (!noExtra(ctx, 1)) return;
  const a = parseAddress(text, { what: 'dispatch', portRequired: true, allowHostname: true, env: ctx.env });
  if (!a.ok) return ctx.alert(a.error, CODES.badValue);
  const addr = a.value.address;
  if (addr.kind !== 'inet' || addr.portMin !== addr.portMax || addr.portMin === 0 || addr.host === '')
    return ctx.alert(
      `'dispatch' expects an IPv4/IPv6 address and one port, e.g. 'dispatch 192.0.2.10:80' (got '${text}').`,
      CODES.badValue,
    );
  px.draft.dispatch = { host: addr.host, port: addr.portMin };
});
