// no_accept (RFC 9568 Accept_Mode = False): while MASTER, a non-owner drops what is addressed to its
// VIPs (ARP still answers); accept, the default, answers. Checked from the peer namespace with a TCP
// connect to a closed port (refused = the VIP answered with a RST; timed out = dropped) — the images
// carry no ping.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import { isBackupOf, isRoot, keepalivedConf, stopProc } from './support/netns.ts';
import { waitFor } from './support/wait-for.ts';

function inNs(ns: string, cmd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** curl's exit code: 7 = connection refused (the VIP answered), 28 = timed out (dropped) */
const tcpConnect = (ns: string, addr: string) =>
  inNs(ns, 'curl', ['-s', '--connect-timeout', '1', `http://${addr}:9/`]).code;
const nftTables = (ns: string) => inNs(ns, 'nft', ['list', 'tables']).out;
const vipsInSet = (ns: string) =>
  /elements = \{([^}]*)\}/.exec(inNs(ns, 'nft', ['list', 'set', 'inet', 'ha_agent', 'vips4']).out)?.[1] ?? '';

describe('no_accept in network namespaces', { skip: !isRoot && 'needs root (netns)' }, () => {
  const fx = useLab(2, 67);

  for (const mode of ['no_accept', 'accept'] as const) {
    it(`${mode}: the MASTER ${mode === 'no_accept' ? 'drops' : 'answers'} TCP to the VIP`, async () => {
      const vrid = mode === 'no_accept' ? 120 : 121;
      const vip = `10.67.0.${vrid}`;
      const [a, peer] = [fx.lab.nodes[0].ns, fx.lab.nodes[1].ns];
      const p = fx.startAgent(
        0,
        `${mode}-a`,
        keepalivedConf({ vrid, priority: 200, vip: `${vip}/24`, extra: `  ${mode}\n` }),
      );
      try {
        await waitFor(() => fx.on(0, vip), 20_000, 'VIP on A (MASTER)');
        if (mode === 'no_accept') {
          await waitFor(() => /ha_agent/.test(nftTables(a)), 5000, 'the nft table');
          assert.ok(vipsInSet(a).includes(vip), 'the VIP in the set');
          // ARP still resolves the VIP (the drop is on IP only), so a timeout below is the firewall.
          await waitFor(
            () => inNs(peer, 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', vip]).code === 0,
            5000,
            'ARP answer for the VIP',
          );
          assert.equal(tcpConnect(peer, vip), 28, 'TCP to a no_accept VIP must time out');
          // The node's own address is not affected.
          assert.equal(tcpConnect(peer, fx.lab.nodes[0].ipv4), 7, 'the node address still answers');
          // A higher-priority peer takes over: A is BACKUP and its VIP leaves the set.
          const b = fx.startAgent(
            1,
            `${mode}-b`,
            keepalivedConf({ vrid, priority: 250, vip: `${vip}/24`, extra: `  ${mode}\n` }),
          );
          try {
            await waitFor(() => isBackupOf(a, fx.lab.nodes[1].ipv4), 20_000, 'A BACKUP of B');
            await waitFor(() => !vipsInSet(a).includes(vip), 5000, 'the VIP out of the set on BACKUP');
            assert.ok(/ha_agent/.test(nftTables(a)), 'the (empty) table stays while the agent runs');
            await waitFor(() => vipsInSet(peer).includes(vip), 5000, 'the VIP in B’s set');
          } finally {
            await stopProc(b);
          }
        } else {
          assert.doesNotMatch(nftTables(a), /ha_agent/);
          await waitFor(() => tcpConnect(peer, vip) === 7, 5000, 'TCP to the VIP refused (answered)');
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${fx.dump()}`);
      } finally {
        await stopProc(p);
      }
      assert.doesNotMatch(nftTables(a), /ha_agent/, 'the table is removed on exit');
    });
  }
});
