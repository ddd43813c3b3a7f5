// The agent's reload without root: instances on an in-memory host (test/support/memory-io.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { MemoryIo } from '../../test/support/memory-io.ts';
import { MemoryVips } from '../../test/support/memory-vips.ts';
import { createLogger } from '../log.ts';
import { Agent } from './agent.ts';

const text = (priorityB: number) => `
vrrp_sync_group G {
  group {
    VI_A
    VI_B
  }
}
vrrp_instance VI_A {
  interface eth0
  dont_track_primary
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    10.0.0.51/24
  }
}
vrrp_instance VI_B {
  interface eth0
  dont_track_primary
  virtual_router_id 52
  priority ${priorityB}
  virtual_ipaddress {
    10.0.0.52/24
  }
}
`;

function parse(t: string) {
  const { config, diagnostics } = parseKeepalivedConfig(
    { path: '/etc/keepalived/keepalived.conf', text: t },
    { interfaceExists: () => true },
  );
  assert.ok(config, JSON.stringify(diagnostics));
  return config;
}

describe('Agent reload with a vrrp_sync_group', () => {
  it('10 reloads leave exactly one transition listener per member, and the group still moves together', async () => {
    const io = new MemoryIo();
    const agent = new Agent(parse(text(100)), {
      logger: createLogger({ level: 'silent' }),
      statusApi: false,
      io,
      vipManager: () => new MemoryVips(),
      trackerSettleMs: 0,
    });
    await agent.start();
    const listeners = () => agent.instances.map((i) => `${i.name}:${i.listenerCount('transition')}`);
    assert.deepEqual(listeners(), ['VI_A:1', 'VI_B:1']);
    for (let n = 0; n < 10; n++) await agent.reload(parse(text(100)));
    assert.deepEqual(listeners(), ['VI_A:1', 'VI_B:1'], 'unchanged instances kept, old groups let go');
    assert.equal(agent.groups.length, 1);

    // One member changed: it restarts, the group is rebuilt over the kept one and the new one.
    await agent.reload(parse(text(90)));
    assert.deepEqual(listeners(), ['VI_A:1', 'VI_B:1']);

    // Still one group: VI_A taking over pulls VI_B to MASTER.
    const [a, b] = agent.instances;
    assert.deepEqual([a.state, b.state], ['BACKUP', 'BACKUP']);
    io.clock.advance(3000 + (156 * 1000) / 256);
    assert.deepEqual([a.state, b.state], ['MASTER', 'MASTER']);
    const pulled = b.status().transitions.at(-1);
    assert.ok(pulled);
    assert.match(pulled.reason, /^(master down timer expired|sync group G: VI_A became MASTER)$/);
    await agent.stop();
    assert.deepEqual(listeners(), ['VI_A:0', 'VI_B:0'], 'stop lets go of the members too');
  });
});
