// Two ha-agents on a bridge in network namespaces: election by priority and by address, failover on
// SIGTERM (priority 0 → Skew_Time) and SIGKILL (Master_Down_Interval), preemption and nopreempt.
// One lab (bridge + 2 namespaces) serves every test in this file.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import { agentStatus, ip, isBackupOf, isRoot, keepalivedConf, type Proc, stopProc } from './support/netns.ts';
import { holdsFor, waitFor } from './support/wait-for.ts';

const VIP = '10.61.0.100';

describe('ha-agent election in network namespaces', { skip: !isRoot && 'needs root (netns)' }, () => {
  let a: Proc | null = null; // node 0, 10.61.0.1
  let b: Proc | null = null; // node 1, 10.61.0.2
  const fx = useLab(2, 61);
  const { dump } = fx;
  const start = (
    i: 0 | 1,
    name: string,
    priority: number,
    extra: Partial<Parameters<typeof keepalivedConf>[0]> = {},
  ) => fx.startAgent(i, name, keepalivedConf({ vrid: 61, priority, vip: `${VIP}/24`, ...extra }));
  const vipOn = (i: number) => fx.on(i, VIP);

  it('elects the higher priority; SIGTERM hands over after Skew_Time (priority 0)', async () => {
    a = start(0, 'a1', 150);
    b = start(1, 'b1', 100);
    await waitFor(
      () => vipOn(0) && !vipOn(1) && isBackupOf(fx.lab.nodes[1].ns, '10.61.0.1'),
      20_000,
      'VIP on the priority-150 node only, the other BACKUP',
    ).catch((e) => {
      throw new Error(`${e.message}\n${dump()}`);
    });
    await holdsFor(() => vipOn(0) && !vipOn(1), 1500, 'VIP on node A only');
    const t0 = performance.now();
    a.kill('SIGTERM');
    const took = await waitFor(() => vipOn(1), 3000, 'VIP on node B after SIGTERM on A');
    console.log(`# SIGTERM failover: VIP on the peer after ${Math.round(performance.now() - t0)} ms`);
    // Master_Down_Interval would be 3 + 0.609 s: being well under it shows the priority-0 path.
    assert.ok(took < 2000, `took ${took} ms`);
    const exit = await a.exited;
    assert.equal(exit.code, 0);
    assert.ok(!vipOn(0), 'the stopped agent removed its VIP');
    // the new master says why it took over so soon
    const took0 = (
      agentStatus(fx.lab.nodes[1].ns).instances[0].transitions.at(-1) as { to: string; reason: string }
    ).reason;
    assert.equal(took0, 'master 10.61.0.1 resigned (priority 0 advert); took over after Skew_Time');
  });

  it('preempts: a higher-priority node coming back takes the VIP', async () => {
    a = start(0, 'a2', 150);
    await waitFor(
      () => vipOn(0) && !vipOn(1) && isBackupOf(fx.lab.nodes[1].ns, '10.61.0.1'),
      20_000,
      'node A preempting node B',
    ).catch((e) => {
      throw new Error(`${e.message}\n${dump()}`);
    });
  });

  it('SIGKILL on the master: the peer takes over after Master_Down_Interval', async () => {
    const t0 = performance.now();
    a?.kill('SIGKILL');
    await waitFor(() => vipOn(1), 8000, 'VIP on node B after SIGKILL on A');
    const took = performance.now() - t0;
    console.log(
      `# SIGKILL failover: VIP on the peer after ${Math.round(took)} ms (Master_Down_Interval 3609 ms)`,
    );
    assert.ok(took > 2500 && took < 6000, `took ${took} ms`);
    // A crashed agent leaves its VIP behind; the restarted one removes it (reconcile at start).
    assert.ok(vipOn(0), 'SIGKILL left the VIP on A (nobody removed it)');
    a = start(0, 'a3', 150, { nopreempt: true });
    await waitFor(
      () => !vipOn(0) && isBackupOf(fx.lab.nodes[0].ns, '10.61.0.2'),
      20_000,
      'restarted agent removing the stale VIP, BACKUP',
    );
  });

  it('nopreempt: the higher-priority node stays BACKUP while a master exists', async () => {
    // a3 (priority 150, nopreempt) started in the previous test while B is MASTER.
    await holdsFor(() => vipOn(1) && !vipOn(0), 5000, 'VIP staying on B (no preemption)');
    await stopProc(a, 'SIGTERM');
    await stopProc(b, 'SIGTERM');
    assert.ok(!vipOn(0) && !vipOn(1));
  });

  it('equal priorities: two MASTERs meeting keep the higher primary address', async () => {
    // RFC 9568: a BACKUP never preempts an equal-priority master; the address only decides between two
    // MASTERs. Make two deterministically: split the bridge, let both time out, then join them.
    ip('-n', fx.lab.hub, 'link', 'set', 'p0', 'nomaster');
    ip('-n', fx.lab.hub, 'link', 'set', 'p1', 'nomaster');
    try {
      a = start(0, 'a4', 100);
      b = start(1, 'b4', 100);
      await waitFor(() => vipOn(0) && vipOn(1), 20_000, 'both MASTER while split').catch((e) => {
        throw new Error(`${e.message}\n${dump()}`);
      });
    } finally {
      ip('-n', fx.lab.hub, 'link', 'set', 'p0', 'master', fx.lab.bridge);
      ip('-n', fx.lab.hub, 'link', 'set', 'p1', 'master', fx.lab.bridge);
    }
    await waitFor(
      () => vipOn(1) && !vipOn(0) && isBackupOf(fx.lab.nodes[0].ns, '10.61.0.2'),
      5000,
      'VIP on 10.61.0.2 (the higher address) only',
    ).catch((e) => {
      throw new Error(`${e.message}\n${dump()}`);
    });
    await holdsFor(() => vipOn(1) && !vipOn(0), 2000, 'VIP staying on the higher address');
  });
});
