import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { startFakeBalancer } from '../../test/support/fake-balancer.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { evaluateTracking, TrackerRegistry } from './registry.ts';

describe('TrackerRegistry (from keepalived.conf)', () => {
  it('builds each tracked object once, applies per-instance weights, adds the primary interface', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-registry-'));
    const socket = join(dir, 'health.sock');
    const text = `
vrrp_script chk_ok {
  script "/bin/true"
  interval 1
  weight 10
}
vrrp_track_balancer lb {
  socket ${socket}
  heartbeat_timeout 1
}
vrrp_instance VI_1 {
  state BACKUP
  interface lo
  virtual_router_id 51
  priority 100
  track_script {
    chk_ok
  }
  track_balancer {
    lb
  }
  virtual_ipaddress {
    10.0.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface lo
  virtual_router_id 52
  priority 100
  dont_track_primary
  track_script {
    chk_ok weight -5
  }
  virtual_ipaddress {
    10.0.0.101/24
  }
}
`;
    const { config, diagnostics } = parseKeepalivedConfig({ path: join(dir, 'keepalived.conf'), text });
    assert.ok(config, JSON.stringify(diagnostics));
    const reg = new TrackerRegistry(config);
    const fake = await startFakeBalancer({ socket, heartbeatMs: 50 });
    try {
      assert.equal(reg.scripts.size, 1, 'the script runs once for both instances');
      const vi1 = reg.forInstance(config.instances[0]);
      const vi2 = reg.forInstance(config.instances[1]);
      assert.deepEqual(
        vi1.map((r) => `${r.tracker.kind}:${r.tracker.name}:${r.weight}`),
        ['script:chk_ok:10', 'balancer:lb:0', 'interface:lo:0'],
      );
      assert.deepEqual(
        vi2.map((r) => `${r.tracker.kind}:${r.tracker.name}:${r.weight}`),
        ['script:chk_ok:-5'],
      );
      const before = evaluateTracking(vi1);
      assert.equal(before.fault, true, 'nothing is up before start');
      reg.start();
      await waitFor(() => reg.all().every((t) => t.state.up), 3000, 'all trackers up');
      assert.deepEqual(evaluateTracking(vi1), { fault: false, faultReasons: [], delta: 10 });
      assert.deepEqual(evaluateTracking(vi2), { fault: false, faultReasons: [], delta: 0 });
      await fake.destroy();
      await waitFor(() => evaluateTracking(vi1).fault, 1000, 'FAULT when the balancer dies');
      assert.match(evaluateTracking(vi1).faultReasons[0], /^balancer lb: health socket .* closed/);
    } finally {
      await reg.stop();
      await fake.destroy().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds track_file and vrrp_track_process trackers with keepalived’s weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ha-registry-'));
    const text = `
track_file bias {
  file ${dir}/bias
  init_file 9
}
vrrp_track_process nobody {
  process ha-no-such-proc
  weight -30
}
vrrp_instance VI_1 {
  interface lo
  dont_track_primary
  virtual_router_id 51
  priority 100
  track_file {
    bias weight 2
  }
  track_process {
    nobody
  }
  virtual_ipaddress {
    10.0.0.100/24
  }
}
`;
    const { config, diagnostics } = parseKeepalivedConfig({ path: join(dir, 'keepalived.conf'), text });
    assert.ok(config, JSON.stringify(diagnostics));
    const reg = new TrackerRegistry(config, { processScanMs: 20 });
    try {
      const refs = reg.forInstance(config.instances[0]);
      assert.deepEqual(
        refs.map((r) => `${r.tracker.kind}:${r.tracker.name}:${r.weight}`),
        ['file:bias:2', 'process:nobody:-30'],
      );
      reg.start();
      await waitFor(() => reg.all().every((t) => t.observed), 3000, 'both read');
      // 9 × 2 from the file, -30 for the missing process
      assert.deepEqual(evaluateTracking(refs), { fault: false, faultReasons: [], delta: -12 });
    } finally {
      await reg.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes unchanged trackers over from the previous registry; sync-group refs are FAULT-only', async () => {
    const conf = (interval: number, globals = '') => `
global_defs {
  router_id r
${globals}}
vrrp_script same {
  script "/bin/true"
  weight 10
}
vrrp_script changed {
  script "/bin/true"
  interval ${interval}
}
vrrp_sync_group G {
  group {
    VI_1
  }
  track_script {
    same
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface lo
  virtual_router_id 51
  priority 100
  track_script {
    changed
  }
  virtual_ipaddress {
    10.0.0.100/24
  }
}
`;
    const parse = (text: string) => {
      const { config, diagnostics } = parseKeepalivedConfig({
        path: '/etc/keepalived/keepalived.conf',
        text,
      });
      assert.ok(config, JSON.stringify(diagnostics));
      return config;
    };
    const old = new TrackerRegistry(parse(conf(1)));
    const next = new TrackerRegistry(parse(conf(2)), { previous: old });
    const secure = new TrackerRegistry(parse(conf(2, '  enable_script_security\n')), { previous: next });
    try {
      assert.equal(next.scripts.get('same'), old.scripts.get('same'), 'unchanged: the same tracker');
      assert.notEqual(next.scripts.get('changed'), old.scripts.get('changed'), 'changed: a new one');
      assert.equal(next.interfaces.get('lo'), old.interfaces.get('lo'));
      assert.notEqual(secure.scripts.get('same'), next.scripts.get('same'), 'global_defs count too');
      const refs = next.forInstance(parse(conf(2)).instances[0]);
      assert.deepEqual(
        refs.map((r) => `${r.tracker.kind}:${r.tracker.name}:${r.weight}:${r.faultOnly ?? false}`),
        ['script:changed:0:false', 'script:same:10:true', 'interface:lo:0:false'],
      );
      await old.stopUnused(next);
      assert.deepEqual(
        old
          .all()
          .filter((t) => (t as unknown as { stopped: boolean }).stopped)
          .map((t) => t.name),
        ['changed'],
      );
    } finally {
      await Promise.all([old.stop(), next.stop(), secure.stop()]);
    }
  });
});
