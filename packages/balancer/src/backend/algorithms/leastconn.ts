/**
 * `balance leastconn`: the server with the fewest exchanges in progress relative to its weight
 * (HAProxy's lb_fwlc.c key: 0 when idle, else (served + 1) × 4096 / (weight × 16)); between equals,
 * the one whose load changed least recently, as HAProxy's tree keeps equal keys in insertion order.
 * Loads change through loadChanged() (the dispatcher calls it as exchanges start and end), which
 * re-places the server in a heap: a pick is O(log n) and allocates nothing.
 */
import { dynamicMaxconn } from '../queue.ts';
import type { ServerState } from '../server.ts';
import { type AlgorithmFactory, eligible, type LbAlgorithm, type PickContext } from './algorithm.ts';
import { ServerGroups } from './server-groups.ts';
import { type HeapNode, ServerHeap } from './server-heap.ts';

const EWEIGHT_MAX = 256 * 16;

/** lb_fwlc.c: a limited server is skipped once its slots and its maxqueue are all taken */
function saturated(s: ServerState): boolean {
  return s.maxconn !== 0 && s.served + s.queue.length >= dynamicMaxconn(s) + s.maxqueue;
}

interface Rec extends HeapNode {
  s: ServerState;
}

export const leastConn: AlgorithmFactory = (servers, opts): LbAlgorithm => {
  const groups = new ServerGroups();
  const active = new ServerHeap<Rec>();
  const backup = new ServerHeap<Rec>();
  const recs = new Map<ServerState, Rec>();
  for (const s of servers) recs.set(s, { s, key: 0, seq: 0, pos: -1, heap: null });
  const keyOf = (s: ServerState) =>
    s.served === 0 ? 0 : Math.trunc(((s.served + 1) * EWEIGHT_MAX) / (s.weight * 16));
  const place = (r: Rec) => {
    if (!eligible(r.s)) (r.heap as ServerHeap<Rec> | null)?.remove(r);
    else (r.s.spec.backup ? backup : active).push(r, keyOf(r.s));
  };
  const recount = () => groups.recount(servers, (s) => s.weight, opts.allBackups);
  for (const r of recs.values()) place(r);
  recount();
  return {
    name: 'leastconn',
    pick(ctx: PickContext): ServerState | null {
      if (groups.active === 0 && groups.firstBackup >= 0) return servers[groups.firstBackup];
      const heap = groups.active > 0 ? active : backup;
      const first = heap.first();
      if (first === null) return null;
      if (first.s !== ctx.exclude && !saturated(first.s)) return first.s;
      // the least loaded is to be avoided or saturated: walk on in key order, then put them all back
      const aside: Rec[] = [];
      let found: Rec | null = null;
      let avoided: Rec | null = null;
      for (let r = heap.first(); r !== null; r = heap.first()) {
        heap.remove(r);
        aside.push(r);
        if (saturated(r.s)) continue;
        if (r.s !== ctx.exclude) {
          found = r;
          break;
        }
        avoided = r;
      }
      for (const r of aside) heap.push(r, r.key, true);
      return (found ?? avoided)?.s ?? null;
    },
    update(s: ServerState): void {
      const r = recs.get(s);
      if (r === undefined) return;
      place(r);
      recount();
    },
    loadChanged(s: ServerState): void {
      const r = recs.get(s);
      if (r !== undefined && eligible(s)) place(r);
    },
  };
};
