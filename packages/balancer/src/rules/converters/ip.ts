/** IPv4/IPv6 addresses as bytes, for `-m ip`, `ipmask` and `map_ip`. */
import { isIPv4, isIPv6 } from 'node:net';

// the same address (a session's src) is matched by several ACLs: remember the last one parsed
let lastText = '';
let lastIp: number[] | null = null;

/** 4 or 16 bytes, or null when `s` is not an address (the result must not be modified). */
export function parseIp(s: string): number[] | null {
  if (s === lastText) return lastIp;
  const ip = parseIpUncached(s);
  lastText = s;
  lastIp = ip;
  return ip;
}

function parseIpUncached(s: string): number[] | null {
  if (isIPv4(s)) {
    const p = s.split('.');
    return [Number(p[0]), Number(p[1]), Number(p[2]), Number(p[3])];
  }
  let t = s;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (!isIPv6(t)) return null;
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  let tail: number[] = [];
  if (t.includes('.')) {
    const i = t.lastIndexOf(':');
    const v4 = t
      .slice(i + 1)
      .split('.')
      .map(Number);
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    t = t.slice(0, i + 1);
    if (!t.endsWith('::')) t = t.slice(0, -1);
  }
  const words = (x: string) => (x === '' ? [] : x.split(':').map((w) => Number.parseInt(w, 16)));
  const dbl = t.indexOf('::');
  let all: number[];
  if (dbl >= 0) {
    const h = words(t.slice(0, dbl));
    const r = words(t.slice(dbl + 2));
    all = [...h, ...new Array(8 - tail.length - h.length - r.length).fill(0), ...r, ...tail];
  } else all = [...words(t), ...tail];
  const out: number[] = [];
  for (const w of all) out.push(w >> 8, w & 0xff);
  return out;
}

/** An address or network (`a.b.c.d/n`, `a.b.c.d/m.m.m.m`, `v6/n`) for matching. */
export interface Net {
  bytes: number[];
  prefix: number;
}

export function parseNet(s: string): Net | null {
  const slash = s.indexOf('/');
  const addr = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (addr === null) return null;
  const max = addr.length * 8;
  if (slash < 0) return { bytes: addr, prefix: max };
  const m = s.slice(slash + 1);
  if (/^\d+$/.test(m)) {
    const n = Number(m);
    return n > max ? null : { bytes: addr, prefix: n };
  }
  const mask = parseIp(m);
  if (mask === null || mask.length !== addr.length) return null;
  let bits = 0;
  for (const b of mask) for (let k = 7; k >= 0; k--) if (b & (1 << k)) bits++;
  return { bytes: addr, prefix: bits };
}

const V4_MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Is `ip` in `net`? IPv4 and IPv4-mapped IPv6 meet each other, as in HAProxy. */
export function netContains(net: Net, ip: number[]): boolean {
  let a = ip;
  let n = net.bytes;
  let prefix = net.prefix;
  if (a.length !== n.length) {
    if (a.length === 16 && n.length === 4) {
      for (let i = 0; i < 12; i++) if (a[i] !== V4_MAPPED[i]) return false;
      a = a.slice(12);
    } else if (a.length === 4 && n.length === 16) {
      for (let i = 0; i < 12; i++) if (n[i] !== V4_MAPPED[i]) return false;
      n = n.slice(12);
      prefix = Math.max(0, prefix - 96);
    } else return false;
  }
  let bits = prefix;
  for (let i = 0; i < a.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i] & mask) !== (n[i] & mask)) return false;
    bits -= 8;
  }
  return true;
}

export function ipText(b: number[]): string {
  if (b.length === 4) return b.join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((b[i] << 8) | b[i + 1]).toString(16));
  // compress the longest run of zeros
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

export function ipMask(ip: readonly number[], bits: number): string {
  const out = ip.slice();
  let b = bits;
  for (let i = 0; i < out.length; i++) {
    const mask = b >= 8 ? 0xff : b <= 0 ? 0 : (0xff << (8 - b)) & 0xff;
    out[i] &= mask;
    b -= 8;
  }
  return ipText(out);
}
