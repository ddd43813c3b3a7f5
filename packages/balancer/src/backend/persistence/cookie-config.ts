/**
 * From the haproxy.cfg model to what the engine applies for persistence: the backend's `cookie` line
 * (CookieSpec), each server's cookie value (`cookie VALUE`, or the `dynamic` hash of the backend's
 * `dynamic-cookie-key` and the server's address), `option persist`, `option redispatch [N]`.
 */
import type { Proxy as ModelProxy } from '@ha-lb/shared-config/haproxy';
import { type CookieSpec, dynamicCookie } from './cookie-spec.ts';

export function cookieSpecOf(p: ModelProxy): CookieSpec | null {
  const c = p.cookie;
  if (c === null || p.mode === 'tcp') return null; // (HAProxy ignores it outside mode http, and warns)
  // maxidle/maxlife are whole seconds in HAProxy, rounded up
  const seconds = (ms: number | null) => (ms === null ? 0 : Math.ceil(ms / 1000));
  return {
    name: c.name,
    mode: c.mode ?? 'passive',
    indirect: c.indirect,
    nocache: c.nocache,
    postonly: c.postonly,
    preserve: c.preserve,
    httponly: c.httponly,
    secure: c.secure,
    domains: [...c.domains],
    attrs: [...c.attrs],
    maxidle: seconds(c.maxidle),
    maxlife: seconds(c.maxlife),
    dynamic: c.dynamic,
  };
}

/** `dynamic-cookie-key KEY` of the proxy (the last one wins, a defaults section's is inherited). */
function dynamicKey(p: ModelProxy): string | null {
  let key: string | null = null;
  for (const d of p.other) if (d.keyword === 'dynamic-cookie-key') key = d.args[0] ?? null;
  return key;
}

/**
 * A server's cookie value: its own `cookie VALUE`, else with `cookie … dynamic` and a key the hash of
 * its literal address and port, else none (such a server is told to drop the cookie).
 */
export function serverCookieOf(
  p: ModelProxy,
  spec: CookieSpec | null,
  own: string | null,
  host: string,
  port: number,
): string | null {
  if (own !== null) return own;
  if (spec === null || !spec.dynamic) return null;
  const key = dynamicKey(p);
  return key === null ? null : dynamicCookie(key, host, port);
}

/** `option redispatch [N]`: null when off, else the interval (-1, the default: on the last retry). */
export function redispatchOf(p: ModelProxy): number | null {
  if (p.options.redispatch !== true) return null;
  return p.options.redispatchInterval ?? -1;
}
