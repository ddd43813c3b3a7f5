/**
 * A binary min-heap of per-server records ordered by (key, insertion order): what HAProxy's eb32 trees
 * give its LB algorithms (equal keys come out first-in first-out). Insert, remove and first are
 * O(log n) and allocate nothing once the heap has grown to the number of servers.
 */
export interface HeapNode {
  key: number;
  /** insertion sequence: ties on key go to the oldest */
  seq: number;
  /** index in the heap holding it, -1 when in none */
  pos: number;
  /** the heap it was last queued in (kept after removal, as HAProxy's lb_tree) */
  heap: ServerHeap<HeapNode> | null;
}

let SEQ = 0;

export class ServerHeap<T extends HeapNode> {
  private readonly items: T[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  first(): T | null {
    return this.n > 0 ? this.items[0] : null;
  }

  /** Queues `node` (after its equals); `keepSeq` puts it back where it was among them. */
  push(node: T, key: number, keepSeq = false): void {
    if (node.pos >= 0) node.heap?.remove(node);
    node.key = key;
    if (!keepSeq) node.seq = SEQ++;
    node.heap = this as unknown as ServerHeap<HeapNode>;
    const i = this.n++;
    this.items[i] = node;
    node.pos = i;
    this.up(i);
  }

  remove(node: T): void {
    const i = node.pos;
    if (i < 0 || this.items[i] !== node) return;
    node.pos = -1;
    const last = --this.n;
    if (i !== last) {
      const moved = this.items[last];
      this.items[i] = moved;
      moved.pos = i;
      this.up(i);
      this.down(moved.pos);
    }
    this.items[last] = undefined as unknown as T;
  }

  private less(a: T, b: T): boolean {
    return a.key < b.key || (a.key === b.key && a.seq < b.seq);
  }

  private up(i: number): void {
    const items = this.items;
    const node = items[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p];
      if (!this.less(node, parent)) break;
      items[i] = parent;
      parent.pos = i;
      i = p;
    }
    items[i] = node;
    node.pos = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = this.n;
    const node = items[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(items[r], items[l]) ? r : l;
      if (!this.less(items[c], node)) break;
      items[i] = items[c];
      items[i].pos = i;
      i = c;
    }
    items[i] = node;
    node.pos = i;
  }
}
