import { isIPv4, isIPv6 } from 'node:net';
import type { Cidr, ForwardFor } from '../engine/engine-config.ts';

/**
 * `option forwardfor [except NET] [header NAME] [if-none]`, as HAProxy does it: a NEW header line
 * `NAME: <client address>` is appended (existing ones are left alone); `except` is matched against the
 * client address; `if-none` only adds it when the request has no such header.
 */
export interface ForwardForPlan {
  /** lower-case header name for the parser to locate */
  watch: Uint8Array;
  header: string;
  ifNone: boolean;
  except: Cidr | null;
}

export function forwardForPlan(ff: ForwardFor | null): ForwardForPlan | null {
  if (!ff) return null;
  const header = ff.header || 'X-Forwarded-For';
  return {
    watch: Uint8Array.from(header.toLowerCase(), (c) => c.charCodeAt(0)),
    header,
    ifNone: ff.ifNone,
    except: ff.except,
  };
}

/** Node reports IPv4 clients of a dual-stack socket as ::ffff:a.b.c.d; HAProxy shows a.b.c.d. */
export function normalizeClientAddress(addr: string | undefined): string {
  if (!addr) return '';
  if (addr.startsWith('::ffff:') && isIPv4(addr.slice(7))) return addr.slice(7);
  return addr;
}

function v4bytes(a: string): number[] {
  return a.split('.').map(Number);
}

function v6bytes(a: string): number[] {
  let s = a;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  if (s.includes('.')) {
    const i = s.lastIndexOf(':');
    const v4 = v4bytes(s.slice(i + 1));
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, i + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const words = (x: string) => (x === '' ? [] : x.split(':').map((w) => Number.parseInt(w, 16)));
  const dbl = s.indexOf('::');
  let all: number[];
  if (dbl >= 0) {
    const h = words(s.slice(0, dbl));
    const r = words(s.slice(dbl + 2));
    all = [...h, ...new Array(8 - tail.length - h.length - r.length).fill(0), ...r, ...tail];
  } else all = [...words(s), ...tail];
  const out: number[] = [];
  for (const w of all) out.push(w >> 8, w & 0xff);
  return out;
}

/** Is `addr` (a client address as normalised above) inside `net`? IPv4 nets also match ::ffff:v4. */
export function cidrContains(net: Cidr, addr: string): boolean {
  let bytes: number[];
  let netBytes: number[];
  if (net.family === 4) {
    if (!isIPv4(addr)) return false;
    bytes = v4bytes(addr);
    netBytes = v4bytes(net.address);
  } else {
    if (isIPv4(addr)) {
      bytes = v6bytes(`::ffff:${addr}`);
    } else if (isIPv6(addr)) bytes = v6bytes(addr);
    else return false;
    netBytes = v6bytes(net.address);
  }
  let bits = net.prefix;
  for (let i = 0; i < bytes.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (netBytes[i] & mask)) return false;
    bits -= 8;
  }
  return true;
}

/**
 * The header line to add for this client, or '' for none. Decided once per client connection (the
 * address does not change), except for if-none, which depends on each request (`present`).
 */
export function forwardForLine(plan: ForwardForPlan, clientAddr: string): string {
  if (plan.except && cidrContains(plan.except, clientAddr)) return '';
  return `${plan.header}: ${clientAddr}\r\n`;
}
