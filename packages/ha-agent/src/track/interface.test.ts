import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../test/support/wait-for.ts';
import { InterfaceTracker } from './interface.ts';
import { parseIpLinkLine } from './link-state.ts';
import { runTrackerSuite } from './tracker.case.ts';

const root = process.getuid?.() === 0;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const namespaces: string[] = [];
let n = 0;
/** a fresh namespace with a veth pair a0/b0, both up (carrier needs both ends up) */
function makeNetns(): string {
  const ns = `hatrk${process.pid}x${n++}`;
  ip('netns', 'add', ns);
  namespaces.push(ns);
  ip('-n', ns, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0');
  ip('-n', ns, 'link', 'set', 'b0', 'up');
  return ns;
}
after(() => {
  for (const ns of namespaces) {
    try {
      ip('netns', 'del', ns);
    } catch {}
  }
});

describe('parseIpLinkLine', () => {
  it('reads flags, state and deletions like keepalived (UP and carrier)', () => {
    const l = (s: string) => parseIpLinkLine(s);
    assert.deepEqual(
      l(
        '3: v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \\    link/ether 56:fe',
      ),
      { ifname: 'v0', exists: true, up: true, operstate: 'UP' },
    );
    assert.equal(
      l('2: v1@v0: <NO-CARRIER,BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state LOWERLAYERDOWN')!.up,
      false,
    );
    assert.equal(l('2: eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN')!.up, false);
    assert.deepEqual(l('Deleted 3: v0@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN'), {
      ifname: 'v0',
      exists: false,
      up: false,
      operstate: 'DELETED',
    });
    assert.equal(l('garbage'), null);
  });
});

runTrackerSuite({
  kind: 'interface',
  rise: false,
  fall: false,
  skip: !root && 'needs root (network namespaces)',
  async make(o) {
    const ns = makeNetns();
    if (o.healthy) ip('-n', ns, 'link', 'set', 'a0', 'up');
    const tracker = new InterfaceTracker({
      name: o.name,
      ifname: 'a0',
      netns: ns,
      weight: o.weight,
      reverse: o.reverse,
    });
    return {
      tracker,
      async setHealthy(ok) {
        ip('-n', ns, 'link', 'set', 'a0', ok ? 'up' : 'down');
      },
      async cleanup() {
        ip('netns', 'del', ns);
        namespaces.splice(namespaces.indexOf(ns), 1);
      },
    };
  },
});

describe('InterfaceTracker specifics', { skip: !root && 'needs root (network namespaces)' }, () => {
  it('carrier loss (peer down) is down; deletion is down; re-creation is tracked again', async () => {
    const ns = makeNetns();
    ip('-n', ns, 'link', 'set', 'a0', 'up');
    const t = new InterfaceTracker({ name: 'a0', netns: ns });
    try {
      t.start();
      await waitFor(() => t.state.up, 3000, 'up');
      ip('-n', ns, 'link', 'set', 'b0', 'down');
      await waitFor(() => !t.state.up, 3000, 'down on carrier loss');
      ip('-n', ns, 'link', 'set', 'b0', 'up');
      await waitFor(() => t.state.up, 3000, 'up again');
      ip('-n', ns, 'link', 'del', 'a0');
      await waitFor(() => !t.state.up, 3000, 'down on deletion');
      assert.match(t.state.reason, /removed/);
      ip('-n', ns, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'b0');
      ip('-n', ns, 'link', 'set', 'b0', 'up');
      ip('-n', ns, 'link', 'set', 'a0', 'up');
      await waitFor(() => t.state.up, 3000, 'up after re-creation');
    } finally {
      await t.stop();
    }
  });

  it('an interface that does not exist at start is down', async () => {
    const ns = makeNetns();
    const t = new InterfaceTracker({ name: 'nope0', netns: ns });
    try {
      t.start();
      await waitFor(() => t.state.reason.includes('does not exist'), 3000, 'initial read');
      assert.equal(t.state.up, false);
    } finally {
      await t.stop();
    }
  });

  it('reads sysfs for its own namespace (loopback is up)', async () => {
    const t = new InterfaceTracker({ name: 'lo' });
    try {
      t.start();
      await waitFor(() => t.state.reason !== 'link state not read yet', 3000, 'initial read');
      assert.equal(t.state.up, true, t.state.reason);
    } finally {
      await t.stop();
    }
  });
});
