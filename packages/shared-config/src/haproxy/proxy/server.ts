import { clonePlain } from '../../common/clone-plain.ts';
/** `server` and `default-server` lines (the option table is ../server-options.ts). */
import type { LineContext } from '../context.ts';
import { CODES, ensure } from '../context.ts';
import { applyServerOptions, serverOptionStatusKey } from '../server-options.ts';
import { parseAddress } from '../values.ts';
import type { ProxyScope } from './scope.ts';

export function parseServer(ctx: LineContext, px: ProxyScope) {
  const [name, address, ...rest] = ctx.args;
  if (name === undefined || address === undefined) {
    return ctx.alert(`'server' expects <name> and <addr>[:<port>] as arguments.`, CODES.missingArg);
  }
  const a = parseAddress(address, {
    what: `server ${px.name}/${name}`,
    allowPortOffset: true,
    allowHostname: true,
    env: ctx.env,
  });
  if (!a.ok) return ctx.alert(a.error, CODES.badValue);
  const settings = clonePlain(px.draft.defaultServer);
  const r = applyServerOptions(rest, settings, name);
  if (!r.ok) return ctx.alert(`'server ${px.name}/${name}' : ${r.error}`, CODES.serverOption);
  ensure(px.draft, 'servers', () => []).push({
    ...settings,
    name,
    address: a.value.address,
    portOffset: a.value.portOffset,
    // resolved after parsing: fastinter/downinter fall back to inter
    fastinter: settings.fastinter ?? -1,
    downinter: settings.downinter ?? -1,
    file: ctx.file,
    line: ctx.line,
  });
  ctx.uses('server');
  // named by what was written: the address is the "option" here
  if (a.value.portOffset !== null) ctx.uses('server port-offset', `server ${name} ${address}`);
  // `*`, `:port`, 0.0.0.0 and :: connect to the address the client connected to (HAProxy's transparent servers)
  const ad = a.value.address;
  if (ad.kind === 'inet' && (ad.host === '' || ad.host === '0.0.0.0' || ad.host === '::'))
    ctx.uses('server any-address', `server ${name} ${address}`);
  reportServerOptions(ctx, r.value.used, `'server ${name}'`);
}

export function reportServerOptions(ctx: LineContext, used: string[], subject: string) {
  for (const o of used) ctx.uses(serverOptionStatusKey(o), o, subject);
}
