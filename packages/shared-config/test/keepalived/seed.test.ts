import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadKeepalivedConfig, type VrrpInstance } from '../../src/keepalived/index.ts';

const seed = join(import.meta.dirname, '../fixtures/seed/keepalived.conf');
const twoNodes = join(import.meta.dirname, '../fixtures/keepalived/seed-two-nodes.conf');

test('the seed keepalived.conf (verbatim copy) checks clean: only the ens192 warning', () => {
  assert.match(readFileSync(seed, 'utf8'), /主从实例1/, 'the copy keeps the Chinese comments');
  const { config, diagnostics } = loadKeepalivedConfig(seed); // real /sys/class/net lookup
  assert.ok(config !== null);
  const expected = existsSync('/sys/class/net/ens192')
    ? []
    : [['warning', 9, "WARNING - interface ens192 for vrrp_instance VI_1 doesn't exist"]];
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.line, d.message]),
    expected,
  );
  const vi = config.instances[0];
  assert.equal(config.globalDefs.routerId, 'HA_DEVEL');
  assert.deepEqual(
    [vi.name, vi.state, vi.interface, vi.virtualRouterId, vi.priority, vi.advertInt, vi.garpMasterDelay],
    ['VI_1', 'MASTER', 'ens192', 88, 100, 1, 1],
  );
  assert.deepEqual(vi.authentication, { type: 'PASS', pass: '123456' });
  assert.deepEqual(
    vi.virtualIpaddresses.map((v) => `${v.address}/${v.prefix}`),
    ['172.18.216.194/32'],
  );
});

/** An instance without where it was written, to compare two files' instances. */
function semantic(i: VrrpInstance) {
  const { file: _f, line: _l, virtualIpaddresses, ...rest } = i;
  return { ...rest, virtualIpaddresses: virtualIpaddresses.map(({ file: _vf, line: _vl, ...v }) => v) };
}

test('ONE file serves both seed nodes with @master/@backup lines (-i master / -i backup)', () => {
  const opts = { interfaceExists: () => false };
  const seedConfig = loadKeepalivedConfig(seed, opts).config;
  const master = loadKeepalivedConfig(twoNodes, { ...opts, configId: 'master' });
  const backup = loadKeepalivedConfig(twoNodes, { ...opts, configId: 'backup' });
  assert.ok(seedConfig !== null && master.config !== null && backup.config !== null);
  for (const r of [master, backup]) {
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['CFG_WARN_KA_MISSING_INTERFACE'],
    );
  }
  // HA-master is exactly the seed's instance
  assert.deepEqual(semantic(master.config.instances[0]), semantic(seedConfig.instances[0]));
  assert.equal(master.config.globalDefs.routerId, 'HA_MASTER');
  // HA-slave differs only where the seed's comments say it must: state BACKUP, priority 99
  assert.deepEqual(semantic(backup.config.instances[0]), {
    ...semantic(seedConfig.instances[0]),
    state: 'BACKUP',
    priority: 99,
  });
  assert.equal(backup.config.globalDefs.routerId, 'HA_SLAVE');
});
