/**
 * A backend's `cookie` line as the engine applies it, resolved once at start (from-haproxy.ts): which
 * mode, which options, the attribute text appended to every inserted cookie. The server values
 * (`server … cookie VALUE`, or the `dynamic` hash) are on the ServerSpecs.
 */
import { isIPv6 } from 'node:net';
import { xxh64 } from './xxh64.ts';

export interface CookieSpec {
  name: string;
  /** `passive`: no mode given — the server sets the cookie itself, the balancer only reads it */
  mode: 'insert' | 'rewrite' | 'prefix' | 'passive';
  indirect: boolean;
  nocache: boolean;
  postonly: boolean;
  preserve: boolean;
  httponly: boolean;
  secure: boolean;
  /** every `domain`, in order */
  domains: readonly string[];
  /** every `attr`, in order */
  attrs: readonly string[];
  /** seconds, 0 = unset */
  maxidle: number;
  maxlife: number;
  dynamic: boolean;
}

/**
 * What HAProxy appends after `; path=/` (or the expiry of a server without a value): every domain,
 * HttpOnly, Secure, then the attrs, in this order whatever the order on the line.
 */
export function cookieAttributes(spec: CookieSpec): string {
  let out = '';
  for (const d of spec.domains) out += `; domain=${d}`;
  if (spec.httponly) out += '; HttpOnly';
  if (spec.secure) out += '; Secure';
  for (const a of spec.attrs) out += `; ${a}`;
  return out;
}

/**
 * The `dynamic` cookie value of a server at `host:port` (HAProxy's `srv_set_dyncookie()`): XXH64 of the
 * key, the 4 or 16 address bytes and the port as a 32-bit big-endian number, as 16 hex digits. Null
 * when the address is not a literal IPv4/IPv6 address (HAProxy then leaves the server without one).
 */
export function dynamicCookie(key: string, host: string, port: number): string | null {
  const addr = addressBytes(host);
  if (addr === null) return null;
  const k = Buffer.from(key, 'latin1');
  const buf = Buffer.alloc(k.length + addr.length + 4);
  k.copy(buf, 0);
  buf.set(addr, k.length);
  buf.writeUInt32BE(port >>> 0, k.length + addr.length);
  return xxh64(buf).toString(16).padStart(16, '0');
}

function addressBytes(host: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? Uint8Array.from(b) : null;
  }
  return ipv6Bytes(host);
}

function ipv6Bytes(host: string): Uint8Array | null {
  if (!isIPv6(host)) return null;
  // words of each side of '::'; a trailing dotted quad is two words
  const words = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const w of part.split(':')) {
      if (w.includes('.')) {
        const b = w.split('.').map(Number);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(parseInt(w, 16));
    }
    return out;
  };
  const [a, b] = host.split('::');
  const head = words(a);
  const tail = b === undefined ? [] : words(b);
  const all =
    b === undefined ? head : [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}
