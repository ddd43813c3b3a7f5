/**
 * One message head as the rules see it: the parsed header lines (minus the dropped ones, with the values
 * edits replaced) followed by the lines rules added, so a rule sees what the rules before it did, as in
 * HAProxy. Header edits go to the session's HeadEdits (drops, in-place values) at once; added lines are
 * kept here and handed over by flush(), before the engine appends its own (forwardfor, Connection).
 *
 * One instance per direction per session, reset per message: arrays are reused (length = 0).
 */
import type { HeadEdits } from '../http/head-edits.ts';
import type { HttpHead } from '../http/head-parser.ts';

/** FNV-1a of a lower-case header name; names come from the compiled rules, so they are few */
const NAME_HASHES = new Map<string, number>();
export function hashOfLower(lower: string): number {
  let h = NAME_HASHES.get(lower);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let k = 0; k < lower.length; k++) h = Math.imul(h ^ lower.charCodeAt(k), 0x01000193);
    NAME_HASHES.set(lower, h);
  }
  return h;
}

/** up to this many bytes, the head is decoded in one piece on first read (see slice()) */
const WHOLE_HEAD_TEXT = 4096;

/** `name` lower-cased is `lower` (ASCII), without making the lower-cased string */
function isLowerOf(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let k = 0; k < name.length; k++) {
    let c = name.charCodeAt(k);
    if (c >= 65 && c <= 90) c |= 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** up to this many parsed lines, find() compares names directly; beyond, it builds the name index */
const SCAN_HEADERS = 8;

/** slots of the name table (a power of two, at least twice the headers it indexes) */
const TABLE = 128;

export class HeadView {
  buf: Buffer | null = null;
  head: HttpHead | null = null;
  ed: HeadEdits | null = null;
  /**
   * lines added by rules (name as written, value), the first `nAdd` entries (the arrays are reused
   * across messages); a deleted one has its name set to ''
   */
  private readonly addNames: string[] = [];
  private readonly addValues: string[] = [];
  private nAdd = 0;
  /** this message's number: a cached value or table slot stamped with another one is stale */
  private gen = 0;
  /** values of parsed header lines already decoded for this message (several ACLs read Host) */
  private cacheGen = new Int32Array(64);
  private readonly cacheVal: string[] = [];
  /**
   * The start line and header lines decoded once (latin1), when a rule reads the head; values and the
   * request target are then slices of it: one native call per message instead of one per value.
   */
  private text: string | null = null;
  /** the parsed names' hashes (hashOfLower of each name lower-cased), computed on first use */
  private hashes = new Int32Array(0);
  private hashed = false;
  /**
   * The parsed lines by name, built with the hashes: `nextSame[i]` is the next slot after `i` whose name
   * has the same hash (-1: none), and an open-addressing table maps a hash to its first slot, so a
   * lookup visits only the lines of that name (most of the names ACLs ask for are absent).
   */
  private nextSame = new Int32Array(0);
  private tabHash = new Int32Array(TABLE);
  private tabSlot = new Int32Array(TABLE);
  private tabGen = new Int32Array(TABLE);

  reset(buf: Buffer | null, head: HttpHead | null, ed: HeadEdits | null): void {
    this.buf = buf;
    this.head = head;
    this.ed = ed;
    // nothing is cleared: counts and generation stamps (`length = 0` is a runtime call in V8)
    this.nAdd = 0;
    this.gen = (this.gen + 1) | 0;
    if (this.gen === 0) {
      // wrapped around (after 2^32 messages): no stamp may look current
      this.cacheGen.fill(-1);
      this.tabGen.fill(-1);
      this.gen = 1;
    }
    this.text = null;
    this.hashed = false;
  }

  /** buf[start, end) as latin1 text (start and end within the parsed head). */
  slice(start: number, end: number): string {
    let t = this.text;
    if (t === null) {
      const len = this.head!.lastLineStart;
      // a large head whose rules read a value or two is cheaper to decode piece by piece
      if (len > WHOLE_HEAD_TEXT) return this.buf!.toString('latin1', start, end);
      t = this.buf!.toString('latin1', 0, len);
      this.text = t;
    }
    return t.slice(start, end);
  }

  private hashNames(): void {
    const h = this.head!;
    const n = h.nHeaders;
    if (this.hashes.length < n) {
      this.hashes = new Int32Array(Math.max(n, 64));
      this.nextSame = new Int32Array(Math.max(n, 64));
    }
    let size = this.tabSlot.length;
    if (size < 2 * n) {
      while (size < 2 * n) size *= 2;
      this.tabHash = new Int32Array(size);
      this.tabSlot = new Int32Array(size);
      this.tabGen = new Int32Array(size);
    }
    const tabHash = this.tabHash;
    const tabSlot = this.tabSlot;
    const tabGen = this.tabGen;
    const gen = this.gen;
    const mask = size - 1;
    const b = this.buf!;
    // from the last line to the first, so that each chain is in slot order and the table keeps the first
    for (let i = n - 1; i >= 0; i--) {
      let x = 0x811c9dc5;
      for (let p = h.hdr[i * 6], e = h.hdr[i * 6 + 1]; p < e; p++) {
        let ch = b[p];
        if (ch >= 65 && ch <= 90) ch |= 0x20;
        x = Math.imul(x ^ ch, 0x01000193);
      }
      this.hashes[i] = x;
      let t = x & mask;
      while (tabGen[t] === gen && tabHash[t] !== x) t = (t + 1) & mask;
      this.nextSame[i] = tabGen[t] === gen ? tabSlot[t] : -1;
      tabGen[t] = gen;
      tabHash[t] = x;
      tabSlot[t] = i;
    }
    this.hashed = true;
  }

  /** The first parsed slot whose name hashes to `hash`, or -1. */
  private firstWithHash(hash: number): number {
    const tabHash = this.tabHash;
    const tabGen = this.tabGen;
    const gen = this.gen;
    const mask = tabGen.length - 1;
    for (let t = hash & mask; tabGen[t] === gen; t = (t + 1) & mask)
      if (tabHash[t] === hash) return this.tabSlot[t];
    return -1;
  }

  /**
   * The first live slot at or after `from` named `lower` (whose hashOfLower is `hash`), or -1: what
   * scanning with has() finds, visiting only the parsed lines of that name, then the added ones.
   */
  find(from: number, lower: string, hash: number): number {
    const h = this.head;
    const n = h === null ? 0 : h.nHeaders;
    if (from < n && n <= SCAN_HEADERS) {
      // a short head: comparing the names' lengths is cheaper than hashing every name first
      const hdr = h!.hdr;
      const len = lower.length;
      for (let i = from; i < n; i++)
        if (hdr[i * 6 + 1] - hdr[i * 6] === len && h!.drop[i] === 0 && this.nameBytesAre(i, lower)) return i;
    } else if (from < n) {
      if (!this.hashed) this.hashNames();
      let i: number;
      if (from === 0) i = this.firstWithHash(hash);
      else if (this.hashes[from - 1] === hash) i = this.nextSame[from - 1];
      else {
        i = from;
        while (i < n && this.hashes[i] !== hash) i++;
        if (i === n) i = -1;
      }
      for (; i >= 0; i = this.nextSame[i]) if (this.has(i, lower, hash)) return i;
    }
    const size = n + this.nAdd;
    for (let i = Math.max(from, n); i < size; i++) if (this.has(i, lower, hash)) return i;
    return -1;
  }

  /** Number of header slots: parsed ones first, then added ones (some may be deleted: check nameAt). */
  get size(): number {
    return (this.head?.nHeaders ?? 0) + this.nAdd;
  }

  /** True when slot `i` is a live header (not dropped/deleted). */
  live(i: number): boolean {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) return h!.drop[i] === 0;
    return this.addNames[i - n] !== '';
  }

  /** Slot `i` is live and named `lower` (whose hashOfLower is `hash`): the walkers' fast test. */
  has(i: number, lower: string, hash: number): boolean {
    const h = this.head;
    const n = h === null ? 0 : h.nHeaders;
    if (i < n) {
      if (h!.drop[i] !== 0) return false;
      if (h!.hdr[i * 6 + 1] - h!.hdr[i * 6] !== lower.length) return false;
      if (this.hashed && this.hashes[i] !== hash) return false;
      return this.nameBytesAre(i, lower);
    }
    const name = this.addNames[i - n];
    return name !== '' && isLowerOf(name, lower);
  }

  /** The name of parsed line `i` is `lower` (same length known), compared case-insensitively. */
  private nameBytesAre(i: number, lower: string): boolean {
    const b = this.buf!;
    const s = this.head!.hdr[i * 6];
    for (let k = 0; k < lower.length; k++) {
      let c = b[s + k];
      if (c >= 65 && c <= 90) c |= 0x20;
      if (c !== lower.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Case-insensitive name test of slot `i` against a lower-case name. */
  nameIs(i: number, lower: string): boolean {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) {
      const s = h!.hdr[i * 6];
      const e = h!.hdr[i * 6 + 1];
      if (e - s !== lower.length) return false;
      if (this.hashed && this.hashes[i] !== hashOfLower(lower)) return false;
      return this.nameBytesAre(i, lower);
    }
    return isLowerOf(this.addNames[i - n], lower);
  }

  nameAt(i: number): string {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) return this.slice(h!.hdr[i * 6], h!.hdr[i * 6 + 1]);
    return this.addNames[i - n];
  }

  valueAt(i: number): string {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) {
      const v = this.ed?.valueOf(i);
      if (v !== undefined) return v;
      if (i < this.cacheGen.length && this.cacheGen[i] === this.gen) return this.cacheVal[i];
      const c = this.slice(h!.hdr[i * 6 + 2], h!.hdr[i * 6 + 3]);
      if (i >= this.cacheGen.length) {
        const g = new Int32Array(Math.max(2 * this.cacheGen.length, i + 1));
        g.set(this.cacheGen);
        this.cacheGen = g;
      }
      while (this.cacheVal.length <= i) this.cacheVal.push('');
      this.cacheGen[i] = this.gen;
      this.cacheVal[i] = c;
      return c;
    }
    return this.addValues[i - n];
  }

  /** Removes slot `i`. */
  remove(i: number): void {
    const n = this.head?.nHeaders ?? 0;
    if (i < n) this.ed!.dropAt(i);
    else this.addNames[i - n] = '';
  }

  /** Replaces the value of slot `i`, keeping its place. */
  replace(i: number, value: string): void {
    const n = this.head?.nHeaders ?? 0;
    if (i < n) this.ed!.replaceValue(i, value);
    else this.addValues[i - n] = value;
  }

  add(name: string, value: string): void {
    const k = this.nAdd++;
    if (k < this.addNames.length) {
      this.addNames[k] = name;
      this.addValues[k] = value;
    } else {
      this.addNames.push(name);
      this.addValues.push(value);
    }
  }

  /** Removes every header named `lower` (whose hashOfLower is `hash`); returns how many. */
  removeAll(lower: string, hash = hashOfLower(lower)): number {
    let count = 0;
    for (let i = this.find(0, lower, hash); i >= 0; i = this.find(i + 1, lower, hash)) {
      this.remove(i);
      count++;
    }
    return count;
  }

  /** Hands the added lines to the HeadEdits (once, after the last rule of the message). */
  flush(): void {
    const ed = this.ed;
    if (ed === null) return;
    const n = this.nAdd;
    if (n === 0) return;
    for (let i = 0; i < n; i++)
      if (this.addNames[i] !== '') ed.appendHeader(this.addNames[i], this.addValues[i]);
    this.nAdd = 0;
  }
}
