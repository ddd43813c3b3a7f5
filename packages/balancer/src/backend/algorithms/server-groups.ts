/**
 * HAProxy's rule for which servers take traffic (backend.c recount_servers/update_backend_weight):
 * the usable active servers; when there is none, the first usable backup in declaration order
 * ("fbck"), or every usable backup with `option allbackups`. Algorithms keep one of these and refresh
 * it when a server changes (O(n), rare), so a pick reads plain fields.
 */
import type { ServerState } from '../server.ts';
import { eligible } from './algorithm.ts';

export class ServerGroups {
  /** usable active servers, usable backups */
  active = 0;
  backups = 0;
  /** sum of the effective weights of each group */
  activeWeight = 0;
  backupWeight = 0;
  /** index of the one backup in use when no active server is usable (no allbackups), or -1 */
  firstBackup = -1;
  /** the weight and the count of the servers in use (HAProxy's tot_weight, tot_used) */
  totalWeight = 0;
  totalUsed = 0;

  recount(servers: readonly ServerState[], eweight: (s: ServerState) => number, allBackups: boolean): void {
    this.active = this.backups = this.activeWeight = this.backupWeight = 0;
    this.firstBackup = -1;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i];
      if (!eligible(s)) continue;
      if (s.spec.backup) {
        if (this.backups === 0 && !allBackups) this.firstBackup = i;
        this.backups++;
        this.backupWeight += eweight(s);
      } else {
        this.active++;
        this.activeWeight += eweight(s);
      }
    }
    if (this.active > 0) {
      this.totalWeight = this.activeWeight;
      this.totalUsed = this.active;
    } else if (this.firstBackup >= 0) {
      this.totalWeight = eweight(servers[this.firstBackup]);
      this.totalUsed = 1;
    } else {
      this.totalWeight = this.backupWeight;
      this.totalUsed = this.backups;
    }
  }

  /** The servers in use are the backups (no active one is usable). */
  get onBackups(): boolean {
    return this.active === 0;
  }
}
