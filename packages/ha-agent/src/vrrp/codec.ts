// VRRP message codec: v2 (RFC 3768) and v3 (RFC 9568). Pure: buffers in, objects out.
import { isIPv4, isIPv6 } from 'node:net';
import { HaError } from '../errors.ts';
import { addressBytes, messageChecksum, pseudoHeaderChecksum, zeroChecksum } from './checksum.ts';

export const VRRP_TYPE_ADVERTISEMENT = 1;
export const VRRP_AUTH_NONE = 0;
export const VRRP_AUTH_PASS = 1;
export const VRRP_AUTH_AH = 2;
export const VRRP_V4_MCAST = '224.0.0.18';
export const VRRP_V6_MCAST = 'ff02::12';

export interface VrrpAdvert {
  version: 2 | 3;
  type: number;
  vrid: number;
  priority: number;
  /** Advertisement interval in centiseconds (v2's 1-byte seconds × 100). */
  advertIntCs: number;
  addresses: string[];
  /** v2 only. */
  authType: number;
  /** v2 only: the 8 authentication bytes. */
  authData: Buffer;
  checksum: number;
}

/** 'pseudo': v3 IPv4 with the pseudo-header (keepalived's default); 'message': message only (v2, and
 *  v3 with `v3_checksum_as_v2`); 'pseudo-group': keepalived's `old_unicast_checksum` — a unicast advert
 *  whose pseudo-header names the multicast group instead of the real destination (before 1.3.6). */
export type ChecksumForm = 'pseudo' | 'message' | 'pseudo-group';

export interface EncodeOptions {
  family: 4 | 6;
  src: string;
  dst: string;
  /** v3 over IPv4 only; v2 is always message-only and IPv6 always pseudo. */
  checksumForm?: ChecksumForm;
}

/** The 8 bytes of v2 simple-text authentication: the password, NUL-padded or cut to 8. */
export function passAuthData(pass: string): Buffer {
  const out = Buffer.alloc(8);
  Buffer.from(pass, 'utf8').copy(out, 0, 0, 8);
  return out;
}

export function encodeAdvert(
  a: Omit<VrrpAdvert, 'checksum' | 'type'> & { type?: number },
  o: EncodeOptions,
): Buffer {
  const addrLen = o.family === 4 ? 4 : 16;
  const authLen = a.version === 2 ? 8 : 0;
  if (a.version === 2 && o.family === 6)
    throw new HaError('HA_ERR_CODEC', 'VRRPv2 has no IPv6 form; use version 3');
  const buf = Buffer.alloc(8 + addrLen * a.addresses.length + authLen);
  buf[0] = (a.version << 4) | (a.type ?? VRRP_TYPE_ADVERTISEMENT);
  buf[1] = a.vrid;
  buf[2] = a.priority;
  buf[3] = a.addresses.length;
  if (a.version === 2) {
    buf[4] = a.authType;
    buf[5] = Math.round(a.advertIntCs / 100);
  } else {
    buf.writeUInt16BE(a.advertIntCs & 0x0fff, 4);
  }
  let off = 8;
  for (const addr of a.addresses) {
    if (o.family === 4 ? !isIPv4(addr) : !isIPv6(addr)) {
      throw new HaError('HA_ERR_CODEC', `address ${addr} is not IPv${o.family}`);
    }
    addressBytes(addr).copy(buf, off);
    off += addrLen;
  }
  if (authLen) a.authData.copy(buf, off, 0, 8);
  buf.writeUInt16BE(computeChecksum(buf, a.version, o), 6);
  return buf;
}

function computeChecksum(msgZeroed: Buffer, version: 2 | 3, o: EncodeOptions): number {
  if (version === 2) return messageChecksum(msgZeroed);
  if (o.family === 6) return pseudoHeaderChecksum(msgZeroed, o.src, o.dst);
  switch (o.checksumForm ?? 'pseudo') {
    case 'pseudo':
      return pseudoHeaderChecksum(msgZeroed, o.src, o.dst);
    case 'pseudo-group':
      return pseudoHeaderChecksum(msgZeroed, o.src, VRRP_V4_MCAST);
    case 'message':
      return messageChecksum(msgZeroed);
  }
}

/** Which checksum form a received message carries, or null when neither matches. */
export function checksumFormOf(msg: Buffer, family: 4 | 6, src: string, dst: string): ChecksumForm | null {
  const stored = msg.readUInt16BE(6);
  const z = zeroChecksum(msg);
  const version = msg[0] >> 4;
  if (family === 6) return pseudoHeaderChecksum(z, src, dst) === stored ? 'pseudo' : null;
  if (version === 3 && pseudoHeaderChecksum(z, src, dst) === stored) return 'pseudo';
  if (messageChecksum(z) === stored) return 'message';
  if (version === 3 && dst !== VRRP_V4_MCAST && pseudoHeaderChecksum(z, src, VRRP_V4_MCAST) === stored) {
    return 'pseudo-group';
  }
  return null;
}

export type DecodeResult = { ok: true; advert: VrrpAdvert } | { ok: false; reason: DropReason };

/** Reasons a packet is dropped; each one is counted per instance. */
export type DropReason =
  | 'ip_malformed'
  | 'ttl'
  | 'too_short'
  | 'version'
  | 'type'
  | 'vrid'
  | 'length'
  | 'checksum'
  | 'auth_type'
  | 'auth'
  | 'addr_count'
  | 'advert_interval'
  | 'own_packet'
  | 'unknown_peer'
  | 'fault_state';

/** Structural decode: version, type and lengths. Policy checks (VRID, auth, TTL…) are the validator's. */
export function decodeAdvert(msg: Buffer, family: 4 | 6): DecodeResult {
  if (msg.length < 8) return { ok: false, reason: 'too_short' };
  const version = msg[0] >> 4;
  const type = msg[0] & 0x0f;
  if (version !== 2 && version !== 3) return { ok: false, reason: 'version' };
  if (version === 2 && family === 6) return { ok: false, reason: 'version' };
  if (type !== VRRP_TYPE_ADVERTISEMENT) return { ok: false, reason: 'type' };
  const count = msg[3];
  const addrLen = family === 4 ? 4 : 16;
  const authLen = version === 2 ? 8 : 0;
  if (msg.length < 8 + count * addrLen + authLen) return { ok: false, reason: 'length' };
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const b = msg.subarray(8 + i * addrLen, 8 + (i + 1) * addrLen);
    addresses.push(family === 4 ? Array.from(b).join('.') : formatIpv6(b));
  }
  const authOff = 8 + count * addrLen;
  return {
    ok: true,
    advert: {
      version,
      type,
      vrid: msg[1],
      priority: msg[2],
      advertIntCs: version === 2 ? msg[5] * 100 : msg.readUInt16BE(4) & 0x0fff,
      addresses,
      authType: version === 2 ? msg[4] : VRRP_AUTH_NONE,
      authData: version === 2 ? Buffer.from(msg.subarray(authOff, authOff + 8)) : Buffer.alloc(0),
      checksum: msg.readUInt16BE(6),
    },
  };
}

/** RFC 5952 text form (lowercase, longest zero run compressed). */
export function formatIpv6(b: Buffer): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
