import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  buildGratuitousArp,
  buildUnsolicitedNa,
  internetChecksum,
  ipv6Bytes,
  parseMac,
  vmacAddress,
} from './garp.ts';

// Golden frames: checked once against tshark's dissector (see the pcap test below, which re-checks them).
const GARP_10_0_0_100 =
  'ffffffffffff020000aabbcc0806' + // Ethernet: broadcast ← 02:00:00:aa:bb:cc, ARP
  '0001080006040001' + // Ethernet/IPv4, 6/4, request
  '020000aabbcc0a000064' + // sender MAC, sender IP = VIP
  'ffffffffffff0a000064'; // target MAC broadcast, target IP = VIP
const NA_2001_DB8__100 =
  '333300000001020000aabbcc86dd' + // Ethernet: 33:33:00:00:00:01 ← MAC, IPv6
  '60000000' +
  '0020' +
  '3a' +
  'ff' + // v6, payload 32, ICMPv6, hop limit 255
  '20010db8000000000000000000000100' + // src = VIP
  'ff020000000000000000000000000001' + // dst = all nodes
  '88' +
  '00' +
  '3ab7' +
  '20000000' + // NA, code 0, checksum, O flag
  '20010db8000000000000000000000100' + // target = VIP
  '0201020000aabbcc'; // option 2 (target link-layer), len 1, MAC
const NA_ROUTER_VMAC =
  '33330000000100005e00023386dd6000000000203afffe800000000000000000000000000001ff020000000000000000000000000001' +
  '88007968a0000000fe800000000000000000000000000001020100005e000233';

describe('gratuitous ARP / unsolicited NA frames', () => {
  it('builds keepalived’s gratuitous ARP byte for byte', () => {
    assert.equal(
      buildGratuitousArp({ mac: '02:00:00:aa:bb:cc', vip: '10.0.0.100' }).toString('hex'),
      GARP_10_0_0_100,
    );
  });

  it('builds the unsolicited NA (override, TLLA option, hop limit 255, ICMPv6 checksum) byte for byte', () => {
    assert.equal(
      buildUnsolicitedNa({ mac: '02:00:00:aa:bb:cc', vip: '2001:db8::100' }).toString('hex'),
      NA_2001_DB8__100,
    );
    const r = buildUnsolicitedNa({ mac: vmacAddress(0x33, 6), vip: 'fe80::1', router: true });
    assert.equal(r.toString('hex'), NA_ROUTER_VMAC);
  });

  it('the NA checksum verifies to zero over pseudo-header + message', () => {
    const f = Buffer.from(NA_2001_DB8__100, 'hex');
    const icmp = f.subarray(54);
    const pseudo = Buffer.concat([f.subarray(22, 54), Buffer.from([0, 0, 0, 32, 0, 0, 0, 58])]);
    assert.equal(internetChecksum(pseudo, icmp), 0);
  });

  it('parses addresses and MACs strictly', () => {
    assert.equal(ipv6Bytes('::ffff:10.0.0.1').toString('hex'), '00000000000000000000ffff0a000001');
    assert.equal(ipv6Bytes('::').toString('hex'), '0'.repeat(32));
    assert.equal(vmacAddress(51, 4).toString('hex'), '00005e000133');
    assert.throws(() => parseMac('00:11:22:33:44'), { code: 'HA_ERR_GARP' });
    assert.throws(() => buildGratuitousArp({ mac: '02:00:00:aa:bb:cc', vip: '2001:db8::1' }), {
      code: 'HA_ERR_GARP',
    });
  });

  it('tshark decodes them as a gratuitous ARP and a NA with a good checksum', {
    skip: !existsSync('/usr/bin/tshark') && 'no tshark',
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-garp-'));
    try {
      const frames = [GARP_10_0_0_100, NA_2001_DB8__100, NA_ROUTER_VMAC].map((h) => Buffer.from(h, 'hex'));
      const hdr = Buffer.alloc(24);
      hdr.writeUInt32LE(0xa1b2c3d4, 0);
      hdr.writeUInt16LE(2, 4);
      hdr.writeUInt16LE(4, 6);
      hdr.writeUInt32LE(65535, 16);
      hdr.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
      const recs = frames.map((f) => {
        const r = Buffer.alloc(16);
        r.writeUInt32LE(f.length, 8);
        r.writeUInt32LE(f.length, 12);
        return Buffer.concat([r, f]);
      });
      const pcap = join(dir, 'garp.pcap');
      writeFileSync(pcap, Buffer.concat([hdr, ...recs]));
      const out = execFileSync('tshark', ['-r', pcap, '-V'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      assert.match(out, /\[Is gratuitous: True\]/);
      assert.equal(out.match(/\[Checksum Status: Good\]/g)?.length, 2);
      assert.match(out, /Flags: 0x20000000, Override/);
      assert.match(out, /Flags: 0xa0000000, Router, Override/);
      assert.equal(out.match(/Hop Limit: 255/g)?.length, 2);
      assert.doesNotMatch(out, /Malformed|Expert Info \(Error/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
