/**
 * `balance roundrobin`: HAProxy's fast weighted round-robin (lb_fwrr.c), ported step for step so the
 * order servers are chosen in is HAProxy's (test/lb-algorithms.test.ts compares with HAProxy 2.6).
 *
 * Each group (active servers, backups) keeps three heaps: `curr`, the servers placed in the current
 * window by their next position; `init`, servers waiting to be placed, heaviest first; `next`, servers
 * that fall beyond the window. A pick takes the first server of `curr` (or of `init` when `curr` has a
 * hole), moves it to its next position and counts one step. Weights are scaled by 16 as in HAProxy.
 * A server that goes down, comes back or gets a new weight is re-placed without restarting the round
 * (update()). A pick is O(log n) and allocates nothing.
 */
import { serverFull } from '../queue.ts';
import type { ServerState } from '../server.ts';
import {
  type AlgorithmFactory,
  type AlgorithmOptions,
  eligible,
  type LbAlgorithm,
  type PickContext,
} from './algorithm.ts';
import { type HeapNode, ServerHeap } from './server-heap.ts';

const WEIGHT_SCALE = 16; // BE_WEIGHT_SCALE
const UWEIGHT_RANGE = 256; // SRV_UWGHT_RANGE
const EWEIGHT_MAX = UWEIGHT_RANGE * WEIGHT_SCALE; // SRV_EWGHT_MAX

interface Rec extends HeapNode {
  s: ServerState;
  index: number;
  backup: boolean;
  /** what the algorithm last saw of the server */
  usable: boolean;
  eweight: number;
  /** next position, last position, remainder (HAProxy's npos, lpos, rweight) */
  npos: number;
  lpos: number;
  rweight: number;
  /** chain of servers taken out during one pick (saturated or avoided) */
  nextFull: Rec | null;
}

class Group {
  readonly curr = new ServerHeap<Rec>();
  private readonly t0 = new ServerHeap<Rec>();
  private readonly t1 = new ServerHeap<Rec>();
  init = this.t0;
  next = this.t1;
  currPos = 0;
  currWeight = 0;
  nextWeight = 0;

  switchTrees(): void {
    const swap = this.init;
    this.init = this.next;
    this.next = swap;
    this.currWeight = this.nextWeight;
    this.currPos = this.currWeight;
  }
}

export const roundRobin: AlgorithmFactory = (
  servers: readonly ServerState[],
  opts: AlgorithmOptions,
): LbAlgorithm => new Fwrr(servers, opts.allBackups);

class Fwrr implements LbAlgorithm {
  readonly name = 'roundrobin';
  private readonly recs: Rec[];
  private readonly byServer = new Map<ServerState, Rec>();
  private readonly act = new Group();
  private readonly bck = new Group();
  private readonly allBackups: boolean;
  private srvAct = 0;
  private srvBck = 0;
  /** the backup in use when no active server is (without allbackups), HAProxy's fbck */
  private fbck: Rec | null = null;

  constructor(servers: readonly ServerState[], allBackups: boolean) {
    this.allBackups = allBackups;
    this.recs = servers.map((s, index) => {
      const r: Rec = {
        s,
        index,
        backup: s.spec.backup,
        usable: eligible(s),
        eweight: s.weight * WEIGHT_SCALE,
        npos: 0,
        lpos: 0,
        rweight: 0,
        nextFull: null,
        key: 0,
        seq: 0,
        pos: -1,
        heap: null,
      };
      this.byServer.set(s, r);
      return r;
    });
    let wact = 0;
    let wbck = 0;
    for (const r of this.recs) {
      if (!r.usable) continue;
      if (r.backup) {
        if (this.srvBck === 0 && !allBackups) this.fbck = r;
        this.srvBck++;
        wbck += r.eweight;
      } else {
        this.srvAct++;
        wact += r.eweight;
      }
    }
    this.act.currPos = this.act.currWeight = this.act.nextWeight = wact;
    this.bck.currPos = this.bck.currWeight = this.bck.nextWeight = wbck;
    for (const r of this.recs) if (r.usable) this.queueByWeight(this.groupOf(r).init, r);
  }

  private groupOf(r: Rec): Group {
    return r.backup ? this.bck : this.act;
  }

  /** Heaviest first, so that heavy servers are placed first and spread evenly. */
  private queueByWeight(heap: ServerHeap<Rec>, r: Rec): void {
    heap.push(r, EWEIGHT_MAX - r.eweight);
  }

  private dequeue(r: Rec): void {
    (r.heap as ServerHeap<Rec> | null)?.remove(r);
  }

  /** fwrr_queue_srv: into `curr` by next position, or into `next` when beyond the window. */
  private queue(r: Rec): void {
    const grp = this.groupOf(r);
    if (!r.usable) {
      this.dequeue(r);
      r.heap = null;
    } else if (r.eweight <= 0 || r.npos >= 2 * grp.currWeight || r.npos >= grp.currWeight + grp.nextWeight) {
      r.npos -= grp.currWeight;
      this.queueByWeight(grp.next, r);
    } else {
      grp.curr.push(
        r,
        UWEIGHT_RANGE * r.npos + Math.trunc((EWEIGHT_MAX + r.rweight - r.eweight) / WEIGHT_SCALE),
      );
    }
  }

