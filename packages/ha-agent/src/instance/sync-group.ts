// vrrp_sync_group: members move together (keepalived). A member's own FAULT puts every member in
// FAULT; a member becoming MASTER pulls the others to MASTER; a member leaving MASTER for BACKUP takes
// the others with it. The group's notify scripts run when all members agree on a new state.
import type { SyncGroup } from '@ha-lb/shared-config/keepalived';
import type { Notifier, NotifyState } from '../notify/notifier.ts';
import type { VrrpState } from '../vrrp/state-machine.ts';
import type { VrrpInstanceRuntime } from './vrrp-instance.ts';

export class SyncGroupRuntime {
  readonly config: SyncGroup;
  readonly members: VrrpInstanceRuntime[];
  readonly #notifier: Notifier;
  readonly #listeners = new Map<VrrpInstanceRuntime, (t: { from: VrrpState; to: VrrpState }) => void>();
  #state: VrrpState | null = null;
  #propagating = false;

  constructor(config: SyncGroup, members: VrrpInstanceRuntime[], notifier: Notifier) {
    this.config = config;
    this.members = members;
    this.#notifier = notifier;
    for (const m of members) {
      const listener = (t: { from: VrrpState; to: VrrpState }) => this.#onTransition(m, t.from, t.to);
      this.#listeners.set(m, listener);
      m.on('transition', listener);
    }
  }

  /**
   * Stops following the members. A reload builds a new group over the instances it keeps, so the old
   * group must let go of them first, or every SIGHUP would add one more listener per member.
   */
  dispose(): void {
    for (const [m, listener] of this.#listeners) m.off('transition', listener);
    this.#listeners.clear();
  }

  #onTransition(member: VrrpInstanceRuntime, from: VrrpState, to: VrrpState): void {
    if (!this.#propagating) {
      this.#propagating = true;
      try {
        const faulty = this.members.find((m) => m.ownFault !== null);
        for (const m of this.members) {
          if (m === member && to !== 'FAULT') continue;
          m.setExternalFault(
            faulty && m !== faulty ? `sync group ${this.config.name}: ${faulty.name} in FAULT` : null,
          );
        }
        if (to === 'MASTER') {
          for (const m of this.members)
            if (m !== member)
              m.syncTo('MASTER', `sync group ${this.config.name}: ${member.name} became MASTER`);
        } else if (to === 'BACKUP' && from === 'MASTER') {
          for (const m of this.members)
            if (m !== member)
              m.syncTo('BACKUP', `sync group ${this.config.name}: ${member.name} left MASTER`);
        }
      } finally {
        this.#propagating = false;
      }
    }
    const states = new Set(this.members.map((m) => m.state));
    if (states.size === 1) {
      const s = [...states][0];
      if (s !== this.#state && (s === 'MASTER' || s === 'BACKUP' || s === 'FAULT')) {
        this.#state = s;
        this.#notifier.notify('GROUP', this.config, s as NotifyState, 0);
      }
    }
  }
}
