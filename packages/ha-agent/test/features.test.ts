// More of keepalived's instance options, each on the same lab (bridge + 2 namespaces): unicast peers,
// notify scripts with keepalived's arguments, SIGHUP reload keeping state, use_vmac, VRRPv3 over IPv6.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { useLab } from './support/lab-fixture.ts';
import {
  agentStatus,
  firstInstance,
  type InstanceStatusLite,
  ip,
  isBackupOf,
  isRoot,
  keepalivedConf,
  spawnIn,
  stopProc,
} from './support/netns.ts';
import { holdsFor, waitFor } from './support/wait-for.ts';

describe('ha-agent instance features in network namespaces', {
  skip: !isRoot && 'needs root (netns)',
}, () => {
  const fx = useLab(2, 66);
  const { procs, dump, on } = fx;
  const start = (i: number, name: string, conf: string) => fx.startAgent(i, name, conf);

  it('unicast_src_ip / unicast_peer: elects and fails over without multicast', async () => {
    const vip = '10.66.0.101';
    const conf = (i: number, priority: number) =>
      keepalivedConf({
        vrid: 101,
        priority,
        vip: `${vip}/24`,
        extra: `  unicast_src_ip 10.66.0.${i + 1}\n  unicast_peer {\n    10.66.0.${2 - i}\n  }\n`,
      });
    const a = start(0, 'uc-a', conf(0, 150));
    const b = start(1, 'uc-b', conf(1, 100));
    try {
      await waitFor(
        () => on(0, vip) && !on(1, vip) && isBackupOf(fx.lab.nodes[1].ns, '10.66.0.1'),
        20_000,
        'VIP on A (unicast)',
      );
      await holdsFor(() => on(0, vip) && !on(1, vip), 1500, 'stable unicast election');
      a.kill('SIGTERM');
      await waitFor(() => on(1, vip), 3000, 'VIP on B after SIGTERM (unicast priority 0)');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
      await stopProc(b);
    }
  });

  it('notify and notify_master receive keepalived’s arguments', async () => {
    const vip = '10.66.0.102';
    const out = join(fx.lab.dir, 'notify.out');
    const script = join(fx.lab.dir, 'notify.sh');
    writeFileSync(script, `#!/bin/sh\necho "$@" >> ${out}\n`);
    chmodSync(script, 0o755);
    const a = start(
      0,
      'notify-a',
      keepalivedConf({
        vrid: 102,
        priority: 200,
        vip: `${vip}/24`,
        extra: `  notify ${script}\n  notify_master "${script} became-master"\n`,
      }),
    );
    try {
      await waitFor(
        () => existsSync(out) && readFileSync(out, 'utf8').includes('MASTER'),
        8000,
        'notify output',
      );
      await waitFor(() => readFileSync(out, 'utf8').split('\n').length >= 4, 3000, 'both notify scripts');
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      assert.ok(lines.includes('INSTANCE VI_1 BACKUP 200'), lines.join('|'));
      assert.ok(lines.includes('INSTANCE VI_1 MASTER 200'), lines.join('|'));
      assert.ok(lines.includes('became-master'), lines.join('|'));
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
    }
  });

  it('enable_script_security: track and notify scripts in a world-writable directory are not run', async () => {
    const vip = '10.66.0.110';
    const dir = join(fx.lab.dir, 'world-writable');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const ran = join(fx.lab.dir, 'ran.out');
    for (const name of ['chk.sh', 'notify.sh']) {
      writeFileSync(join(dir, name), `#!/bin/sh\necho ${name} >> ${ran}\n`);
      chmodSync(join(dir, name), 0o755);
    }
    const a = start(
      0,
      'secure-a',
      `vrrp_script chk {\n  script "${dir}/chk.sh"\n  interval 0.2\n}\n${keepalivedConf({
        vrid: 110,
        priority: 200,
        vip: `${vip}/24`,
        globalExtra: '  enable_script_security\n',
        extra: `  notify ${dir}/notify.sh\n  track_script {\n    chk\n  }\n`,
      })}`,
    );
    try {
      // The refused track script stays down (weight 0): FAULT, whose notify is refused too.
      await waitFor(
        () => /notify script not run: insecure/.test(a.output()),
        8000,
        'the notify script refused',
      );
      const inst = agentStatus(fx.lab.nodes[0].ns).instances[0] as InstanceStatusLite & {
        trackers: { name: string; up: boolean; reason: string }[];
      };
      assert.equal(inst.state, 'FAULT');
      const chk = inst.trackers.find((t) => t.name === 'chk');
      assert.equal(chk?.up, false);
      assert.match(chk?.reason ?? '', /insecure script .*writable by everyone/);
      assert.equal(existsSync(ran), false, 'neither script ran');
      assert.equal(on(0, vip), false);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
    }
  });

  it('SIGHUP keeps an unchanged instance’s state; a changed one restarts', async () => {
    const vip = '10.66.0.103';
    const conf = (priority: number) => keepalivedConf({ vrid: 103, priority, vip: `${vip}/24` });
    const a = start(0, 'hup-a', conf(150));
    const b = start(1, 'hup-b', conf(100));
    try {
      await waitFor(
        () => on(0, vip) && !on(1, vip) && isBackupOf(fx.lab.nodes[1].ns, '10.66.0.1'),
        20_000,
        'VIP on A',
      );
      const before = agentStatus(fx.lab.nodes[0].ns).instances[0];
      assert.equal(before.state, 'MASTER');
      a.kill('SIGHUP');
      await waitFor(() => /configuration reloaded/.test(a.output()), 3000, 'reload logged');
      await holdsFor(() => on(0, vip) && !on(1, vip), 1500, 'VIP staying on A across the reload');
      const afterHup = agentStatus(fx.lab.nodes[0].ns).instances[0];
      assert.equal(afterHup.state, 'MASTER');
      assert.equal(
        afterHup.transitions.length,
        before.transitions.length,
        'no transition on an unchanged reload',
      );
      // Lower A's priority: the instance restarts (priority 0 from the old one) and B takes over.
      writeFileSync(join(fx.lab.dir, 'hup-a.conf'), conf(50));
      a.kill('SIGHUP');
      await waitFor(() => on(1, vip) && !on(0, vip), 5000, 'VIP moving to B after the priority change');
      await waitFor(
        () => agentStatus(fx.lab.nodes[0].ns).instances[0]?.effectivePriority === 50,
        3000,
        'new priority',
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
      await stopProc(b);
    }
  });

  it('use_vmac: the VIP lives on a macvlan with 00:00:5e:00:01:VRID, removed on stop', async () => {
    const vip = '10.66.0.104';
    const a = start(
      0,
      'vmac-a',
      keepalivedConf({ vrid: 104, priority: 255, vip: `${vip}/24`, extra: '  use_vmac\n' }),
    );
    try {
      await waitFor(() => on(0, vip), 20_000, 'VIP present');
      const link = ip('-n', fx.lab.nodes[0].ns, '-o', 'link', 'show', 'vrrp.104');
      assert.match(link, /00:00:5e:00:01:68/);
      assert.match(
        ip('-n', fx.lab.nodes[0].ns, '-o', 'addr', 'show', 'dev', 'vrrp.104'),
        new RegExp(vip.replace(/\./g, '\\.')),
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
    }
    assert.doesNotMatch(ip('-n', fx.lab.nodes[0].ns, '-o', 'link', 'show'), /vrrp\.104/);
  });

  // keepalived sends adverts from the VMAC (so switches learn the virtual MAC) and receives on the
  // base interface; vmac_xmit_base sends from the base interface's MAC instead.
  for (const xmitBase of [false, true]) {
    it(`use_vmac${xmitBase ? ' + vmac_xmit_base' : ''}: adverts leave from ${xmitBase ? 'the parent MAC' : '00:00:5e:00:01:VRID'}; receive works`, async () => {
      const vrid = xmitBase ? 114 : 113;
      const vip = `10.66.0.${vrid}`;
      const ns0 = fx.lab.nodes[0].ns;
      const parentMac = /link\/ether ([0-9a-f:]{17})/.exec(
        ip('-n', ns0, '-o', 'link', 'show', fx.lab.nodes[0].ifname),
      )?.[1];
      assert.ok(parentMac, 'parent MAC');
      const expected = xmitBase ? parentMac : `00:00:5e:00:01:${vrid.toString(16)}`;
      const extra = `  use_vmac\n${xmitBase ? '  vmac_xmit_base\n' : ''}`;
      const conf = (priority: number, x: string) =>
        keepalivedConf({ vrid, priority, vip: `${vip}/24`, extra: x });
      // A (VMAC) starts as the lower priority: it must hear B's adverts to stay BACKUP.
      const b = start(1, `vmacx-b${vrid}`, conf(150, ''));
      let a: ReturnType<typeof start> | null = null;
      try {
        await waitFor(() => on(1, vip), 20_000, 'VIP on B');
        a = start(0, `vmacx-a${vrid}`, conf(100, extra));
        await waitFor(() => isBackupOf(ns0, '10.66.0.2'), 20_000, 'A (use_vmac) BACKUP of B');
        await holdsFor(() => !on(0, vip) && on(1, vip), 1500, 'A stays BACKUP hearing B');
        const cap = spawnIn(fx.lab.hub, '/usr/bin/tshark', [
          '-i',
          fx.lab.bridge,
          '-c',
          '3',
          '-a',
          'duration:25',
          '-f',
          `ip proto 112 and ip src 10.66.0.1`,
          '-T',
          'fields',
          '-e',
          'eth.src',
          '-e',
          'vrrp.virt_rtr_id',
          '-e',
          'ip.ttl',
        ]);
        procs.push(cap);
        await waitFor(() => /Capturing on/.test(cap.output()), 20_000, 'tshark to start');
        b.kill('SIGTERM'); // A takes over and advertises
        await waitFor(() => on(0, vip), 5000, 'VIP on A after B stops');
        await cap.exited;
        const lines = cap.stdout().trim().split('\n').filter(Boolean);
        assert.equal(lines.length, 3, cap.output());
        for (const l of lines) assert.deepEqual(l.split('\t'), [expected, String(vrid), '255'], cap.output());
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${dump()}`);
      } finally {
        if (a) await stopProc(a);
        await stopProc(b);
      }
    });
  }

  it('VRRPv3 over IPv6: elects by priority and hands over on SIGTERM', async () => {
    const vip = 'fd66::100';
    const conf = (priority: number) =>
      keepalivedConf({ vrid: 105, priority, version: 3, advertInt: 0.5, vip: `${vip}/64` });
    const a = start(0, 'v6-a', conf(150));
    const b = start(1, 'v6-b', conf(100));
    try {
      await waitFor(
        () => on(0, vip) && !on(1, vip) && isBackupOf(fx.lab.nodes[1].ns),
        20_000,
        'IPv6 VIP on A',
      );
      await holdsFor(() => on(0, vip) && !on(1, vip), 1000, 'stable IPv6 election');
      a.kill('SIGTERM');
      await waitFor(() => on(1, vip), 3000, 'IPv6 VIP on B');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
      await stopProc(b);
    }
  });

  it('vrrp_sync_group + vrrp_script: a failing script on one member moves the whole group', async () => {
    const flag = join(fx.lab.dir, 'healthy');
    writeFileSync(flag, '');
    const conf = (priority: number, withScript: boolean) => `global_defs {
  router_id sync
}
${withScript ? `vrrp_script chk {\n  script "/usr/bin/test -e ${flag}"\n  interval 0.2\n  fall 1\n  rise 1\n}\n` : ''}vrrp_sync_group G {
  group {
    VI_A
    VI_B
  }
}
vrrp_instance VI_A {
  state BACKUP
  interface eth0
  virtual_router_id 108
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    10.66.0.108/24
  }
${withScript ? '  track_script {\n    chk\n  }\n' : ''}}
vrrp_instance VI_B {
  state BACKUP
  interface eth0
  virtual_router_id 109
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    10.66.0.109/24
  }
}
`;
    const a = start(0, 'sync-a', conf(150, true));
    const b = start(1, 'sync-b', conf(100, false));
    const both = (i: number) => on(i, '10.66.0.108') && on(i, '10.66.0.109');
    const none = (i: number) => !on(i, '10.66.0.108') && !on(i, '10.66.0.109');
    try {
      await waitFor(
        () => both(0) && none(1) && isBackupOf(fx.lab.nodes[1].ns, '10.66.0.1'),
        20_000,
        'group MASTER on A',
      );
      rmSync(flag);
      // Only VI_A tracks the script; VI_B follows it into FAULT through the sync group.
      await waitFor(() => both(1) && none(0), 5000, 'both VIPs on B after the script failed on A');
      const states = agentStatus(fx.lab.nodes[0].ns).instances.map((i) => i.state);
      assert.deepEqual(states, ['FAULT', 'FAULT']);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
      await stopProc(b);
    }
  });

  it('the primary interface going down puts the instance in FAULT (keepalived tracks it by default)', async () => {
    const vip = '10.66.0.110';
    const conf = (priority: number) => keepalivedConf({ vrid: 110, priority, vip: `${vip}/24` });
    const a = start(0, 'link-a', conf(150));
    const b = start(1, 'link-b', conf(100));
    try {
      await waitFor(
        () => on(0, vip) && !on(1, vip) && isBackupOf(fx.lab.nodes[1].ns, '10.66.0.1'),
        20_000,
        'VIP on A',
      );
      ip('-n', fx.lab.nodes[0].ns, 'link', 'set', 'eth0', 'down');
      await waitFor(
        () => firstInstance(fx.lab.nodes[0].ns)?.state === 'FAULT' && !on(0, vip),
        3000,
        'A in FAULT',
      );
      await waitFor(() => on(1, vip), 6000, 'VIP on B (Master_Down_Interval: A could not resign)');
      ip('-n', fx.lab.nodes[0].ns, 'link', 'set', 'eth0', 'up');
      // Back from FAULT as BACKUP, then preempts B (higher priority).
      await waitFor(() => on(0, vip) && !on(1, vip), 10_000, 'A preempting again after the link came back');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      ip('-n', fx.lab.nodes[0].ns, 'link', 'set', 'eth0', 'up');
      await stopProc(a);
      await stopProc(b);
    }
  });

  it('an interface missing at start: FAULT, then MASTER once it appears', async () => {
    const vip = '10.67.1.100';
    const ns = fx.lab.nodes[0].ns;
    const a = start(
      0,
      'late-if',
      keepalivedConf({ vrid: 111, priority: 255, vip: `${vip}/24`, ifname: 'late0' }),
    );
    try {
      await waitFor(() => firstInstance(ns)?.state === 'FAULT', 20_000, 'FAULT while late0 does not exist');
      ip('-n', ns, 'link', 'add', 'late0', 'type', 'veth', 'peer', 'name', 'late1');
      ip('-n', ns, 'addr', 'add', '10.67.1.1/24', 'dev', 'late0');
      ip('-n', ns, 'link', 'set', 'late1', 'up');
      ip('-n', ns, 'link', 'set', 'late0', 'up');
      await waitFor(() => on(0, vip) && firstInstance(ns)?.state === 'MASTER', 5000, 'MASTER on late0');
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${dump()}`);
    } finally {
      await stopProc(a);
      try {
        ip('-n', ns, 'link', 'del', 'late0');
      } catch {}
    }
  });

  it('becoming MASTER announces the VIP: garp_master_repeat gratuitous ARPs at once', async () => {
    const vip = '10.66.0.112';
    const cap = spawnIn(fx.lab.hub, '/usr/bin/tshark', [
      '-i',
      fx.lab.bridge,
      '-c',
      '5',
      '-a',
      'duration:25',
      '-f',
      'arp',
    ]);
    procs.push(cap);
    await waitFor(() => /Capturing on/.test(cap.output()), 20_000, 'tshark to start');
    const a = start(0, 'garp-a', keepalivedConf({ vrid: 112, priority: 255, vip: `${vip}/24` }));
    try {
      await cap.exited;
      const garps = cap
        .output()
        .split('\n')
        .filter((l) => l.includes(`Gratuitous ARP for ${vip}`));
      assert.equal(garps.length, 5, cap.output());
    } finally {
      await stopProc(a);
    }
  });
});
