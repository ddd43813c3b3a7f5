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

/** A delimiter set as a table of the 256 byte values (code units above 255 are never delimiters). */
function delimTable(delims: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < delims.length; i++) t[delims.charCodeAt(i)] = 1;
  return t;
}
const isDelim = (c: number, t: Uint8Array): boolean => c < 256 && t[c] === 1;

/** A pattern without its leading and trailing delimiters (match_word ignores them), once at compile time. */
function trimDelims(pat: string, t: Uint8Array): string {
  let ps = 0;
  let pe = pat.length;
  while (ps < pe && isDelim(pat.charCodeAt(ps), t)) ps++;
  while (pe > ps && isDelim(pat.charCodeAt(pe - 1), t)) pe--;
  return pat.slice(ps, pe);
}

/** HAProxy's match_word: `p` (trimmed by trimDelims) appears in `hay` as a whole run of delimiter-separated words. */
function matchWord(hay: string, p: string, t: Uint8Array): boolean {
  const pl = p.length;
  if (pl > hay.length) return false;
  const end = hay.length - pl;
  let mayMatch = true;
  for (let c = 0; c <= end; c++) {
    if (isDelim(hay.charCodeAt(c), t)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    if (hay.startsWith(p, c) && (c === end || isDelim(hay.charCodeAt(c + pl), t))) return true;
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
    case 'bin':
      // the patterns are hexadecimal strings of the bytes (HAProxy's pat_parse_bin)
      return compileMatcher('str', patterns.map(hexBytes), false);
    case 'str': {
      const set = new Map<string, number>();
      for (let i = 0; i < patterns.length; i++) {
        const k = icase ? patterns[i].toLowerCase() : patterns[i];
        if (!set.has(k)) set.set(k, i);
      }
      if (set.size <= 4) {
        // a few patterns: comparing strings is cheaper than hashing a sample made for this request
        const keys = [...set.keys()];
        const at = [...set.values()];
        return (v) => {
          const s0 = toStr(v);
          if (s0 === null) return -1;
          const s = icase ? lower(s0) : s0;
          for (let i = 0; i < keys.length; i++) if (keys[i] === s) return at[i];
          return -1;
        };
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
      // one loop per method: a shared loop calling a test function is a megamorphic call per pattern
      if (method === 'beg')
        return (v) => {
          const s0 = toStr(v);
          if (s0 === null) return -1;
          const s = icase ? lower(s0) : s0;
          for (let i = 0; i < pats.length; i++) if (s.startsWith(pats[i])) return i;
          return -1;
        };
      if (method === 'end')
        return (v) => {
          const s0 = toStr(v);
          if (s0 === null) return -1;
          const s = icase ? lower(s0) : s0;
          for (let i = 0; i < pats.length; i++) if (s.endsWith(pats[i])) return i;
          return -1;
        };
      return (v) => {
        const s0 = toStr(v);
        if (s0 === null) return -1;
        const s = icase ? lower(s0) : s0;
        for (let i = 0; i < pats.length; i++) if (s.includes(pats[i])) return i;
        return -1;
      };
    }
    case 'dir':
    case 'dom': {
      const t = delimTable(method === 'dir' ? '/?' : '/?.:');
      const pats = patterns.map((p) => trimDelims(icase ? p.toLowerCase() : p, t));
      return (v) => {
        const s0 = toStr(v);
        if (s0 === null) return -1;
        const s = icase ? lower(s0) : s0;
        for (let i = 0; i < pats.length; i++) if (matchWord(s, pats[i], t)) return i;
        return -1;
      };
    }
  }
}

/** Reads a pattern file as HAProxy does: one pattern per line, leading blanks skipped, `#` comments, blank lines ignored. */
/** `-m bin` patterns: hexadecimal digits → the bytes they spell, as a latin1 string. */
function hexBytes(p: string): string {
  if (p.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(p))
    throw new PatternError(`'${p}' is not a valid hex string (write two hexadecimal digits per byte)`);
  return Buffer.from(p, 'hex').toString('latin1');
}

export function patternLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '').replace(/[ \t\r]+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}
