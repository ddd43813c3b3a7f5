// A raw IPv4 socket hands us the whole datagram. VRRP's checks need the TTL and the total length
// (the VRRP message ends where the IP header says, not where the Ethernet frame's padding ends).

export interface Ipv4Header {
  headerLength: number;
  totalLength: number;
  ttl: number;
  protocol: number;
  src: string;
  dst: string;
}

export type Ipv4ParseResult =
  | { ok: true; header: Ipv4Header; payload: Buffer }
  | { ok: false; reason: string };

export function parseIpv4Datagram(buf: Buffer): Ipv4ParseResult {
  if (buf.length < 20) return { ok: false, reason: 'ip_truncated' };
  const version = buf[0] >> 4;
  const headerLength = (buf[0] & 0x0f) * 4;
  if (version !== 4 || headerLength < 20 || headerLength > buf.length)
    return { ok: false, reason: 'ip_header' };
  const totalLength = buf.readUInt16BE(2);
  // The kernel may report 0 for the total length of a locally generated datagram with offloads; the
  // received length is then authoritative.
  const end = totalLength === 0 ? buf.length : totalLength;
  if (end < headerLength || end > buf.length) return { ok: false, reason: 'ip_length' };
  return {
    ok: true,
    header: {
      headerLength,
      totalLength: end,
      ttl: buf[8],
      protocol: buf[9],
      src: `${buf[12]}.${buf[13]}.${buf[14]}.${buf[15]}`,
      dst: `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`,
    },
    payload: buf.subarray(headerLength, end),
  };
}
