// Scenario 1 — the gap the seed names: HAProxy dies on HA-master. Side by side in one run:
// - ours: balancer SIGKILL, the agent's vrrp_track_balancer sees the health stream close, FAULT,
//   priority-0 advert, the slave takes over;
// - HAProxy + keepalived with keepalived's documented check (`killall -0 haproxy`, interval 2,
//   weight 2 — here `kill -0` on haproxy's pid file, as the lab shares one PID namespace);
// and scenario 8 — a mixed pair: ours on HA-master, the real keepalived (seed config, a classic pid
// check on its balancer) on HA-slave: election, and failover in both directions.
// Outage figures are printed, not asserted: the assertions are who holds the VIP and that traffic
// flows through the expected node again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isRoot } from '../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../packages/ha-agent/test/support/wait-for.ts';
import { epochNow, startClient } from './support/client.ts';
import { CLASSIC_CHECK, pairOutput, type Stack, startPair } from './support/front-pair.ts';
import { summarize } from './support/outage.ts';
import { describeRow, measure, type Row, table, useSeedTopology } from './support/scenario.ts';
import { LAB } from './support/seed-configs.ts';
import { haproxyPids, hasDebianUnits, type Service } from './support/services.ts';

const KEEPALIVED = existsSync('/usr/sbin/keepalived');
const HAPROXY = existsSync('/usr/sbin/haproxy');

/** a request started this soon after the SIGKILL may have been taken by the dying balancer */
const KILL_WINDOW_MS = 50;

function nftRuleset(ns: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
}

/**
 * SIGKILL of the service's main process. `whole`: its worker too, at once — the crash of the whole
 * balancer (ours alone: an orphaned worker of ours goes on answering for ORPHAN_LISTEN_MS, HAProxy's
 * exits, so HAProxy -Ws always loses both, as in a crash of the service).
 */
function crash(svc: Service, whole = false): void {
  if (svc.kind === 'haproxy') {
    for (const pid of haproxyPids(svc)) process.kill(pid, 'SIGKILL');
    return;
  }
  const workers = whole
    ? readFileSync(`/proc/${svc.pid}/task/${svc.pid}/children`, 'utf8').trim().split(/\s+/)
    : [];
  svc.kill('SIGKILL');
  for (const w of workers) if (w !== '') process.kill(Number(w), 'SIGKILL');
}

