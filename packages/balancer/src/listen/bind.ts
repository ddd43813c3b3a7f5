import type { ListenOptions } from 'node:net';
import type { BindAddress } from '../engine/engine-config.ts';

/**
 * One address of a `bind` line becomes one or more `server.listen()` calls: a port range gives one
 * listener per port. As in HAProxy, `*` (or an empty host) means every IPv4 address (0.0.0.0) and `::`
 * means IPv6, dual-stack (IPv4 clients appear as ::ffff:a.b.c.d, normalised for forwardfor).
 */
export function listenOptions(a: BindAddress, backlog: number, v6only?: boolean): ListenOptions[] {
  if (a.kind === 'unix') return [{ path: a.path, backlog }];
  if (a.kind === 'fd') return [{ fd: a.fd, backlog } as ListenOptions];
  const host = a.host === '' || a.host === '*' ? (a.family === 6 ? '::' : '0.0.0.0') : a.host;
  const out: ListenOptions[] = [];
  for (let port = a.portMin; port <= a.portMax; port++) {
    out.push(v6only === undefined ? { host, port, backlog } : { host, port, backlog, ipv6Only: v6only });
  }
  return out;
}

export function listenText(o: ListenOptions): string {
  if (o.path) return `unix@${o.path}`;
  if ((o as { fd?: number }).fd !== undefined) return `fd@${(o as { fd: number }).fd}`;
  return o.host?.includes(':') ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
}
