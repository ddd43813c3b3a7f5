// Internet checksums for VRRP. v2 and keepalived's `v3_checksum_as_v2` cover the message only; v3
// over IPv4 covers a pseudo-header too by default (what keepalived sends, RFC 5798's reading); v3 over
// IPv6 always covers the IPv6 pseudo-header (RFC 8200 §8.1).
import { isIPv4 } from 'node:net';

export const IPPROTO_VRRP = 112;

function sum16(buf: Buffer, acc: number): number {
  let s = acc;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) s += (buf[i] << 8) | buf[i + 1];
  if (buf.length & 1) s += buf[buf.length - 1] << 8;
  return s;
}

function fold(s: number): number {
  let v = s;
  while (v > 0xffff) v = (v & 0xffff) + Math.floor(v / 0x10000);
  return ~v & 0xffff;
}

export function ipv4Bytes(addr: string): Buffer {
  const parts = addr.split('.').map(Number);
  return Buffer.from(parts);
}

export function ipv6Bytes(addr: string): Buffer {
  // Expand '::' and an optional zone id; node:net validates before we get here.
  const a = addr.split('%')[0].toLowerCase();
  let head: string[];
  let tail: string[];
  if (a.includes('::')) {
    const [h, t] = a.split('::');
    head = h ? h.split(':') : [];
    tail = t ? t.split(':') : [];
  } else {
    head = a.split(':');
    tail = [];
  }
  const expand = (groups: string[]): number[] => {
    const out: number[] = [];
    for (const g of groups) {
      if (g.includes('.')) {
        const b = ipv4Bytes(g);
        out.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const h = expand(head);
  const t = expand(tail);
  const words = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const buf = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(words[i], i * 2);
  return buf;
}

export function addressBytes(addr: string): Buffer {
  return isIPv4(addr) ? ipv4Bytes(addr) : ipv6Bytes(addr);
}

/** Checksum over the message only (the checksum field must be zero or is skipped by the caller). */
export function messageChecksum(msg: Buffer): number {
  return fold(sum16(msg, 0));
}

/** Checksum over the IPv4 or IPv6 pseudo-header followed by the message. */
export function pseudoHeaderChecksum(msg: Buffer, src: string, dst: string): number {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  let acc = sum16(s, 0);
  acc = sum16(d, acc);
  if (s.length === 4) {
    acc += IPPROTO_VRRP + msg.length; // zero byte, protocol, 16-bit length
  } else {
    acc += Math.floor(msg.length / 0x10000) + (msg.length & 0xffff) + IPPROTO_VRRP; // 32-bit length, next header
  }
  return fold(sum16(msg, acc));
}

/** Copy of `msg` with the checksum field (bytes 6–7) zeroed. */
export function zeroChecksum(msg: Buffer): Buffer {
  const copy = Buffer.from(msg);
  copy.writeUInt16BE(0, 6);
  return copy;
}
