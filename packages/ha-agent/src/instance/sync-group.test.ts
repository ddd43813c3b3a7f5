import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { SyncGroup } from '@ha-lb/shared-config/keepalived';
import type { Notifier } from '../notify/notifier.ts';
import type { VrrpState } from '../vrrp/state-machine.ts';
import { SyncGroupRuntime } from './sync-group.ts';
import type { VrrpInstanceRuntime } from './vrrp-instance.ts';

/** Just enough of VrrpInstanceRuntime for the group: state, own fault, and what the group calls. */
class FakeMember extends EventEmitter {
  name: string;
  state: VrrpState = 'BACKUP';
  ownFault: string | null = null;
  external: string | null = null;
  synced: string[] = [];
  constructor(name: string) {
    super();
    this.name = name;
  }
  setExternalFault(reason: string | null) {
    this.external = reason;
    if (reason && this.state !== 'FAULT') this.go('FAULT');
    else if (!reason && this.state === 'FAULT' && !this.ownFault) this.go('BACKUP');
  }
  syncTo(state: 'MASTER' | 'BACKUP') {
    this.synced.push(state);
    if (state === 'MASTER' && this.state === 'BACKUP') this.go('MASTER');
    if (state === 'BACKUP' && this.state === 'MASTER') this.go('BACKUP');
  }
  go(to: VrrpState) {
    const from = this.state;
    this.state = to;
    this.emit('transition', { from, to, reason: 'test' });
  }
}

function setup() {
  const a = new FakeMember('VI_A');
  const b = new FakeMember('VI_B');
  const notified: string[] = [];
  const notifier = {
    notify: (kind: string, t: { name: string }, s: string) => notified.push(`${kind} ${t.name} ${s}`),
  };
  const group = { name: 'G', members: ['VI_A', 'VI_B'] } as unknown as SyncGroup;
  new SyncGroupRuntime(group, [a, b] as unknown as VrrpInstanceRuntime[], notifier as unknown as Notifier);
  return { a, b, notified };
}

describe('vrrp_sync_group', () => {
  it('a member becoming MASTER pulls the others; the group notifies once all agree', () => {
    const { a, b, notified } = setup();
    a.go('MASTER');
    assert.equal(b.state, 'MASTER');
    assert.deepEqual(notified, ['GROUP G MASTER']);
  });

  it('a member leaving MASTER for BACKUP takes the others along', () => {
    const { a, b, notified } = setup();
    a.go('MASTER');
    a.go('BACKUP');
    assert.equal(b.state, 'BACKUP');
    assert.deepEqual(notified, ['GROUP G MASTER', 'GROUP G BACKUP']);
  });

  it('a member’s own FAULT faults the others, and its recovery releases them', () => {
    const { a, b, notified } = setup();
    a.go('MASTER');
    a.ownFault = 'script down';
    a.go('FAULT');
    assert.equal(b.state, 'FAULT');
    assert.match(b.external ?? '', /VI_A in FAULT/);
    assert.equal(notified.at(-1), 'GROUP G FAULT');
    a.ownFault = null;
    a.go('BACKUP');
    assert.equal(b.external, null);
    assert.equal(b.state, 'BACKUP');
  });
});
