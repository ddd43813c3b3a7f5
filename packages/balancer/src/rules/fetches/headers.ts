/**
 * Header access for the fetches: HAProxy's `hdr` splits values at commas (outside quotes) and trims
 * them; `fhdr` takes whole lines. Occurrence numbers count from 1, negative ones from the last (-1).
 * A HeaderCursor is made once per compiled fetch and walks the values without allocating closures.
 */
import type { HeadView } from '../head-view.ts';

export class HeaderCursor {
  private v: HeadView | null = null;
  private lower = '';
  private split = true;
  private slot = 0;
  private line = '';
  private pos = -1; // position in `line` of the next value; -1 = take the next header line

  start(v: HeadView, lower: string, split: boolean): this {
    this.v = v;
    this.lower = lower;
    this.split = split;
    this.slot = 0;
    this.pos = -1;
    return this;
  }

  /** The next value, or null at the end. */
  next(): string | null {
    const v = this.v!;
    for (;;) {
      if (this.pos < 0) {
        const size = v.size;
        while (this.slot < size && !(v.live(this.slot) && v.nameIs(this.slot, this.lower))) this.slot++;
        if (this.slot >= size) return null;
        this.line = v.valueAt(this.slot++);
        if (!this.split) return this.line;
        this.pos = 0;
      }
      const line = this.line;
      const start = this.pos;
      let quoted = false;
      let k = start;
      for (; k < line.length; k++) {
        const c = line.charCodeAt(k);
        if (c === 34) quoted = !quoted;
        else if (c === 92 && quoted) k++;
        else if (c === 44 && !quoted) break;
      }
      this.pos = k < line.length ? k + 1 : -1;
      return trim(line, start, Math.min(k, line.length));
    }
  }

  /** The occ-th value (1 = first, -1 = last, 0 = last), or null. */
  occ(v: HeadView, lower: string, split: boolean, occ: number): string | null {
    this.start(v, lower, split);
    if (occ > 0) {
      let n = 0;
      for (let x = this.next(); x !== null; x = this.next()) if (++n === occ) return x;
      return null;
    }
    if (occ === -1 || occ === 0) {
      let last: string | null = null;
      for (let x = this.next(); x !== null; x = this.next()) last = x;
      return last;
    }
    let total = 0;
    while (this.next() !== null) total++;
    const want = total + occ + 1;
    if (want < 1) return null;
    this.start(v, lower, split);
    let n = 0;
    for (let x = this.next(); x !== null; x = this.next()) if (++n === want) return x;
    return null;
  }

  count(v: HeadView, lower: string, split: boolean): number {
    this.start(v, lower, split);
    let n = 0;
    while (this.next() !== null) n++;
    return n;
  }
}

function trim(s: string, a: number, b: number): string {
  let i = a;
  let j = b;
  while (i < j && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  while (j > i && (s.charCodeAt(j - 1) === 32 || s.charCodeAt(j - 1) === 9)) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/**
 * Visits the value of every cookie `name` (every cookie when `name` is '') in a `Cookie` line
 * (`a=b; c=d`) or a `Set-Cookie` line (its first pair only); true as soon as visit is. HAProxy
 * compares cookie names case-sensitively.
 */
export function eachCookieIn(
  line: string,
  name: string,
  setCookie: boolean,
  visit: (value: string) => boolean,
): boolean {
  let i = 0;
  while (i < line.length) {
    let end = line.indexOf(';', i);
    if (end < 0) end = line.length;
    const eq = line.indexOf('=', i);
    if (eq >= 0 && eq < end) {
      const k = trim(line, i, eq);
      if ((name === '' || k === name) && visit(trim(line, eq + 1, end))) return true;
    }
    if (setCookie) return false;
    i = end + 1;
  }
  return false;
}
