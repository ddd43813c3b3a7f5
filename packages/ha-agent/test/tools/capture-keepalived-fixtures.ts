// Regenerates test/fixtures/keepalived-*.hex: runs the Debian keepalived (2.2.x) in a namespace for each
// case, receives its adverts with our own raw socket in a peer namespace, and writes the VRRP bytes
// with the source/destination the checksum needs. Root only:
//   node packages/ha-agent/test/tools/capture-keepalived-fixtures.ts [OUTDIR]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumFormOf } from '../../src/vrrp/codec.ts';
import { createLab, spawnIn, stopProc } from '../support/netns.ts';

const outDir = process.argv[2] ?? new URL('../fixtures/', import.meta.url).pathname;

interface Case {
  file: string;
  title: string;
  family: 4 | 6;
  multicast: boolean;
  body: string;
}

const cases: Case[] = [
  {
    file: 'keepalived-v2-ipv4-multicast.hex',
    title:
      'version 2, VRID 51, priority 150, advert_int 1, auth PASS secret12, VIP 10.0.0.100 (= the golden packet)',
    family: 4,
    multicast: true,
    body: 'virtual_router_id 51\n  version 2\n  authentication {\n    auth_type PASS\n    auth_pass secret12\n  }\n  virtual_ipaddress {\n    10.0.0.100\n  }',
  },
  {
    file: 'keepalived-v3-ipv4-multicast.hex',
    title: 'version 3, VRID 62, priority 150, advert_int 1, multicast',
    family: 4,
    multicast: true,
    body: 'virtual_router_id 62\n  version 3\n  virtual_ipaddress {\n    10.62.0.100/24\n  }',
  },
  {
    file: 'keepalived-v3-ipv4-unicast.hex',
    title: 'version 3, VRID 63, unicast_src_ip 10.62.0.1, unicast_peer 10.62.0.2',
    family: 4,
    multicast: false,
    body: 'virtual_router_id 63\n  version 3\n  unicast_src_ip 10.62.0.1\n  unicast_peer {\n    10.62.0.2\n  }\n  virtual_ipaddress {\n    10.62.0.101/24\n  }',
  },
  {
    file: 'keepalived-v3-ipv4-unicast-old-checksum.hex',
    title:
      'version 3, VRID 64, unicast with old_unicast_checksum (pseudo-header with the multicast group as destination)',
    family: 4,
    multicast: false,
    body: 'virtual_router_id 64\n  version 3\n  old_unicast_checksum\n  unicast_src_ip 10.62.0.1\n  unicast_peer {\n    10.62.0.2\n  }\n  virtual_ipaddress {\n    10.62.0.102/24\n  }',
  },
  {
    file: 'keepalived-v3-ipv6-multicast.hex',
    title: 'version 3, native_ipv6, VRID 65, VIP fd62::100',
    family: 6,
    multicast: true,
    body: 'virtual_router_id 65\n  version 3\n  native_ipv6\n  virtual_ipaddress {\n    fd62::100/64\n  }',
  },
];

const lab = createLab(2, 62);
try {
  const [ka, rx] = lab.nodes;
  for (const c of cases) {
    const conf = join(lab.dir, `${c.file}.conf`);
    writeFileSync(
      conf,
      `global_defs {\n  router_id fixtures\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  priority 150\n  advert_int 1\n  ${c.body}\n}\n`,
    );
    // Our receiver runs in the peer namespace through a child process (sockets are per namespace).
    const script = `
      import { openVrrpSocket } from ${JSON.stringify(new URL('../../src/net/native.ts', import.meta.url).pathname)};
      const s = openVrrpSocket({ family: ${c.family}, ifname: 'eth0', multicast: ${c.multicast} });
      s.onMessage((pkt, info) => { console.log(JSON.stringify({ ...info, hex: pkt.toString('hex') })); s.close(); process.exit(0); });
      setTimeout(() => process.exit(1), 15000);`;
    const receiver = spawnIn(rx.ns, process.execPath, ['--input-type=module', '-e', script]);
    await new Promise((r) => setTimeout(r, 500));
    const k = spawnIn(ka.ns, '/usr/sbin/keepalived', [
      '-n',
      '-l',
      '-f',
      conf,
      '--vrrp',
      '-p',
      `${conf}.pid`,
      '-r',
      `${conf}.vpid`,
    ]);
    const { code } = await receiver.exited;
    await stopProc(k);
    if (code !== 0) throw new Error(`no advert for ${c.file}:\n${receiver.output()}\n${k.output()}`);
    const got = JSON.parse(receiver.output().trim().split('\n').pop() as string);
    const bytes = Buffer.from(got.hex, 'hex');
    const form = checksumFormOf(bytes, c.family, got.src, got.dst);
    writeFileSync(
      join(outDir, c.file),
      `# keepalived (Debian), ${c.title}\n# src ${got.src}\n# dst ${got.dst}\n# family ${c.family}\n# checksum ${form}\n${got.hex}\n`,
    );
    console.log(`${c.file}: ${got.hex} (${form})`);
  }
} finally {
  lab.destroy();
}
