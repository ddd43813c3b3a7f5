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
function hashOfLower(lower: string): number {
  let h = NAME_HASHES.get(lower);
  if (h === undefined) {
    h = 0x811c9dc5;
    for (let k = 0; k < lower.length; k++) h = Math.imul(h ^ lower.charCodeAt(k), 0x01000193);
    NAME_HASHES.set(lower, h);
  }
  return h;
}

export class HeadView {
  buf: Buffer | null = null;
  head: HttpHead | null = null;
  ed: HeadEdits | null = null;
  /** lines added by rules (name as written, value); a deleted one has its name set to '' */
  readonly addNames: string[] = [];
  readonly addValues: string[] = [];
  /** values of parsed header lines already decoded for this message (several ACLs read Host) */
  private readonly cache: (string | undefined)[] = [];
  /** the parsed names' hashes (hashOfLower of each name lower-cased), computed on first use */
  private hashes = new Int32Array(0);
  private hashed = false;

  reset(buf: Buffer | null, head: HttpHead | null, ed: HeadEdits | null): void {
    this.buf = buf;
    this.head = head;
    this.ed = ed;
    this.addNames.length = 0;
    this.addValues.length = 0;
    if (this.cache.length > 0) this.cache.length = 0;
    this.hashed = false;
  }

  private hashNames(): void {
    const h = this.head!;
    const n = h.nHeaders;
    if (this.hashes.length < n) this.hashes = new Int32Array(Math.max(n, 64));
    const b = this.buf!;
    for (let i = 0; i < n; i++) {
      let x = 0x811c9dc5;
      for (let p = h.hdr[i * 6], e = h.hdr[i * 6 + 1]; p < e; p++) {
        let ch = b[p];
        if (ch >= 65 && ch <= 90) ch |= 0x20;
        x = Math.imul(x ^ ch, 0x01000193);
      }
      this.hashes[i] = x;
    }
    this.hashed = true;
  }

  /** Number of header slots: parsed ones first, then added ones (some may be deleted: check nameAt). */
  get size(): number {
    return (this.head?.nHeaders ?? 0) + this.addNames.length;
  }

  /** True when slot `i` is a live header (not dropped/deleted). */
  live(i: number): boolean {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) return h!.drop[i] === 0;
    return this.addNames[i - n] !== '';
  }

  /** Case-insensitive name test of slot `i` against a lower-case name. */
  nameIs(i: number, lower: string): boolean {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) {
      const s = h!.hdr[i * 6];
      const e = h!.hdr[i * 6 + 1];
      if (e - s !== lower.length) return false;
      if (!this.hashed) this.hashNames();
      if (this.hashes[i] !== hashOfLower(lower)) return false;
      const b = this.buf!;
      for (let k = 0; k < lower.length; k++) {
        let c = b[s + k];
        if (c >= 65 && c <= 90) c |= 0x20;
        if (c !== lower.charCodeAt(k)) return false;
      }
      return true;
    }
    const name = this.addNames[i - n];
    return name.length === lower.length && name.toLowerCase() === lower;
  }

  nameAt(i: number): string {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) return this.buf!.toString('latin1', h!.hdr[i * 6], h!.hdr[i * 6 + 1]);
    return this.addNames[i - n];
  }

  valueAt(i: number): string {
    const h = this.head;
    const n = h?.nHeaders ?? 0;
    if (i < n) {
      const v = this.ed?.valueOf(i);
      if (v !== undefined) return v;
      let c = this.cache[i];
      if (c === undefined) {
        c = this.buf!.toString('latin1', h!.hdr[i * 6 + 2], h!.hdr[i * 6 + 3]);
        while (this.cache.length < i) this.cache.push(undefined);
        this.cache[i] = c;
      }
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
    this.addNames.push(name);
    this.addValues.push(value);
  }

  /** Removes every header named `lower`; returns how many. */
  removeAll(lower: string): number {
    let count = 0;
    const size = this.size;
    for (let i = 0; i < size; i++) {
      if (this.live(i) && this.nameIs(i, lower)) {
        this.remove(i);
        count++;
      }
    }
    return count;
  }

  /** Hands the added lines to the HeadEdits (once, after the last rule of the message). */
  flush(): void {
    const ed = this.ed;
    if (ed === null) return;
    for (let i = 0; i < this.addNames.length; i++) {
      if (this.addNames[i] !== '') ed.append(`${this.addNames[i]}: ${this.addValues[i]}`);
    }
    this.addNames.length = 0;
    this.addValues.length = 0;
  }
}
