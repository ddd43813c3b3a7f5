/**
 * The converters (configuration.txt §7.3.1), one table. Each entry compiles its arguments once into a
 * function from the input sample to the output sample (null = the conversion failed, which makes the
 * whole expression yield nothing, as in HAProxy).
 */
import { crc32, djb2, sdbm, wt6 } from '../../backend/algorithms/hash-functions.ts';
import type { RuleContext } from '../context.ts';
import type { FetchEnv } from '../fetches/table.ts';
import { type Sample, type SampleType, toInt, toStr } from '../sample.ts';
import { ipMask, parseIp } from './ip.ts';
import { compileMap, type MapLoader } from './map.ts';

export type ConvFn = (v: Sample, c: RuleContext) => Sample;

export interface ConvEnv extends FetchEnv {
  /** reads a map file named in the configuration (resolved as HAProxy does) */
  loadMap: MapLoader;
}

export interface ConverterDef {
  out: SampleType;
  minArgs: number;
  maxArgs: number;
  compile(args: readonly string[], env: ConvEnv): ConvFn;
}

const str = (f: (s: string) => Sample, out: SampleType = 'str'): ConverterDef => ({
  out,
  minArgs: 0,
  maxArgs: 0,
  compile: () => (v) => {
    const s = toStr(v);
    return s === null ? null : f(s);
  },
});

function intArg(a: string | undefined, what: string): number {
  if (a === undefined || !/^-?\d+$/.test(a)) throw new Error(`${what} expects an integer, got '${a ?? ''}'`);
  return Number.parseInt(a, 10);
}

/** An arithmetic converter's argument: an integer, or a variable name read per request. */
function operand(a: string): (c: RuleContext) => number | null {
  const m = /^(proc|sess|txn|req|res)\.[A-Za-z0-9_.]+$/.exec(a);
  if (m) {
    const scope = m[1];
    return (c) => toInt(c.vars(scope).get(a) ?? null);
  }
  const n = intArg(a, 'this converter');
  return () => n;
}

function arith(op: (a: number, b: number) => number | null): ConverterDef {
  return {
    out: 'int',
    minArgs: 1,
    maxArgs: 1,
    compile(args) {
      const b = operand(args[0]);
      return (v, c) => {
        const a = toInt(v);
        const y = b(c);
        if (a === null || y === null) return null;
        return op(a, y);
      };
    },
  };
}

const int1 = (f: (n: number) => Sample, out: SampleType = 'int'): ConverterDef => ({
  out,
  minArgs: 0,
  maxArgs: 0,
  compile: () => (v) => {
    const n = toInt(v);
    return n === null ? null : f(n);
  },
});

function hash(f: (b: Uint8Array, s: number, e: number) => number): ConverterDef {
  return {
    out: 'int',
    minArgs: 0,
    maxArgs: 1,
    compile(args) {
      const avalanche = args[0] !== undefined && args[0] !== '' && args[0] !== '0';
      return (v) => {
        const s = toStr(v);
        if (s === null) return null;
        const b = Buffer.from(s, 'latin1');
        let h = f(b, 0, b.length) >>> 0;
        if (avalanche) h = fullHashAvalanche(h);
        return h;
      };
    },
  };
}

/** HAProxy's full_hash (Bob Jenkins' 32-bit integer hash), as hash-functions.ts' fullHash. */
function fullHashAvalanche(a0: number): number {
  let a = a0 >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  return a;
}

