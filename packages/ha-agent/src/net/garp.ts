import { isIPv4, isIPv6 } from 'node:net';
import { HaError } from '../errors.ts';

/**
 * Frame builders for the announcements a new MASTER sends so that switches and neighbours move the VIP to
 * its MAC: an IPv4 gratuitous ARP and an IPv6 unsolicited neighbour advertisement. Pure: bytes in, bytes
 * out; sending is the caller's (the native addon's sendLinkFrame). Laid out as keepalived does it
 * (garp.c, ndisc.c) so captures compare one to one.
 */

export const ETH_BROADCAST = Buffer.from('ffffffffffff', 'hex');
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;

/** Parses `aa:bb:cc:dd:ee:ff` (or `-` separated) into 6 bytes. */
export function parseMac(mac: string | Buffer): Buffer {
  if (Buffer.isBuffer(mac)) {
    if (mac.length !== 6) throw new HaError('HA_ERR_GARP', `MAC must be 6 bytes, got ${mac.length}`);
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p)))
    throw new HaError('HA_ERR_GARP', `bad MAC ${mac}`);
  return Buffer.from(parts.map((p) => Number.parseInt(p, 16)));
}

/** RFC 5798 §7.3 virtual MAC: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6. */
export function vmacAddress(vrid: number, family: 4 | 6): Buffer {
  return Buffer.from([0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid & 0xff]);
}

export function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) throw new HaError('HA_ERR_GARP', `bad IPv4 address ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

export function ipv6Bytes(address: string): Buffer {
  if (!isIPv6(address)) throw new HaError('HA_ERR_GARP', `bad IPv6 address ${address}`);
  let text = address.split('%')[0];
  const out = Buffer.alloc(16);
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === null ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

function ethernet(dst: Buffer, src: Buffer, type: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(14 + payload.length);
  dst.copy(frame, 0);
  src.copy(frame, 6);
  frame.writeUInt16BE(type, 12);
  payload.copy(frame, 14);
  return frame;
}

/**
 * Gratuitous ARP as keepalived sends it: Ethernet broadcast, ARP *request* (not reply: every stack
 * updates its cache from a request, and a request is what RFC 5227 calls an announcement), sender and
 * target protocol address both the VIP, target hardware address broadcast. 42 bytes (the NIC pads).
 */
export function buildGratuitousArp(opts: { mac: string | Buffer; vip: string }): Buffer {
  const mac = parseMac(opts.mac);
  const ip = ipv4Bytes(opts.vip);
  const arp = Buffer.alloc(28);
  arp.writeUInt16BE(1, 0); // hardware: Ethernet
  arp.writeUInt16BE(0x0800, 2); // protocol: IPv4
  arp[4] = 6;
  arp[5] = 4;
  arp.writeUInt16BE(1, 6); // request
  mac.copy(arp, 8);
  ip.copy(arp, 14);
  ETH_BROADCAST.copy(arp, 18);
  ip.copy(arp, 24);
  return ethernet(ETH_BROADCAST, mac, ETHERTYPE_ARP, arp);
}

/** Internet checksum (RFC 1071) over the given buffers, as if concatenated (each even-length but the last). */
export function internetChecksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2) sum += b[b.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ALL_NODES = ipv6Bytes('ff02::1');
const ALL_NODES_MAC = Buffer.from('333300000001', 'hex');

/**
 * Unsolicited neighbour advertisement (RFC 4861 §7.2.6) as keepalived sends it: from the VIP to ff02::1
 * (Ethernet 33:33:00:00:00:01), hop limit 255 (receivers drop ND with any other), Override set so caches
 * take the new MAC, Solicited clear, Router set only when the node forwards, and a target link-layer
 * address option carrying the MAC.
 */
export function buildUnsolicitedNa(opts: { mac: string | Buffer; vip: string; router?: boolean }): Buffer {
  const mac = parseMac(opts.mac);
  const target = ipv6Bytes(opts.vip);
  const icmp = Buffer.alloc(32);
  icmp[0] = 136; // neighbour advertisement
  icmp[1] = 0;
  icmp[4] = (opts.router ? 0x80 : 0) | 0x20; // R, S=0, O=1 (the other 29 bits are reserved)
  target.copy(icmp, 8);
  icmp[24] = 2; // option: target link-layer address
  icmp[25] = 1; // length in units of 8 bytes
  mac.copy(icmp, 26);
  const pseudo = Buffer.alloc(40);
  target.copy(pseudo, 0);
  ALL_NODES.copy(pseudo, 16);
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo[39] = 58;
  icmp.writeUInt16BE(internetChecksum(pseudo, icmp), 2);
  const ip6 = Buffer.alloc(40);
  ip6.writeUInt32BE(0x60000000, 0);
  ip6.writeUInt16BE(icmp.length, 4);
  ip6[6] = 58; // ICMPv6
  ip6[7] = 255;
  target.copy(ip6, 8);
  ALL_NODES.copy(ip6, 24);
  return ethernet(ALL_NODES_MAC, mac, ETHERTYPE_IPV6, Buffer.concat([ip6, icmp]));
}
