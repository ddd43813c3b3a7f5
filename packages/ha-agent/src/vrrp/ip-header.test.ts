import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpv4Datagram } from './ip-header.ts';

const vrrp = Buffer.from('213396010101cfe70a0000647365637265743132', 'hex');

function datagram(
  payload: Buffer,
  opts: { ttl?: number; totalLength?: number; padding?: number } = {},
): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(opts.totalLength ?? 20 + payload.length, 2);
  h[8] = opts.ttl ?? 255;
  h[9] = 112;
  Buffer.from([10, 0, 0, 1]).copy(h, 12);
  Buffer.from([224, 0, 0, 18]).copy(h, 16);
  return Buffer.concat([h, payload, Buffer.alloc(opts.padding ?? 0)]);
}

describe('IPv4 header of raw-socket datagrams', () => {
  it('takes TTL, addresses and the payload bounded by the total length (Ethernet padding dropped)', () => {
    const r = parseIpv4Datagram(datagram(vrrp, { ttl: 254, padding: 26 }));
    assert.ok(r.ok);
    assert.equal(r.header.ttl, 254);
    assert.equal(r.header.src, '10.0.0.1');
    assert.equal(r.header.dst, '224.0.0.18');
    assert.ok(r.payload.equals(vrrp));
  });
  it('refuses a total length beyond the data, a short buffer and a bad header length', () => {
    assert.deepEqual(parseIpv4Datagram(datagram(vrrp, { totalLength: 100 })), {
      ok: false,
      reason: 'ip_length',
    });
    assert.deepEqual(parseIpv4Datagram(Buffer.alloc(10)), { ok: false, reason: 'ip_truncated' });
    const bad = datagram(vrrp);
    bad[0] = 0x4f; // IHL 60 bytes > datagram
    assert.deepEqual(parseIpv4Datagram(bad), { ok: false, reason: 'ip_header' });
  });
});