/** `field(index,delimiters[,count])` and `word(…)`: HAProxy's sample_conv_field_check semantics. */
function field(words: boolean): ConverterDef {
  return {
    out: 'str',
    minArgs: 2,
    maxArgs: 3,
    compile(args) {
      const index = intArg(args[0], `'${words ? 'word' : 'field'}' index`);
      if (index === 0) throw new Error('index must be different from 0');
      const delims = args[1];
      const count = args[2] === undefined ? 1 : intArg(args[2], 'count');
      return (v) => {
        const s = toStr(v);
        if (s === null) return null;
        const isDelim = (ch: string) => delims.includes(ch);
        // split keeping positions
        const parts: string[] = [];
        if (words) {
          let cur = '';
          for (const ch of s) {
            if (isDelim(ch)) {
              if (cur !== '') parts.push(cur);
              cur = '';
            } else cur += ch;
          }
          if (cur !== '') parts.push(cur);
        } else {
          let cur = '';
          for (const ch of s) {
            if (isDelim(ch)) {
              parts.push(cur);
              cur = '';
            } else cur += ch;
          }
          parts.push(cur);
        }
        const joiner = words ? delims[0] : delims[0];
        let from: number;
        let to: number;
        if (index > 0) {
          from = index - 1;
          to = count === 0 ? parts.length : from + count;
        } else {
          to = parts.length + index + 1;
          from = count === 0 ? 0 : to - count;
        }
        if (from < 0) from = 0;
        if (to > parts.length) to = parts.length;
        if (from >= parts.length || to <= from) return '';
        return parts.slice(from, to).join(joiner);
      };
    },
  };
}

function jsonEscape(s: string, mode: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f) out += '\\/';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || (c > 0x7e && mode === 'ascii')) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return out;
}

function urlDecode(s: string, inQuery: boolean): string | null {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(h)) return null;
      out += String.fromCharCode(Number.parseInt(h, 16));
      i += 2;
    } else if (ch === '+' && inQuery) out += ' ';
    else out += ch;
  }
  return out;
}

function regsub(): ConverterDef {
  return {
    out: 'str',
    minArgs: 2,
    maxArgs: 3,
    compile(args) {
      const flags = args[2] ?? '';
      const re = new RegExp(args[0], `${flags.includes('i') ? 'i' : ''}${flags.includes('g') ? 'g' : ''}`);
      const subst = args[1].replace(/\\([0-9])/g, '$$$1');
      return (v) => {
        const s = toStr(v);
        if (s === null) return null;
        re.lastIndex = 0;
        return s.replace(re, subst);
      };
    },
  };
}

