/**
 * HAProxy's consistent-hash ring (lb_chash.c), used by `hash-type consistent` and `balance random`:
 * every usable server owns weight × 16 points at `full_hash(id × 4096 + n)`; a key goes to the point
 * closest to its hash. A server that leaves or joins only takes or gives back the keys nearest its own
 * points; every other key stays where it was. The ring is rebuilt when a server changes (rare); a
 * lookup is a binary search, O(log points), allocation-free.
 */
import type { ServerState } from '../server.ts';
import { eligible, serverId } from './algorithm.ts';
import { fullHash } from './hash-functions.ts';
import { ServerGroups } from './server-groups.ts';

const WEIGHT_SCALE = 16;
const EWEIGHT_RANGE = 256 * WEIGHT_SCALE;

export class ConsistentRing {
  private readonly servers: readonly ServerState[];
  private readonly allBackups: boolean;
  private readonly groups = new ServerGroups();
  private keys = new Uint32Array(0);
  private owners: ServerState[] = [];
  private n = 0;
  /** the point round-robin (a hash key missing) reached last, by key; -1 = none yet */
  private lastKey = -1;

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.servers = servers;
    this.allBackups = allBackups;
    this.rebuild();
  }

  get used(): number {
    return this.groups.totalUsed;
  }

  get totalWeight(): number {
    return this.groups.totalWeight;
  }

  /** Places the points of the servers in use: the active ones, else the backups (all, or the first). */
  rebuild(): void {
    const g = this.groups;
    g.recount(this.servers, (s) => s.weight * WEIGHT_SCALE, this.allBackups);
    const points: { key: number; s: ServerState }[] = [];
    if (g.active > 0 || g.firstBackup < 0) {
      const backups = g.active === 0;
      for (let i = 0; i < this.servers.length; i++) {
        const s = this.servers[i];
        if (s.spec.backup !== backups || !eligible(s)) continue;
        const base = serverId(s, i) * EWEIGHT_RANGE;
        const count = s.weight * WEIGHT_SCALE;
        for (let j = 0; j < count; j++) points.push({ key: fullHash((base + j) >>> 0), s });
      }
    }
    points.sort((a, b) => a.key - b.key);
    this.n = points.length;
    this.keys = Uint32Array.from(points, (p) => p.key);
    this.owners = points.map((p) => p.s);
  }

  /** The server in use when only the first backup serves (HAProxy's fbck), else null. */
  private only(): ServerState | null {
    const g = this.groups;
    return g.active === 0 && g.firstBackup >= 0 ? this.servers[g.firstBackup] : null;
  }

  /** First point with key >= hash, wrapping to 0. */
  private lookupGe(hash: number): number {
    let lo = 0;
    let hi = this.n;
    const keys = this.keys;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.n ? 0 : lo;
  }

  /** chash_get_server_hash: the server at the point nearest `hash`, skipping `avoid` when possible. */
  byHash(hash: number, avoid: ServerState | null): ServerState | null {
    const only = this.only();
    if (only !== null) return only;
    const n = this.n;
    if (n === 0) return null;
    let next = this.lookupGe(hash);
    const prev = next === 0 ? n - 1 : next - 1;
    const dp = (hash - this.keys[prev]) >>> 0;
    const dn = (this.keys[next] - hash) >>> 0;
    if (dp <= dn) next = prev;
    let srv = this.owners[next];
    let loop = 0;
    while (srv === avoid) {
      next++;
      if (next === n) {
        next = 0;
        if (++loop > 1) break;
      }
      srv = this.owners[next];
    }
    return srv;
  }

  /** chash_get_next_server: walks the ring point by point (the fallback when a request has no key). */
  nextRoundRobin(avoid: ServerState | null): ServerState | null {
    const only = this.only();
    if (only !== null) return only;
    const n = this.n;
    if (n === 0) return null;
    let node = this.lastKey < 0 ? -1 : this.lookupGe(this.lastKey);
    if (node >= 0 && this.keys[node] !== this.lastKey) node = node === 0 ? n - 1 : node - 1;
    const stop0 = node;
    let stop = stop0;
    let avoidedNode = -1;
    for (let steps = 0; steps <= n; steps++) {
      node = node + 1 >= n || node < 0 ? 0 : node + 1;
      if (stop < 0) stop = node;
      const s = this.owners[node];
      if (s !== avoid) {
        this.lastKey = this.keys[node];
        return s;
      }
      avoidedNode = node;
      if (node === stop && steps > 0) break;
    }
    if (avoidedNode < 0) return null;
    this.lastKey = this.keys[avoidedNode];
    return this.owners[avoidedNode];
  }
}
