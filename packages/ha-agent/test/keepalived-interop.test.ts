// ha-agent against the real keepalived 2.2.7 (Debian package) in network namespaces, VRRP v2 and v3,
// electing in both directions; and tshark decoding our adverts (checksum good, TTL 255).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import {
  isBackupOf,
  isRoot,
  keepalivedConf,
  type Lab,
  type Proc,
  spawnIn,
  stopProc,
} from './support/netns.ts';
import { holdsFor, waitFor } from './support/wait-for.ts';

const KEEPALIVED = ['/usr/sbin/keepalived', '/sbin/keepalived'].find((p) => existsSync(p));
const TSHARK = ['/usr/bin/tshark'].find((p) => existsSync(p));

function startKeepalived(lab: Lab, ns: string, name: string, conf: string): Proc {
  const file = join(lab.dir, `${name}.conf`);
  writeFileSync(file, conf);
  return spawnIn(ns, KEEPALIVED as string, [
    '-n',
    '-l',
    '-D',
    '-f',
    file,
    '--vrrp',
    '-p',
    join(lab.dir, `${name}.pid`),
    '-r',
    join(lab.dir, `${name}.vrrp.pid`),
  ]);
}

describe('ha-agent ⇄ keepalived 2.2.7', {
  skip: (!isRoot && 'needs root (netns)') || (!KEEPALIVED && 'keepalived not installed'),
}, () => {
  const fx = useLab(2, 63);
  const { procs, dump } = fx;
  const variants = [
    { version: 2, family: 4 },
    { version: 3, family: 4 },
    { version: 3, family: 6 },
  ] as const;
  for (const { version, family } of variants) {
    for (const oursWins of [true, false]) {
      const n = 100 + version * 10 + (family === 6 ? 5 : 0) + (oursWins ? 1 : 2);
      const vip = family === 4 ? `10.63.0.${n}` : `fd63::${n}`;
      const label = `v${version} IPv${family}`;
      it(`${label}: ${oursWins ? 'ha-agent (150) beats keepalived (100)' : 'keepalived (150) beats ha-agent (100)'}`, async () => {
        const vrid = n - 60;
        const conf = (priority: number) =>
          keepalivedConf({ vrid, priority, version, vip: `${vip}/${family === 4 ? 24 : 64}` });
        const ours = fx.startAgent(0, `ha-v${version}-${family}-${oursWins}`, conf(oursWins ? 150 : 100));
        const theirs = startKeepalived(
          fx.lab,
          fx.lab.nodes[1].ns,
          `ka-v${version}-${family}-${oursWins}`,
          conf(oursWins ? 100 : 150),
        );
        procs.push(theirs);
        const winner = oursWins ? 0 : 1;
        const loser = 1 - winner;
        const on = (i: number) => fx.on(i, vip);
        try {
          // Both sides settled: ours BACKUP of keepalived, or keepalived logging its BACKUP state.
          const settled = () =>
            oursWins
              ? /Entering BACKUP STATE/.test(theirs.output())
              : isBackupOf(fx.lab.nodes[0].ns, family === 4 ? fx.lab.nodes[1].ipv4 : undefined);
          await waitFor(() => on(winner) && !on(loser) && settled(), 20_000, `VIP on node ${winner} only`);
          await holdsFor(() => on(winner) && !on(loser), 2500, 'a stable election');
          // The master resigns (priority 0): the other implementation takes over after Skew_Time.
          const t0 = performance.now();
          (oursWins ? ours : theirs).kill('SIGTERM');
          await waitFor(() => on(loser), 3000, 'takeover after the master resigned');
          console.log(
            `# ${label}: ${oursWins ? 'keepalived' : 'ha-agent'} took over ${Math.round(performance.now() - t0)} ms after SIGTERM`,
          );
        } catch (err) {
          throw new Error(`${(err as Error).message}\n${dump()}`);
        } finally {
          await stopProc(ours);
          await stopProc(theirs);
        }
      });
    }
  }
});

describe('tshark decodes ha-agent adverts', {
  skip: (!isRoot && 'needs root (netns)') || (!TSHARK && 'tshark not installed'),
}, () => {
  const fx = useLab(1, 64);
  const { procs } = fx;

  const cases = [
    { name: 'v2 (PASS auth)', version: 2 as const, family: 4, extra: '', tsharkOpts: [] as string[] },
    { name: 'v3 IPv4, pseudo-header checksum', version: 3 as const, family: 4, extra: '', tsharkOpts: [] },
    {
      name: 'v3 IPv4, v3_checksum_as_v2',
      version: 3 as const,
      family: 4,
      extra: '  v3_checksum_as_v2\n',
      tsharkOpts: ['-o', 'vrrp.v3_checksum_as_in_v2:TRUE'],
    },
    { name: 'v3 IPv6', version: 3 as const, family: 6, extra: '', tsharkOpts: [] },
  ];
  for (const c of cases) {
    it(`${c.name}: Checksum Status Good, TTL 255`, async () => {
      const vrid = 90 + c.version + (c.extra ? 5 : 0) + (c.family === 6 ? 7 : 0);
      const cap = spawnIn(fx.lab.hub, TSHARK as string, [
        '-i',
        fx.lab.bridge,
        '-c',
        '3',
        '-a',
        'duration:25',
        '-f',
        c.family === 4 ? 'ip proto 112' : 'ip6 proto 112',
        '-V',
        ...c.tsharkOpts,
      ]);
      procs.push(cap);
      await waitFor(() => /Capturing on/.test(cap.output()), 20_000, 'tshark to start');
      const agent = fx.startAgent(
        0,
        `tshark-${vrid}`,
        keepalivedConf({
          vrid,
          priority: 255,
          version: c.version,
          vip: c.family === 4 ? `10.64.0.${vrid}/24` : `fd64::${vrid}/64`,
          extra: c.extra,
        }),
      );
      await cap.exited;
      await stopProc(agent);
      const out = cap.stdout();
      const packets = out
        .split(/\nFrame \d+:/)
        .filter((p) => p.includes('Virtual Router Redundancy Protocol'));
      assert.ok(
        packets.length >= 2,
        `expected at least 2 adverts, tshark printed:\n${cap.output().slice(-3000)}`,
      );
      for (const p of packets) {
        assert.match(p, c.family === 4 ? /Time to Live: 255/ : /Hop Limit: 255/);
        assert.match(p, new RegExp(`Version ${c.version}`));
        assert.match(p, /Checksum Status: Good/, p);
        assert.match(p, new RegExp(`Virtual Rtr ID: ${vrid}`));
      }
      console.log(`# tshark ${c.name}: ${packets.length} adverts, all "Checksum Status: Good", TTL 255`);
    });
  }
});