export const CONVERTERS: ReadonlyMap<string, ConverterDef> = new Map<string, ConverterDef>([
  ['lower', str((s) => s.toLowerCase())],
  ['upper', str((s) => s.toUpperCase())],
  ['length', str((s) => s.length, 'int')],
  [
    'ltrim',
    { out: 'str', minArgs: 1, maxArgs: 1, compile: (a) => (v) => trimSet(toStr(v), a[0], true, false) },
  ],
  [
    'rtrim',
    { out: 'str', minArgs: 1, maxArgs: 1, compile: (a) => (v) => trimSet(toStr(v), a[0], false, true) },
  ],
  ['hex', str((s) => Buffer.from(s, 'latin1').toString('hex').toUpperCase())],
  ['base64', str((s) => Buffer.from(s, 'latin1').toString('base64'))],
  ['b64dec', str((s) => Buffer.from(s, 'base64').toString('latin1'))],
  [
    'url_dec',
    {
      out: 'str',
      minArgs: 0,
      maxArgs: 1,
      compile: (a) => (v) => {
        const s = toStr(v);
        return s === null ? null : urlDecode(s, a[0] === '1');
      },
    },
  ],
  [
    'json',
    {
      out: 'str',
      minArgs: 0,
      maxArgs: 1,
      compile: (a) => (v) => {
        const s = toStr(v);
        return s === null ? null : jsonEscape(s, a[0] ?? 'ascii');
      },
    },
  ],
  ['regsub', regsub()],
  ['field', field(false)],
  ['word', field(true)],
  [
    'bytes',
    {
      out: 'bin',
      minArgs: 1,
      maxArgs: 2,
      compile(args) {
        const off = intArg(args[0], "'bytes' offset");
        const len = args[1] === undefined ? null : intArg(args[1], "'bytes' length");
        return (v) => {
          const s = toStr(v);
          if (s === null || off > s.length) return null;
          return len === null ? s.slice(off) : s.slice(off, off + len);
        };
      },
    },
  ],
  [
    'concat',
    {
      out: 'str',
      minArgs: 1,
      maxArgs: 3,
      compile(args) {
        const pre = args[0] ?? '';
        const vname = args[1] ?? '';
        const post = args[2] ?? '';
        const scope = vname === '' ? null : vname.slice(0, vname.indexOf('.'));
        return (v, c) => {
          const s = toStr(v);
          if (s === null) return null;
          const mid = scope === null ? '' : (toStr(c.vars(scope).get(vname) ?? null) ?? '');
          return s + pre + mid + post;
        };
      },
    },
  ],
  ['add', arith((a, b) => a + b)],
  ['sub', arith((a, b) => a - b)],
  ['mul', arith((a, b) => a * b)],
  ['div', arith((a, b) => (b === 0 ? 2 ** 63 - 1 : Math.trunc(a / b)))],
  ['mod', arith((a, b) => (b === 0 ? 0 : a % b))],
  ['and', arith((a, b) => Number(BigInt(a) & BigInt(b)))],
  ['or', arith((a, b) => Number(BigInt(a) | BigInt(b)))],
  ['xor', arith((a, b) => Number(BigInt(a) ^ BigInt(b)))],
  ['neg', int1((n) => -n)],
  ['not', int1((n) => (n === 0 ? 1 : 0), 'bool')],
  ['bool', int1((n) => n !== 0, 'bool')],
  ['odd', int1((n) => (n & 1) === 1, 'bool')],
  ['even', int1((n) => (n & 1) === 0, 'bool')],
  ['djb2', hash(djb2)],
  ['sdbm', hash(sdbm)],
  ['wt6', hash(wt6)],
  ['crc32', hash(crc32)],
  [
    'ipmask',
    {
      out: 'ip',
      minArgs: 1,
      maxArgs: 2,
      compile(args) {
        const m4 = maskBits(args[0], 32);
        const m6 = args[1] === undefined ? null : maskBits(args[1], 128);
        return (v) => {
          const s = toStr(v);
          if (s === null) return null;
          const ip = parseIp(s);
          if (ip === null) return null;
          if (ip.length === 4) return ipMask(ip, m4);
          return m6 === null ? null : ipMask(ip, m6);
        };
      },
    },
  ],
  [
    'host_only',
    str((s) => {
      if (s.startsWith('[')) {
        const e = s.indexOf(']');
        return e < 0 ? s : s.slice(0, e + 1);
      }
      const colon = s.indexOf(':');
      return colon < 0 ? s : s.slice(0, colon);
    }),
  ],
  [
    'port_only',
    str((s) => {
      const start = s.startsWith('[') ? s.indexOf(']') : 0;
      const colon = s.indexOf(':', start);
      if (colon < 0) return null;
      const n = Number.parseInt(s.slice(colon + 1), 10);
      return Number.isNaN(n) ? null : n;
    }, 'int'),
  ],
  ...mapConverters(),
]);

function trimSet(s: string | null, set: string, left: boolean, right: boolean): string | null {
  if (s === null) return null;
  let i = 0;
  let j = s.length;
  if (left) while (i < j && set.includes(s[i])) i++;
  if (right) while (j > i && set.includes(s[j - 1])) j--;
  return s.slice(i, j);
}

function maskBits(a: string, max: number): number {
  if (/^\d+$/.test(a)) {
    const n = Number(a);
    if (n > max) throw new Error(`mask '${a}' is too long`);
    return n;
  }
  const ip = parseIp(a);
  if (ip === null) throw new Error(`'${a}' is not a valid mask`);
  let bits = 0;
  for (const b of ip) {
    for (let k = 7; k >= 0; k--) {
      if (b & (1 << k)) bits++;
      else return bits;
    }
  }
  return bits;
}

function mapConverters(): [string, ConverterDef][] {
  const out: [string, ConverterDef][] = [];
  for (const m of ['', '_str', '_beg', '_sub', '_dir', '_dom', '_end', '_reg', '_int', '_ip']) {
    for (const o of ['', '_str', '_int', '_ip']) {
      const name = `map${m}${o}`;
      const method = m === '' ? 'str' : m.slice(1);
      const outType = o === '' ? 'str' : o.slice(1);
      out.push([
        name,
        {
          out: outType === 'int' ? 'int' : outType === 'ip' ? 'ip' : 'str',
          minArgs: 1,
          maxArgs: 2,
          compile: (args, env) => compileMap(method, outType, args[0], args[1] ?? null, env.loadMap),
        },
      ]);
    }
  }
  return out;
}
