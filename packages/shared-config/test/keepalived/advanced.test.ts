import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadKeepalivedConfig } from '../../src/keepalived/index.ts';

const dir = join(import.meta.dirname, '../fixtures/keepalived');
const opts = { interfaceExists: () => true };

test('$PARAM multiline definitions + ~SEQ build several instances (params-seq.conf)', () => {
  const high = loadKeepalivedConfig(join(dir, 'params-seq.conf'), { ...opts, configId: 'high' });
  const low = loadKeepalivedConfig(join(dir, 'params-seq.conf'), { ...opts, configId: 'low' });
  assert.ok(high.config !== null && low.config !== null);
  assert.deepEqual(
    high.config.instances.map((i) => [i.name, i.interface, i.virtualRouterId, i.priority, i.line]),
    [
      ['VI_1', 'eth0', 1, 130, 19],
      ['VI_2', 'eth0', 2, 130, 19],
      ['VI_3', 'eth0', 3, 130, 19],
      ['VI_SEQ', 'eth1', 100, 100, 21],
    ],
  );
  assert.deepEqual(
    low.config.instances.map((i) => i.priority),
    [120, 120, 120, 100],
  );
  assert.deepEqual(
    high.config.instances[1].virtualIpaddresses.map((v) => `${v.address}/${v.prefix}`),
    ['10.0.2.254/24'],
  );
  const seq = high.config.instances[3];
  assert.deepEqual(
    seq.virtualIpaddresses.map((v) => `${v.address}/${v.prefix}@${v.line}`),
    [
      '10.9.0.1/24@25',
      '10.9.1.1/24@25',
      '10.9.2.1/24@25',
      '10.9.3.1/24@25',
      '10.2.0.100/32@27',
      '10.2.10.100/32@29',
    ],
  );
  assert.deepEqual(
    seq.virtualIpaddressesExcluded.map((v) => v.address),
    ['fe80::20:90:1', 'fe80::20:a0:1', 'fe80::20:b0:1', 'fe80::20:c0:1'],
  );
});

test('include conf.d/*.conf: the instance and the script it tracks come from included files', () => {
  const { config, diagnostics } = loadKeepalivedConfig(join(dir, 'include-glob.conf'), opts);
  assert.ok(config !== null);
  const vi = config.instances[0];
  assert.equal(vi.name, 'VI_INC');
  assert.equal(vi.file, join(dir, 'conf.d/20-instance.conf'));
  assert.equal(vi.line, 1);
  assert.equal(config.vrrpScripts.chk_balancer.file, join(dir, 'conf.d/10-scripts.conf'));
  assert.deepEqual(
    vi.trackScripts.map((t) => [t.name, t.weight]),
    [['chk_balancer', 0]],
  );
  assert.equal(config.vrrpScripts.chk_balancer.fall, 2);
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['CFG_WARN_KA_INCLUDE_NO_MATCH', 'CFG_WARN_KA_SCRIPT_SECURITY'],
  );
});

test('man page conditional example: unicast peers for "main" are the two others', () => {
  const { config } = loadKeepalivedConfig(join(dir, 'man-conditional.conf'), { ...opts, configId: 'main' });
  assert.ok(config !== null);
  assert.equal(config.globalDefs.routerId, 'main_router');
  assert.equal(config.instances[0].unicastSrcIp, '1.2.3.4');
  assert.deepEqual(config.instances[0].unicastPeers, ['1.2.3.5', '1.2.3.6']);
  const other = loadKeepalivedConfig(join(dir, 'man-conditional.conf'), { ...opts, configId: 'x' }).config;
  assert.equal(other?.globalDefs.routerId, null);
  assert.equal(other?.instances[0].unicastSrcIp, null);
});
