/**
 * Pattern matching (configuration.txt §7.1.3 "Matching methods"): one compiled matcher per ACL or map,
 * returning the index of the first pattern the sample matches (-1 for none), so maps can give the
 * value that goes with it. Patterns are prepared once: lower-cased for -i, regexes built, integer
 * ranges and networks parsed; a `str` list is a hash set.
 */
import { type Net, netContains, parseIp, parseNet } from './converters/ip.ts';
import { type Sample, toBool, toInt, toStr } from './sample.ts';

export type MatchMethod =
  | 'found'
  | 'bool'
  | 'int'
  | 'ip'
  | 'bin'
  | 'len'
  | 'str'
  | 'sub'
  | 'reg'
  | 'beg'
  | 'end'
  | 'dir'
  | 'dom';

export type Matcher = (v: Sample) => number;

/** Thrown with HAProxy-like wording when a pattern cannot be read; the caller adds file:line. */
export class PatternError extends Error {}

interface IntRange {
  min: number;
  max: number;
}

/** `N`, `N:M`, `N:`, `:M`, and the operators `eq|ge|gt|le|lt N` (they consume the next word). */
function intRanges(patterns: readonly string[]): { ranges: IntRange[]; index: number[] } {
  const ranges: IntRange[] = [];
  const index: number[] = [];
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    const op = ['eq', 'ge', 'gt', 'le', 'lt'].includes(p) ? p : null;
    if (op !== null) {
      const n = Number.parseInt(patterns[++i] ?? '', 10);
      if (Number.isNaN(n)) throw new PatternError(`'${patterns[i] ?? ''}' is not a number`);
      const r =
        op === 'eq'
          ? { min: n, max: n }
          : op === 'ge'
            ? { min: n, max: Infinity }
            : op === 'gt'
              ? { min: n + 1, max: Infinity }
              : op === 'le'
                ? { min: -Infinity, max: n }
                : { min: -Infinity, max: n - 1 };
      ranges.push(r);
      index.push(i - 1);
      continue;
    }
    const m = /^(-?\d+)?(:)?(-?\d+)?$/.exec(p);
    if (!m || (m[1] === undefined && m[3] === undefined)) {
      throw new PatternError(`'${p}' is neither a number nor a supported operator.`);
    }
    const lo = m[1] === undefined ? -Infinity : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === undefined ? Infinity : Number(m[3]);
    ranges.push({ min: lo, max: hi });
    index.push(i);
  }
  return { ranges, index };
}

function isDelim(c: number, delims: string): boolean {
  for (let i = 0; i < delims.length; i++) if (delims.charCodeAt(i) === c) return true;
  return false;
}

/** HAProxy's match_word: `pat` appears in `s` as a whole run of delimiter-separated words. */
function matchWord(s: string, pat: string, icase: boolean, delims: string): boolean {
  let ps = 0;
  let pl = pat.length;
  while (pl > 0 && isDelim(pat.charCodeAt(ps), delims)) {
    ps++;
    pl--;
  }
  while (pl > 0 && isDelim(pat.charCodeAt(ps + pl - 1), delims)) pl--;
  const p = pat.slice(ps, ps + pl);
  if (pl > s.length) return false;
  const hay = icase ? lower(s) : s;
  const end = s.length - pl;
  let mayMatch = true;
  for (let c = 0; c <= end; c++) {
    if (isDelim(hay.charCodeAt(c), delims)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    if (hay.startsWith(p, c) && (c === end || isDelim(hay.charCodeAt(c + pl), delims))) return true;
    mayMatch = false;
  }
  return false;
}

// several -i ACLs often read the same value (Host): remember the last lower-casing
let lowerIn = '';
let lowerOut = '';
function lower(s: string): string {
  if (s !== lowerIn) {
    lowerIn = s;
    lowerOut = s.toLowerCase();
  }
  return lowerOut;
}

/** Compiles `patterns` for `method`. */
export function compileMatcher(method: MatchMethod, patterns: readonly string[], icase: boolean): Matcher {
  switch (method) {
    case 'found':
      return (v) => (v === null ? -1 : 0);
    case 'bool':
      return (v) => (v !== null && toBool(v) ? 0 : -1);
    case 'int':
    case 'len': {
      const { ranges, index } = intRanges(patterns);
      const len = method === 'len';
      return (v) => {
        if (v === null) return -1;
        let n: number | null;
        if (len) {
          const s = toStr(v);
          n = s === null ? null : s.length;
        } else n = toInt(v);
        if (n === null) return -1;
        for (let i = 0; i < ranges.length; i++) if (n >= ranges[i].min && n <= ranges[i].max) return index[i];
        return -1;
      };
    }
    case 'ip': {
      const nets: Net[] = patterns.map((p) => {
        const n = parseNet(p);
        if (n === null) throw new PatternError(`'${p}' is not a valid IPv4 or IPv6 address.`);
        return n;
      });
      return (v) => {
        const s = toStr(v);
        if (s === null) return -1;
        const ip = parseIp(s);
        if (ip === null) return -1;
        for (let i = 0; i < nets.length; i++) if (netContains(nets[i], ip)) return i;
        return -1;
      };
    }
    case 'str':
    case 'bin': {
      const set = new Map<string, number>();
      for (let i = 0; i < patterns.length; i++) {
        const k = icase ? patterns[i].toLowerCase() : patterns[i];
        if (!set.has(k)) set.set(k, i);
      }
      return (v) => {
        const s = toStr(v);
        if (s === null) return -1;
        return set.get(icase ? lower(s) : s) ?? -1;
      };
    }
    case 'reg': {
      const res = patterns.map((p) => {
        try {
          return new RegExp(p, icase ? 'i' : '');
        } catch (e) {
          throw new PatternError(`regex '${p}' is invalid: ${(e as Error).message}`);
        }
      });
      return (v) => {
        const s = toStr(v);
        if (s === null) return -1;
        for (let i = 0; i < res.length; i++) if (res[i].test(s)) return i;
        return -1;
      };
    }
    case 'beg':
    case 'end':
    case 'sub': {
      const pats = icase ? patterns.map((p) => p.toLowerCase()) : patterns.slice();
      const test =
        method === 'beg'
          ? (s: string, p: string) => s.startsWith(p)
          : method === 'end'
            ? (s: string, p: string) => s.endsWith(p)
            : (s: string, p: string) => s.includes(p);
      return (v) => {
        const s0 = toStr(v);
        if (s0 === null) return -1;
        const s = icase ? lower(s0) : s0;
        for (let i = 0; i < pats.length; i++) if (test(s, pats[i])) return i;
        return -1;
      };
    }
    case 'dir':
    case 'dom': {
      const delims = method === 'dir' ? '/?' : '/?.:';
      const pats = icase ? patterns.map((p) => p.toLowerCase()) : patterns.slice();
      return (v) => {
        const s = toStr(v);
        if (s === null) return -1;
        for (let i = 0; i < pats.length; i++) if (matchWord(s, pats[i], icase, delims)) return i;
        return -1;
      };
    }
  }
}

/** Reads a pattern file as HAProxy does: one pattern per line, leading blanks skipped, `#` comments, blank lines ignored. */
export function patternLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}