describe('scenario 1: the balancer dies on HA-master (ours vs haproxy + keepalived)', {
  skip:
    (!isRoot && 'needs root (network namespaces)') ||
    ((!KEEPALIVED || !HAPROXY || !hasDebianUnits()) && 'needs the Debian haproxy and keepalived packages'),
}, () => {
  const fx = useSeedTopology();
  const rows: Row[] = [];
  after(() => {
    if (rows.length === 0) return;
    console.log(
      `# failover, one request every 20 ms (new connection each), advert_int 1:\n${table(rows).replace(/^/gm, '# ')}`,
    );
  });

  // ours: as keepalived would (options off), with the handover bridge (issue 14: no failed request,
  // goal < 200 ms for the longest), and with VRRPv3 adverts every 0.1 s (what plain VRRP reaches).
  const variants: {
    stack: Stack;
    weight?: number;
    handover?: boolean;
    advertInt?: number;
    whole?: boolean;
  }[] = [
    { stack: 'ours' },
    { stack: 'ours', handover: true },
    { stack: 'ours', handover: true, whole: true },
    { stack: 'ours', advertInt: 0.1 },
    { stack: 'haproxy+keepalived', weight: CLASSIC_CHECK.weight },
    { stack: 'haproxy+keepalived', weight: 0 },
  ];
  for (const { stack, weight, handover, advertInt, whole } of variants) {
    const check =
      stack !== 'ours'
        ? ` (vrrp_script interval ${CLASSIC_CHECK.interval}, weight ${weight})`
        : handover
          ? `, handover bridge${whole ? ', master and worker killed' : ''}`
          : advertInt
            ? `, advert_int ${advertInt} (VRRPv3)`
            : '';
    it(`1 [${stack}${check}]: SIGKILL on HA-master's ${stack === 'ours' ? 'balancer' : 'haproxy'} → the VIP on HA-slave, traffic through it`, async () => {
      const pair = await startPair(fx.topo, stack, { classicWeight: weight, handover, advertInt });
      try {
        const m = await measure(fx.topo, {
          from: 'ha-master',
          to: 'ha-slave',
          event: () => crash(pair.lb['ha-master'], whole),
        });
        const row: Row = { scenario: `1 balancer SIGKILL${check}`, stack, ...m };
        rows.push(row);
        console.log(`# ${describeRow(row)}`);
        if (process.env.ITG_CAPTURE)
          writeFileSync(join(process.env.ITG_CAPTURE, `daemons-${Date.now()}.txt`), pairOutput(pair));
        const failures = m.failures ?? [];
        for (const f of failures.slice(0, 4))
          console.log(
            `#   failed: ${f.error}, started ${Math.round(f.startMs)} ms, ended ${Math.round(f.endMs)} ms after the kill; client port ${f.port ?? '-'}, ${f.connectedMs == null ? 'no handshake' : `connected after ${f.connectedMs.toFixed(1)} ms`}, ${f.got ?? 0} bytes of answer`,
          );
        if (failures.length > 4) console.log(`#   … ${failures.length - 4} more failed`);
        assert.deepEqual(fx.topo.holders(LAB.vip), ['ha-slave']);
        assert.ok(m.summary.recovered, 'the last request was served');
        if (handover) {
          // the bridge drains (handover_drain 5 s at most) and leaves no rule behind
          const t0 = epochNow();
          await waitFor(
            () => !/ha_agent_handover/.test(nftRuleset(fx.topo.nodes['ha-master'].ns)),
            15_000,
            "no handover table left in ha-master's ruleset",
            20,
          );
          // the receiving end's return path: how many client packets of bridged connections HA-slave
          // sent back to HA-master after its GARP (each would have been a reset)
          const back = /counter packets (\d+)/.exec(
            nftRuleset(fx.topo.nodes['ha-slave'].ns).split('ha_agent_return_')[1] ?? '',
          );
          console.log(
            `# bridge: return path on ha-slave ${back ? `sent ${back[1]} packets back to ha-master` : 'not in place'}`,
          );
          console.log(
            `# bridge: longest request ${Math.round(m.summary.longestMs)} ms (goal < 200 ms); rules gone ${Math.round(epochNow() - t0)} ms after the VIP moved; ha-master's ruleset: ${nftRuleset(fx.topo.nodes['ha-master'].ns).trim().split('\n').length} lines (none ours)`,
          );
          // What the bridge cannot save, printed above: a request the killed balancer held (in flight,
          // or a connection its listening socket completed in the ~10 ms before the kernel closed it:
          // reset then). Anything else — a SYN refused or lost while the peer takes over, a bridged
          // request cut by the peer's GARP (the return path sends its packets back to us) or by the
          // rules going too early — is what the bridge is for.
          const unexpected = (m.failures ?? []).filter((f) => f.startMs > KILL_WINDOW_MS);
          assert.deepEqual(unexpected, [], 'no request failed while the peer took over');
        }
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
      } finally {
        await pair.stop();
      }
    });
  }

  it('8 [mixed]: ha-agent on HA-master, keepalived on HA-slave: elected, fails over both ways', async () => {
    const { topo } = fx;
    const pair = await startPair(topo, 'mixed');
    try {
      // Election: ours (priority 100) MASTER, keepalived (99) its BACKUP — startPair waited for both.
      assert.deepEqual(topo.holders(LAB.vip), ['ha-master']);
      // ours → keepalived: our balancer dies.
      const down = await measure(topo, {
        from: 'ha-master',
        to: 'ha-slave',
        event: () => crash(pair.lb['ha-master']),
      });
      const r1: Row = { scenario: '8 balancer SIGKILL, ha-agent → keepalived', stack: 'mixed', ...down };
      rows.push(r1);
      console.log(`# ${describeRow(r1)}`);
      assert.equal(pair.isBackup('ha-slave'), false, 'keepalived left BACKUP');
      // keepalived → ours: the balancer is back (systemd's Restart=); the agent leaves FAULT, hears
      // keepalived's priority 99 below its 100 and preempts.
      const client = startClient(topo, LAB.vip);
      await client.served('traffic through ha-slave', (r) => r.via === LAB.slave, 0);
      const t0 = epochNow();
      await pair.restartProxy('ha-master');
      await waitFor(
        () => topo.holders(LAB.vip).join() === 'ha-master',
        20_000,
        'the VIP back on ha-master',
        5,
      );
      const back = epochNow() - t0;
      await client.served('traffic through ha-master again', (r) => r.via === LAB.master, t0);
      await client.steady(25);
      const s = summarize(await client.stop());
      await waitFor(() => pair.isBackup('ha-slave'), 10_000, 'keepalived BACKUP again');
      const r2: Row = {
        scenario: '8 balancer back, keepalived → ha-agent (preempt)',
        stack: 'mixed',
        vipMovedMs: back,
        summary: s,
      };
      rows.push(r2);
      console.log(`# ${describeRow(r2)} (from the balancer's restart, including its start-up)`);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${pairOutput(pair)}`);
    } finally {
      await pair.stop();
    }
  });
});
