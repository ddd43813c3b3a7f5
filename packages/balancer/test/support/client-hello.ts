/**
 * A TLS ClientHello record built byte by byte (RFC 5246 §7.4.1.2, RFC 6066 SNI, RFC 7301 ALPN), for
 * tests of the layer-6 fetches (req.ssl_sni, req.ssl_alpn, …): only the fields those fetches read
 * are chosen, the rest is fixed (no handshake follows).
 */
export interface HelloSpec {
  sni?: string;
  alpn?: string[];
  /** the supported-groups (elliptic curves) extension, 10 */
  ec?: boolean;
  /** the SessionTicket extension, 35: empty, or carrying a ticket of that many bytes */
  ticket?: number;
  /** the record layer's version (default 3.1) and the ClientHello's (default 3.3) */
  recordVersion?: [number, number];
  helloVersion?: [number, number];
}

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

function ext(type: number, body: number[]): number[] {
  return [...u16(type), ...u16(body.length), ...body];
}

export function clientHello(spec: HelloSpec = {}): Buffer {
  const exts: number[] = [];
  if (spec.sni !== undefined) {
    const name = [...Buffer.from(spec.sni, 'latin1')];
    const entry = [0, ...u16(name.length), ...name];
    exts.push(...ext(0, [...u16(entry.length), ...entry]));
  }
  if (spec.ec) exts.push(...ext(10, [...u16(2), 0x00, 0x1d]));
  if (spec.alpn !== undefined) {
    const list = spec.alpn.flatMap((p) => [p.length, ...Buffer.from(p, 'latin1')]);
    exts.push(...ext(16, [...u16(list.length), ...list]));
  }
  if (spec.ticket !== undefined) exts.push(...ext(35, new Array(spec.ticket).fill(0xab)));
  const [hvMaj, hvMin] = spec.helloVersion ?? [3, 3];
  const body = [
    hvMaj,
    hvMin,
    ...new Array(32).fill(0x42), // random
    0, // session id length
    ...u16(4),
    0x13,
    0x01,
    0xc0,
    0x2f, // cipher suites
    1,
    0, // compression: null
    ...u16(exts.length),
    ...exts,
  ];
  const hs = [1, (body.length >> 16) & 0xff, ...u16(body.length), ...body];
  const [rvMaj, rvMin] = spec.recordVersion ?? [3, 1];
  return Buffer.from([0x16, rvMaj, rvMin, ...u16(hs.length), ...hs]);
}
