import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipv6Bytes } from './checksum.ts';
import { decodeAdvert, encodeAdvert, formatIpv6, passAuthData } from './codec.ts';
import { validateAdvert } from './validate.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('VRRP codec', () => {
  it('encodes the golden v2 packet byte for byte', () => {
    const buf = encodeAdvert(
      {
        version: 2,
        vrid: 51,
        priority: 150,
        advertIntCs: 100,
        addresses: ['10.0.0.100'],
        authType: 1,
        authData: passAuthData('secret12'),
      },
      { family: 4, src: '10.0.0.1', dst: '224.0.0.18' },
    );
    assert.equal(buf.toString('hex'), '2133960101 01cfe70a0000647365637265743132'.replace(/\s/g, ''));
  });

  it('decodes the golden v2 packet and re-encodes it identically', () => {
    const raw = hex('21 33 96 01 01 01 cf e7 0a 00 00 64 73 65 63 72 65 74 31 32');
    const d = decodeAdvert(raw, 4);
    assert.ok(d.ok);
    assert.equal(d.advert.vrid, 51);
    assert.equal(d.advert.priority, 150);
    assert.equal(d.advert.advertIntCs, 100);
    assert.deepEqual(d.advert.addresses, ['10.0.0.100']);
    assert.equal(d.advert.authData.toString(), 'secret12');
    const again = encodeAdvert(d.advert, { family: 4, src: '10.0.0.1', dst: '224.0.0.18' });
    assert.ok(again.equals(raw));
  });

  it('v3 IPv4: pseudo-header checksum by default, message-only when asked, both accepted', () => {
    const advert = {
      version: 3 as const,
      vrid: 7,
      priority: 100,
      advertIntCs: 50,
      addresses: ['192.0.2.10'],
      authType: 0,
      authData: Buffer.alloc(0),
    };
    const src = '192.0.2.1';
    const dst = '224.0.0.18';
    const pseudo = encodeAdvert(advert, { family: 4, src, dst });
    const plain = encodeAdvert(advert, { family: 4, src, dst, checksumForm: 'message' });
    assert.notEqual(pseudo.readUInt16BE(6), plain.readUInt16BE(6));
    assert.equal(pseudo.readUInt16BE(4), 50);
    const ctx = {
      family: 4 as const,
      version: 3 as const,
      vrid: 7,
      advertIntCs: 100,
      authPass: null,
      addressCount: 1,
      ownAddresses: [],
    };
    const meta = { src, dst, ttl: 255, multicast: true };
    const a = validateAdvert(pseudo, meta, ctx);
    const b = validateAdvert(plain, meta, ctx);
    assert.ok(a.ok && a.checksumForm === 'pseudo');
    assert.ok(b.ok && b.checksumForm === 'message');
    // v3 adopts a different interval rather than dropping, but never 0.
    assert.equal(a.ok && a.advert.advertIntCs, 50);
    const zero = encodeAdvert({ ...advert, advertIntCs: 0 }, { family: 4, src, dst });
    const z = validateAdvert(zero, meta, ctx);
    assert.equal(!z.ok && z.reason, 'advert_interval');
  });

  it('formats IPv6 addresses canonically', () => {
    for (const a of ['fe80::1', 'ff02::12', '2001:db8::1:0:0:1', '::', '2001:db8:1:2:3:4:5:6']) {
      assert.equal(formatIpv6(ipv6Bytes(a)), a);
    }
  });
});

describe('VRRP packet validation', () => {
  const golden = hex('21 33 96 01 01 01 cf e7 0a 00 00 64 73 65 63 72 65 74 31 32');
  const ctx = {
    family: 4 as const,
    version: 2 as const,
    vrid: 51,
    advertIntCs: 100,
    authPass: 'secret12' as string | null,
    addressCount: 1,
    ownAddresses: ['10.0.0.2'],
  };
  const meta = { src: '10.0.0.1', dst: '224.0.0.18', ttl: 255, multicast: true };
  const cases: {
    name: string;
    pkt: Buffer;
    meta?: Partial<typeof meta>;
    ctx?: Partial<typeof ctx>;
    want: string;
  }[] = [
    { name: 'TTL below 255 on multicast', pkt: golden, meta: { ttl: 254 }, want: 'ttl' },
    { name: 'wrong VRID', pkt: golden, ctx: { vrid: 52 }, want: 'vrid' },
    { name: 'wrong version', pkt: Buffer.concat([Buffer.from([0x11]), golden.subarray(1)]), want: 'version' },
    { name: 'wrong type', pkt: Buffer.concat([Buffer.from([0x22]), golden.subarray(1)]), want: 'type' },
    {
      name: 'bad checksum',
      pkt: Buffer.concat([golden.subarray(0, 7), Buffer.from([0]), golden.subarray(8)]),
      want: 'checksum',
    },
    { name: 'wrong password', pkt: golden, ctx: { authPass: 'secret13' }, want: 'auth' },
    { name: 'auth type differs', pkt: golden, ctx: { authPass: null }, want: 'auth_type' },
    { name: 'truncated', pkt: golden.subarray(0, 15), want: 'length' },
    { name: 'address count', pkt: golden, ctx: { addressCount: 2 }, want: 'addr_count' },
    { name: 'v2 interval mismatch', pkt: golden, ctx: { advertIntCs: 200 }, want: 'advert_interval' },
    { name: 'our own advert', pkt: golden, meta: { src: '10.0.0.2' }, want: 'own_packet' },
  ];
  for (const c of cases) {
    it(`drops: ${c.name}`, () => {
      const r = validateAdvert(c.pkt, { ...meta, ...c.meta }, { ...ctx, ...c.ctx });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, c.want);
    });
  }
  it('accepts the golden packet, and Ethernet padding after it', () => {
    assert.ok(validateAdvert(golden, meta, ctx).ok);
    assert.ok(validateAdvert(Buffer.concat([golden, Buffer.alloc(6)]), meta, ctx).ok);
  });
  it('accepts any TTL on unicast', () => {
    assert.ok(validateAdvert(golden, { ...meta, ttl: 60, multicast: false }, ctx).ok);
  });
});
