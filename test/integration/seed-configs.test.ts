// The lab's configuration files are the seed's, changed only where seed-configs.ts says: a passing
// scenario is the seed running. Checked line by line against the verbatim copies of the seed files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeActive,
  agentConfig,
  balancerConfig,
  haproxyConfig,
  keepalivedConfig,
  LAB,
  lineDiff,
  SEED,
} from './support/seed-configs.ts';

const seedAddressLines = (text: string) => text.split('\n').filter((l) => /172\.18\./.test(l));
const renumbered = (lines: string[]) => lines.map((l) => l.replace(/172\.18\./g, '10.18.'));

describe('the lab runs the seed files', () => {
  it('the seed files say what the lab reproduces (addresses, interface, priorities)', () => {
    assert.match(SEED.keepalived, /interface ens192/);
    assert.equal(LAB.ifname, 'ens192');
    assert.match(SEED.keepalived, /172\.18\.216\.194/);
    assert.match(SEED.haproxy, /server\s+web1\s+172\.18\.218\.149:80/);
    assert.match(SEED.haproxy, /server\s+web2\s+172\.18\.216\.107:80/);
    for (const a of Object.values(LAB))
      assert.doesNotMatch(String(a), /^172\.18\./, 'never the seed’s addresses');
  });

  it('balancer haproxy.cfg: the addresses and one health-socket line, nothing else', () => {
    const d = lineDiff(SEED.haproxy, balancerConfig('/lab/health.sock'));
    assert.deepEqual(d.removed, seedAddressLines(SEED.haproxy));
    assert.deepEqual(
      d.added,
      ['    health-socket /lab/health.sock', ...renumbered(d.removed)].sort(bySeedOrder(d.added)),
    );
  });

  it('real haproxy.cfg: the addresses and the frontend’s bind on its own line (HAProxy 2.x refuses `*:80` there)', () => {
    const d = lineDiff(SEED.haproxy, haproxyConfig());
    const frontend = SEED.haproxy.split('\n').find((l) => l.startsWith('frontend'));
    assert.deepEqual(d.removed, [frontend, ...seedAddressLines(SEED.haproxy)]);
    assert.deepEqual(d.added.slice(0, 2), ['frontend  proxy    #前端代理', '    bind *:80']);
    assert.deepEqual(d.added.slice(2), renumbered(seedAddressLines(SEED.haproxy)));
  });

  it('agent keepalived.conf on HA-master: the VIP and the two tracking lines', () => {
    const d = lineDiff(SEED.keepalived, agentConfig({ role: 'master', healthSocket: '/lab/h.sock' }));
    assert.deepEqual(d.removed, seedAddressLines(SEED.keepalived));
    assert.deepEqual(
      d.added.filter((l) => l.trim() !== '').sort(),
      [
        'vrrp_track_balancer balancer { socket /lab/h.sock }',
        '    track_balancer { balancer }',
        ...renumbered(d.removed),
      ].sort(),
    );
  });

  it('agent keepalived.conf on HA-slave: also state BACKUP and priority 99, as the seed’s comments say', () => {
    const d = lineDiff(SEED.keepalived, agentConfig({ role: 'slave', healthSocket: '/lab/h.sock' }));
    const changed = SEED.keepalived.split('\n').filter((l) => /172\.18\.|^\s*(state|priority)\s/.test(l));
    assert.deepEqual(d.removed, changed);
    const expected = renumbered(changed).map((l) =>
      l.replace(/^(\s*state\s+)MASTER/, '$1BACKUP').replace(/^(\s*priority\s+)100/, '$199'),
    );
    assert.deepEqual(
      d.added.filter((l) => l.trim() !== '' && !/track_balancer/.test(l)),
      expected,
    );
  });

  it('nopreempt: both nodes state BACKUP with nopreempt (keepalived ignores nopreempt on a MASTER)', () => {
    for (const role of ['master', 'slave'] as const) {
      const conf = agentConfig({ role, healthSocket: '/h', nopreempt: true });
      assert.match(conf, /^\s*state BACKUP\b.*\n\s*nopreempt$/m);
      assert.doesNotMatch(conf, /state MASTER/);
    }
  });

  it('real keepalived.conf: a vrrp_script and its track_script, nothing of ours', () => {
    const conf = keepalivedConfig({
      role: 'slave',
      check: { script: '/lab/check.sh', interval: 2, weight: 2 },
    });
    assert.match(
      conf,
      /vrrp_script chk_balancer {\n {4}script "\/lab\/check.sh"\n {4}interval 2\n {4}weight 2\n}/,
    );
    assert.match(conf, /track_script {\n\s+chk_balancer\n\s+}/);
    assert.doesNotMatch(conf, /track_balancer/);
  });

  it('active-active: a second instance with its own VRID and VIP, the other node its MASTER', () => {
    const conf = activeActive(agentConfig({ role: 'master', healthSocket: '/h' }), 'master');
    const [, vi2] = conf.split('vrrp_instance VI_2');
    assert.match(vi2, /virtual_router_id 89/);
    assert.match(vi2, /state BACKUP/);
    assert.match(vi2, /priority 99/);
    assert.match(vi2, /10\.18\.216\.195/);
    assert.match(vi2, /track_balancer { balancer }/);
  });
});

/** Sorts a copy of lines into the order they appear in `order`. */
function bySeedOrder(order: string[]) {
  return (a: string, b: string) => order.indexOf(a) - order.indexOf(b);
}
