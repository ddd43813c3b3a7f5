import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { canonicalAddress, parseIpAddrShow, VipError, VipManager, type VipSpec } from './vip.ts';

const root = process.getuid?.() === 0;
const NS = `havip${process.pid}`;
const ip = (...args: string[]) => execFileSync('ip', ['-n', NS, ...args], { encoding: 'utf8' });

describe('parseIpAddrShow / canonicalAddress', () => {
  it('reads ip -o addr show lines (v4 label, v6)', () => {
    const text =
      '3: a0    inet 10.9.0.100/24 brd 10.9.0.255 scope global a0:vip\\       valid_lft forever preferred_lft forever\n' +
      '3: a0    inet 10.9.0.7/24 scope global secondary a0\\       valid_lft forever preferred_lft forever\n' +
      '3: a0    inet6 2001:db8:0:0::100/64 scope global nodad \\       valid_lft forever preferred_lft forever\n';
    assert.deepEqual(parseIpAddrShow(text), [
      { dev: 'a0', family: 4, address: '10.9.0.100', prefix: 24, label: 'a0:vip' },
      { dev: 'a0', family: 4, address: '10.9.0.7', prefix: 24, label: 'a0' },
      { dev: 'a0', family: 6, address: '2001:db8::100', prefix: 64, label: null },
    ]);
    assert.equal(canonicalAddress('2001:DB8:0000::1', 6), '2001:db8::1');
  });
});

describe('VipManager in a network namespace', { skip: !root && 'needs root (network namespaces)' }, () => {
  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    ip('link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0');
    ip('link', 'add', 'a1', 'type', 'veth', 'peer', 'name', 'b1');
    ip('link', 'set', 'a0', 'up');
    ip('link', 'set', 'a1', 'up');
  });
  after(() => execFileSync('ip', ['netns', 'del', NS]));

  const v4: VipSpec = {
    address: '10.9.0.100',
    prefix: 24,
    family: 4,
    dev: null,
    label: 'a0:vip',
    scope: 'global',
    brd: '10.9.0.255',
  };
  const v4b: VipSpec = { address: '10.9.1.5', prefix: 32, family: 4, dev: 'a1', scope: 'link' };
  const v6: VipSpec = { address: '2001:db8:0::100', prefix: 64, family: 6, dev: null };
  const vm = new VipManager({ defaultDev: 'a0', netns: NS });

  it('adds v4 (brd, scope, label, dev) and v6 (nodad) VIPs, idempotently', async () => {
    await vm.add([v4, v4b, v6]);
    await vm.add([v4, v4b, v6]);
    const a0 = ip('-o', 'addr', 'show', 'dev', 'a0');
    assert.match(a0, /inet 10\.9\.0\.100\/24 brd 10\.9\.0\.255 scope global a0:vip/);
    assert.match(a0, /inet6 2001:db8::100\/64 scope global nodad/);
    assert.doesNotMatch(a0, /tentative/);
    assert.match(ip('-o', 'addr', 'show', 'dev', 'a1'), /inet 10\.9\.1\.5\/32 scope link/);
    assert.equal((await vm.present([v4, v4b, v6])).length, 3);
  });

  it('removes them, idempotently', async () => {
    await vm.remove([v4, v4b, v6]);
    await vm.remove([v4, v4b, v6]);
    assert.deepEqual(await vm.present([v4, v4b, v6]), []);
    assert.doesNotMatch(ip('-o', 'addr', 'show', 'dev', 'a0'), /10\.9\.0\.100|2001:db8::100/);
  });

  it('reconcile removes VIPs left behind by a crash unless MASTER, whatever their prefix', async () => {
    ip('addr', 'add', '10.9.0.100/16', 'dev', 'a0'); // a stale VIP with an older prefix
    ip('-6', 'addr', 'add', '2001:db8::100/64', 'dev', 'a0', 'nodad');
    ip('addr', 'add', '10.9.0.1/24', 'dev', 'a0'); // the node's own address: never touched
    assert.deepEqual(await vm.reconcile([v4, v6], true), []);
    assert.equal((await vm.present([v4, v6])).length, 2);
    const removed = await vm.reconcile([v4, v4b, v6], false);
    assert.deepEqual(
      removed.map((v) => v.address),
      [v4.address, v6.address],
    );
    const after = ip('-o', 'addr', 'show', 'dev', 'a0');
    assert.doesNotMatch(after, /10\.9\.0\.100|2001:db8::100/);
    assert.match(after, /10\.9\.0\.1\/24/);
  });

  it('a real failure (no such device) rejects with HA_ERR_VIP; a missing device on remove is fine', async () => {
    const bad: VipSpec = { address: '10.9.2.1', prefix: 24, family: 4, dev: 'nope0' };
    await assert.rejects(
      vm.add([bad]),
      (err: unknown) => err instanceof VipError && err.code === 'HA_ERR_VIP',
    );
    await vm.remove([bad]);
    assert.deepEqual(await vm.present([bad]), []);
  });
});
