/**
 * HAProxy's server map (lb_map.c), used by `static-rr` and by `hash-type map-based`: a table with one
 * slot per unit of weight (weights divided by their greatest common divisor), filled so that servers
 * interleave smoothly and the first declared wins ties. static-rr walks it; hashing picks slot
 * `hash % total weight`, which is why adding or removing a server moves most keys. The table is
 * rebuilt when a server changes (O(weight × servers), rare); a lookup is O(1).
 */
import { serverFull } from '../queue.ts';
import type { ServerState } from '../server.ts';
import { eligible } from './algorithm.ts';
import { ServerGroups } from './server-groups.ts';

export class ServerMap {
  private readonly servers: readonly ServerState[];
  private readonly allBackups: boolean;
  private readonly gcd: number;
  private readonly groups = new ServerGroups();
  private table: ServerState[] = [];
  private readonly wscore: Int32Array;
  /** next slot static-rr takes */
  private rrIdx = 0;

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.servers = servers;
    this.allBackups = allBackups;
    this.wscore = new Int32Array(servers.length);
    // HAProxy divides the configured weights by their GCD (zero weights are skipped at the start only)
    let g = 1;
    let i = 0;
    while (i < servers.length && servers[i].spec.weight === 0) i++;
    if (i < servers.length) {
      g = servers[i].spec.weight;
      for (i++; g > 1 && i < servers.length; i++) {
        let w = servers[i].spec.weight;
        while (w) {
          const t = g % w;
          g = w;
          w = t;
        }
      }
    }
    this.gcd = g;
    this.rebuild();
  }

  /** The weight a server has in the map. */
  eweight(s: ServerState): number {
    return Math.ceil(s.weight / this.gcd);
  }

  /** How many servers are in use (1 means hashing is skipped, as HAProxy does). */
  get used(): number {
    return this.groups.totalUsed;
  }

  get totalWeight(): number {
    return this.groups.totalWeight;
  }

  /** recount_servers + update_backend_weight + recalc_server_map */
  rebuild(): void {
    const servers = this.servers;
    this.groups.recount(servers, (s) => this.eweight(s), this.allBackups);
    const tot = this.groups.totalWeight;
    if (this.table.length < tot) this.table = new Array<ServerState>(tot);
    if (this.groups.totalUsed === 0) return;
    const backups = this.groups.onBackups;
    this.wscore.fill(0);
    for (let o = 0; o < tot; o++) {
      let max = 0;
      let best = -1;
      for (let i = 0; i < servers.length; i++) {
        const cur = servers[i];
        if (cur.spec.backup !== backups || !eligible(cur)) continue;
        if (tot === 1) {
          best = i;
          break;
        }
        this.wscore[i] += this.eweight(cur);
        const v = Math.trunc((this.wscore[i] + tot) / tot);
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      this.table[o] = servers[best];
      this.wscore[best] -= tot;
    }
  }

  /** map_get_server_rr: the next slot, skipping `avoid` when another server exists. */
  nextRoundRobin(avoid: ServerState | null): ServerState | null {
    const tot = this.groups.totalWeight;
    if (tot === 0) return null;
    if (this.rrIdx < 0 || this.rrIdx >= tot) this.rrIdx = 0;
    let idx = this.rrIdx;
    let avoided: ServerState | null = null;
    let avoidedIdx = 0;
    do {
      const srv = this.table[idx++];
      // a server at its maxconn (or with requests queued for it) is skipped
      if (!serverFull(srv)) {
        avoided = srv;
        avoidedIdx = idx;
        if (srv !== avoid) {
          this.rrIdx = idx;
          return srv;
        }
      }
      if (idx === tot) idx = 0;
    } while (idx !== this.rrIdx);
    if (avoided !== null) this.rrIdx = avoidedIdx;
    return avoided;
  }

  /** map_get_server_hash */
  byHash(hash: number): ServerState | null {
    const tot = this.groups.totalWeight;
    return tot === 0 ? null : this.table[hash % tot];
  }
}