  /** fwrr_get_srv: prepares a server taken out of the heap it was in. */
  private getSrv(r: Rec): void {
    const grp = this.groupOf(r);
    if (r.heap === (grp.init as unknown)) {
      r.npos = 0;
      r.rweight = 0;
    } else if (r.heap === (grp.next as unknown)) {
      r.npos += grp.currWeight;
    } else if (r.heap === null) {
      r.npos = grp.currPos;
    }
  }

  private fromGroup(grp: Group): Rec | null {
    const s1 = grp.curr.first();
    if (s1 !== null && s1.eweight > 0 && s1.npos <= grp.currPos) return s1;
    const s2 = grp.init.first();
    if (s2 !== null && s2.eweight > 0) {
      s2.npos = 0;
      s2.rweight = 0;
      return s2;
    }
    return s1;
  }

  private updatePosition(grp: Group, r: Rec): void {
    const w = r.eweight;
    if (w === 0) return;
    if (r.npos === 0) r.npos = grp.currPos;
    r.lpos = r.npos;
    r.npos += Math.trunc(grp.nextWeight / w);
    r.rweight += grp.nextWeight % w;
    if (r.rweight >= w) {
      r.rweight -= w;
      r.npos++;
    }
  }

  pick(ctx: PickContext): ServerState | null {
    let grp: Group;
    if (this.srvAct > 0) grp = this.act;
    else if (this.fbck !== null) return this.fbck.s;
    else if (this.srvBck > 0) grp = this.bck;
    else return null;
    const avoid = ctx.exclude === null ? null : (this.byServer.get(ctx.exclude) ?? null);
    let switched = false;
    let avoided: Rec | null = null;
    let full: Rec | null = null;
    let srv: Rec | null = null;
    for (;;) {
      if (grp.currWeight === 0) grp.currPos = grp.currWeight = grp.nextWeight;
      for (;;) {
        srv = this.fromGroup(grp);
        if (srv !== null) break;
        if (switched) break;
        switched = true;
        grp.switchTrees();
      }
      if (srv === null) {
        srv = avoided;
        break;
      }
      this.updatePosition(grp, srv);
      this.dequeue(srv);
      grp.currPos++;
      // a server at its maxconn (or with requests queued for it) is set aside, as one to avoid
      if (!serverFull(srv.s)) {
        if (srv !== avoid || avoided !== null) break;
        avoided = srv;
      }
      srv.nextFull = full;
      full = srv;
    }
    if (srv !== null) this.queue(srv);
    while (full !== null) {
      const f: Rec = full;
      full = f.nextFull;
      f.nextFull = null;
      if (f === srv) continue;
      if (switched) this.queueByWeight(grp.init, f);
      else this.queue(f);
    }
    return srv === null ? null : srv.s;
  }

  update(s: ServerState): void {
    const r = this.byServer.get(s);
    if (r === undefined) return;
    const usable = eligible(s);
    const eweight = s.weight * WEIGHT_SCALE;
    if (usable === r.usable && eweight === r.eweight) return;
    if (!r.usable && !usable) {
      r.eweight = eweight;
      return;
    }
    if (r.usable !== usable) {
      if (usable) this.setUp(r, eweight);
      else this.setDown(r, eweight);
      return;
    }
    // still usable, new weight
    const grp = this.groupOf(r);
    grp.nextWeight = grp.nextWeight - r.eweight + eweight;
    r.eweight = eweight;
    if (r.heap === (grp.init as unknown)) {
      this.dequeue(r);
      this.queueByWeight(grp.init, r);
    } else if (r.heap === null) {
      this.getSrv(r);
      r.npos = grp.currPos + Math.trunc((grp.nextWeight + grp.currWeight - grp.currPos) / eweight);
      this.queue(r);
    } else {
      this.getSrv(r);
      const prevNext = r.npos;
      const step = Math.trunc(grp.nextWeight / eweight);
      r.npos = r.lpos + step;
      r.rweight = 0;
      if (r.npos > prevNext) r.npos = prevNext;
      if (r.npos < grp.currPos + 2) r.npos = grp.currPos + step;
      this.dequeue(r);
      this.queue(r);
    }
  }

  private setDown(r: Rec, eweight: number): void {
    const grp = this.groupOf(r);
    grp.nextWeight -= r.eweight;
    r.usable = false;
    r.eweight = eweight;
    if (r.backup) {
      this.srvBck--;
      if (r === this.fbck) {
        let next: Rec | null = null;
        for (let i = r.index + 1; i < this.recs.length; i++) {
          const c = this.recs[i];
          if (c.backup && c.usable) {
            next = c;
            break;
          }
        }
        this.fbck = next;
      }
    } else this.srvAct--;
    this.dequeue(r);
    r.heap = null;
  }

  private setUp(r: Rec, eweight: number): void {
    const grp = this.groupOf(r);
    grp.nextWeight += eweight;
    r.usable = true;
    r.eweight = eweight;
    if (r.backup) {
      this.srvBck++;
      if (!this.allBackups && (this.fbck === null || r.index < this.fbck.index)) this.fbck = r;
    } else this.srvAct++;
    this.getSrv(r);
    r.npos = grp.currPos + Math.trunc((grp.nextWeight + grp.currWeight - grp.currPos) / eweight);
    this.queue(r);
  }
}
