import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../log.ts';
import { elementScript, NoAcceptFirewall, tableScript } from './no-accept.ts';

const logger = createLogger({ level: 'silent' });

describe('no_accept firewall (nftables scripts, no root)', () => {
  it('the table replaces a leftover one and drops IPv4/IPv6 to the sets, Neighbor Discovery excepted', () => {
    const s = tableScript('t');
    assert.match(s, /^table inet t\ndelete table inet t\ntable inet t \{/);
    assert.match(s, /type filter hook input priority -1; policy accept;/);
    const nd = s.indexOf('nd-neighbor-solicit');
    assert.ok(nd > 0 && nd < s.indexOf('ip6 daddr @vips6 drop'), 'ND accepted before the IPv6 drop');
    assert.match(s, /ip daddr @vips4 drop/);
  });

  it('elements go to the set of their family', () => {
    assert.equal(
      elementScript('add', [
        { address: '10.0.0.1', family: 4 },
        { address: 'fd00::1', family: 6 },
        { address: '10.0.0.2', family: 4 },
      ]),
      'add element inet ha_agent vips4 { 10.0.0.1, 10.0.0.2 }\nadd element inet ha_agent vips6 { fd00::1 }\n',
    );
    assert.equal(elementScript('delete', []), '');
  });

  it('reference-counts addresses, creates the table on first use, deletes it on teardown', async () => {
    const scripts: string[] = [];
    const fw = new NoAcceptFirewall({ logger, table: 't', run: async (s) => void scripts.push(s) });
    const a = { address: '10.0.0.1', family: 4 as const };
    await fw.block([a]);
    await fw.block([a]); // a second instance with the same VIP
    assert.equal(scripts.length, 2);
    assert.match(scripts[0], /^table inet t\n/);
    assert.equal(scripts[1], 'add element inet t vips4 { 10.0.0.1 }\n');
    await fw.unblock([a]);
    assert.equal(scripts.length, 2, 'still blocked for the other instance');
    await fw.unblock([a]);
    assert.equal(scripts[2], 'delete element inet t vips4 { 10.0.0.1 }\n');
    await fw.unblock([a]); // unbalanced: ignored
    assert.equal(scripts.length, 3);
    await fw.teardown();
    assert.equal(scripts[3], 'delete table inet t\n');
    await fw.teardown();
    assert.equal(scripts.length, 4, 'teardown twice deletes once');
  });

  it('an nft failure is logged, not thrown, and later calls still run', async () => {
    let calls = 0;
    const fw = new NoAcceptFirewall({
      logger,
      run: async () => {
        calls++;
        if (calls === 1) throw new Error('nft: not found');
      },
    });
    await fw.setup();
    await fw.block([{ address: '10.0.0.1', family: 4 }]);
    assert.equal(calls, 3, 'setup failed, then block re-creates the table and adds the element');
  });
});
