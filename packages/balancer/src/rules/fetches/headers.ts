/**
 * Header access for the fetches: HAProxy's `hdr` splits values at commas (outside quotes) and trims
 * them; `fhdr` takes whole lines. Occurrence numbers count from 1, negative ones from the last (-1).
 * A HeaderCursor is made once per compiled fetch and walks the values without allocating closures.
 */
import { type HeadView, hashOfLower } from '../head-view.ts';

export class HeaderCursor {
  private v: HeadView | null = null;
  private lower = '';
  private hash = 0;
  private split = true;
  private slot = 0;
  private line = '';
  private pos = -1; // position in `line` of the next value; -1 = take the next header line

  start(v: HeadView, lower: string, split: boolean): this {
    this.v = v;
    if (lower !== this.lower) {
      this.lower = lower;
      this.hash = hashOfLower(lower);
    }
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
        const i = v.find(this.slot, this.lower, this.hash);
        if (i < 0) return null;
        this.slot = i + 1;
        this.line = v.valueAt(i);
        if (!this.split) return this.line;
        this.pos = 0;
      }
      const line = this.line;
      const start = this.pos;
      let k = line.indexOf(',', start);
      if (k < 0) k = line.length;
      const q = line.indexOf('"', start);
      if (q >= 0 && q < k) {
        // a quoted string before the comma: commas inside it do not split
        let quoted = false;
        for (k = start; k < line.length; k++) {
          const c = line.charCodeAt(k);
          if (c === 34) quoted = !quoted;
          else if (c === 92 && quoted) k++;
          else if (c === 44 && !quoted) break;
        }
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
  const len = line.length;
  while (i < len) {
    let end = line.indexOf(';', i);
    if (end < 0) end = len;
    let a = i;
    while (a < end && (line.charCodeAt(a) === 32 || line.charCodeAt(a) === 9)) a++;
    const eq = line.indexOf('=', a);
    if (eq >= 0 && eq < end) {
      // compare the name in place: no string is made for the cookies that do not match
      let b = eq;
      while (b > a && (line.charCodeAt(b - 1) === 32 || line.charCodeAt(b - 1) === 9)) b--;
      if (
        (name === '' || (b - a === name.length && line.startsWith(name, a))) &&
        visit(trim(line, eq + 1, end))
      )
        return true;
    }
    if (setCookie) return false;
    i = end + 1;
  }
  return false;
}
