/**
 * Log-format strings (configuration.txt §8.2.4): literal text, `%[sample,conv…]` expressions and the
 * `%` variables (`%ci`, `%ST`, `%{+Q}r`…), compiled once into a function of the context that builds
 * the string. Used by header values (`set-header`, `add-header`, `hdr`), `lf-string` bodies,
 * `use_backend %[…]` and redirect locations; the logging engine uses the same compiler.
 * An unknown variable is a compile error (RuleError), never silently printed as text.
 */
import { hostname } from 'node:os';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import { capturesBraced, capturesClf, encodeRequestLine } from '../log/access-formats.ts';
import { clfDate, gmtDate, logDate } from '../log/log-date.ts';
import type { LogRecord } from '../log/log-record.ts';
import type { RuleContext } from './context.ts';
import type { ConvEnv } from './converters/table.ts';
import { compileExpr, type Place, RuleError } from './expression.ts';
import { currentUri, pathOf, queryOf } from './fetches/uri.ts';
import { toStr } from './sample.ts';

export type Format = (c: RuleContext) => string;

type Part = (c: RuleContext) => string;

const HOST = hostname();

const ms = (from: number, to: number) => (from < 0 || to < 0 ? -1 : to - from);

/** The `%` variables; each returns its text ('' = print '-'). */
const VARIABLES: Record<string, (c: RuleContext) => string | number | null> = {
  ci: (c) => c.src,
  cp: (c) => c.srcPort,
  fi: (c) => c.dst,
  fp: (c) => c.dstPort,
  f: (c) => c.feName,
  // the frontend with HAProxy's transport mark: `NAME~` on a TLS connection
  ft: (c) => (c.tls === null ? c.feName : `${c.feName}~`),
  sslv: (c) => c.tls?.protocol ?? null,
  sslc: (c) => c.tls?.cipher ?? null,
  b: (c) => c.beName,
  s: (c) => (c.srvName === '' ? '<NOSRV>' : c.srvName),
  ST: (c) => (c.status !== 0 ? c.status : (c.tx?.status ?? 0)),
  B: (c) => c.tx?.bytesOut ?? 0,
  U: (c) => c.tx?.bytesIn ?? 0,
  Tq: (c) => (c.tx ? ms(c.tx.tStart, c.tx.tRequest) : -1),
  TR: (c) => (c.tx ? ms(c.tx.tStart, c.tx.tRequest) : -1),
  Tw: (c) => (c.tx ? ms(c.tx.tRequest, c.tx.tConnect) : -1),
  Tc: (c) => (c.tx ? ms(c.tx.tConnect, c.tx.tConnected) : -1),
  Tr: (c) => (c.tx ? ms(c.tx.tConnected, c.tx.tResponse) : -1),
  Tt: (c) => (c.tx ? ms(c.tx.tStart, c.tx.tEnd < 0 ? Date.now() : c.tx.tEnd) : -1),
  ts: (c) => c.tx?.terminationState() ?? '--',
  HM: (c) => c.method,
  HU: (c) => currentUri(c),
  HP: (c) => pathOf(currentUri(c)),
  HQ: (c) => {
    const q = queryOf(currentUri(c));
    return q === null ? '' : `?${q}`;
  },
  HV: (c) => `HTTP/1.${c.versionMinor}`,
  r: (c) => `${c.method} ${currentUri(c)} HTTP/1.${c.versionMinor}`,
  H: () => HOST,
  pid: () => process.pid,
  ID: () => null,
};

function quote(s: string): string {
  return `"${s.replace(/"/g, '\\"')}"`;
}

/** What scanFormat() reads in a format string, in order. */
interface FormatVisitor {
  /** literal text (`%%` already read as `%`) */
  text(t: string): void;
  /** a space, when separators are asked for (log lines) */
  sep(): void;
  /** `%NAME` or `%{FLAGS}NAME`: `letters` is the whole run of letters after the `%` or the flags */
  variable(letters: string, flags: string | null): void;
  /** `%[SRC]` or `%{FLAGS}[SRC]` */
  expr(src: string, flags: string | null): void;
}

/**
 * The one tokenizer of `%` formats (HAProxy's parse_logformat_string): literal text, `%%`, `%{flags}`,
 * `%[expr]` (brackets nested) and `%NAME`. With `separators` (log lines) each space is a
 * separator; in rule formats (header values, bodies) spaces are text. What a variable's letters and
 * the flags mean is the caller's: rule formats and log lines read them differently.
 */
function scanFormat(text: string, separators: boolean, on: FormatVisitor): void {
  let lit = '';
  const flush = () => {
    if (lit !== '') {
      on.text(lit);
      lit = '';
    }
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' && separators) {
      flush();
      on.sep();
      i++;
      continue;
    }
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    i++;
    let flags: string | null = null;
    if (text[i] === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) throw new RuleError(`missing '}' in log-format '${text}'`);
      flags = text.slice(i + 1, close);
      i = close + 1;
    }
    flush();
    if (text[i] === '[') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '[') depth++;
        else if (text[j] === ']' && --depth === 0) break;
      }
      if (j >= text.length) throw new RuleError(`missing ']' in log-format expression '${text.slice(i)}'`);
      on.expr(text.slice(i + 1, j), flags);
      i = j + 1;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(text.slice(i));
    if (!m) throw new RuleError(`unexpected character after '%' in log-format '${text}'`);
    i += m[0].length;
    on.variable(m[0], flags);
  }
  flush();
}

/**
 * `dash`: print `-` for a missing value, as log lines do; header values and bodies get nothing
 * instead (HAProxy 2.6 leaves a `return … hdr X %[missing]` line out).
 */
export function compileFormat(text: string, place: Place, env: ConvEnv, dash = false): Format {
  const none = dash ? '-' : '';
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit !== '') {
      const t = lit;
      parts.push(() => t);
      lit = '';
    }
  };
  scanFormat(text, false, {
    text(t) {
      lit += t;
    },
    sep() {},
    expr(src) {
      const parsed = parseSampleExpression(src);
      if (!parsed.ok) throw new RuleError(`failed to parse sample expression <${src}> : ${parsed.error}`);
      const expr = compileExpr(parsed.value, place, env);
      const one = expr.one;
      flush();
      parts.push((c) => {
        const s = toStr(one(c));
        // HAProxy 2.6 does not quote samples in header values (recorded): +Q applies to variables
        return s === null || s === '' ? none : s;
      });
    },
    variable(letters, flags) {
      let q = false;
      if (flags !== null) for (const f of flags.split(/(?=[+-])/)) if (f === '+Q') q = true;
      // longest known variable name at this position (`%Tq` vs `%T`); the letters after it are text
      let name = letters;
      while (name.length > 0 && VARIABLES[name] === undefined) name = name.slice(0, -1);
      if (name === '') throw new RuleError(`log-format variable '%${letters}' is not implemented yet`);
      const fn = VARIABLES[name];
      flush();
      parts.push((c) => {
        const v = fn(c);
        const s = v === null ? '' : String(v);
        if (s === '') return q ? '""' : none;
        return q ? quote(s) : s;
      });
      lit += letters.slice(name.length);
    },
  });
  flush();
  if (parts.length === 0) return () => '';
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (c) => a(c) + b(c);
  }
  return (c) => {
    let s = '';
    for (let k = 0; k < parts.length; k++) s += parts[k](c);
    return s;
  };
}

/** True when `text` has no `%` expression or variable: the value is a constant. */
export function isConstantFormat(text: string): boolean {
  return !/%[^%]/.test(text.replace(/%%/g, ''));
}

// ---------------------------------------------------------------- log lines

/**
 * A compiled access-log format: reads the exchange's LogRecord (the same values the built-in formats
 * print, log/access-formats.ts) and, for `%[sample]`, the session's rule context (`rec.ctx`).
 */
export type LogLine = (r: LogRecord) => string;

/** HAProxy's per-node options: +Q quote, +X hexadecimal, +E escape (`"`, `\`, `]`). */
const OPT_Q = 1;
const OPT_X = 2;
const OPT_E = 4;

type LogNode =
  | { kind: 'text'; text: string }
  | { kind: 'sep' }
  | { kind: 'var'; name: string; opts: number }
  | { kind: 'expr'; src: string; opts: number };

function parseOpts(flags: string, opts: number): number {
  for (const m of flags.matchAll(/([+-])([A-Z])/g)) {
    const bit = m[2] === 'Q' ? OPT_Q : m[2] === 'X' ? OPT_X : m[2] === 'E' ? OPT_E : 0;
    opts = m[1] === '+' ? opts | bit : opts & ~bit;
  }
  return opts;
}

/** parse_logformat_string's reading: text, separators (a run of spaces is one), `%` variables and `%[…]`. */
function parseLogFormat(text: string): LogNode[] {
  const out: LogNode[] = [];
  let global = 0;
  scanFormat(text, true, {
    text(t) {
      out.push({ kind: 'text', text: t });
    },
    sep() {
      // a run of spaces is one separator
      if (out.length === 0 || out[out.length - 1].kind !== 'sep') out.push({ kind: 'sep' });
    },
    expr(src, flags) {
      out.push({ kind: 'expr', src, opts: flags === null ? global : parseOpts(flags, global) });
    },
    variable(name, flags) {
      const opts = flags === null ? global : parseOpts(flags, global);
      if (name === 'o') {
        // `%{+Q}o`: the options of every variable after it
        global = opts;
        return;
      }
      if (LOG_VARIABLES[name] === undefined)
        throw new RuleError(
          `no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`,
        );
      out.push({ kind: 'var', name, opts });
    },
  });
  return out;
}

const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');

function ipHex(ip: string): string {
  if (ip.includes('.')) {
    let s = '';
    for (const p of ip.split('.')) s += hex(Number(p) & 255, 2);
    return s;
  }
  // IPv6: the 16 bytes
  const [head, tail = ''] = ip.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...a, ...Array(8 - a.length - b.length).fill('0'), ...b] : a;
  return groups.map((g) => hex(Number.parseInt(g, 16) || 0, 4)).join('');
}

function escapeLog(s: string): string {
  return s.replace(/["\\\]]/g, (m) => `\\${m}`);
}

/** A string field: `-` when empty (`""` quoted). */
function str(s: string | null | undefined, opts: number): string {
  if (s === null || s === undefined || s === '') return opts & OPT_Q ? '""' : '-';
  const v = opts & OPT_E ? escapeLog(s) : s;
  return opts & OPT_Q ? `"${v}"` : v;
}

const ip = (s: string, opts: number) => (s === '' ? '-' : opts & OPT_X ? ipHex(s) : str(s, opts));
const port = (n: number, opts: number) => (n === 0 ? '-' : opts & OPT_X ? hex(n, 4) : `${n}`);
const plusIf = (r: LogRecord) => (r.asap ? '+' : '');

/** The request line's parts as the log prints them (encoded, `<BADREQ>` when none was read). */
function reqPart(r: LogRecord, part: 'M' | 'U' | 'P' | 'PO' | 'Q' | 'V'): string {
  const line = encodeRequestLine(r.requestLine);
  if (line === '<BADREQ>' || line === '') return line;
  const sp1 = line.indexOf(' ');
  if (part === 'M') return sp1 < 0 ? line : line.slice(0, sp1);
  if (sp1 < 0) return '';
  const rest = line.slice(sp1 + 1);
  const sp2 = rest.indexOf(' ');
  const uri = sp2 < 0 ? rest : rest.slice(0, sp2);
  if (part === 'V') return sp2 < 0 ? '' : rest.slice(sp2 + 1);
  if (part === 'U') return uri;
  const q = uri.indexOf('?');
  if (part === 'Q') return q < 0 ? '' : uri.slice(q);
  const path = q < 0 ? uri : uri.slice(0, q);
  if (part === 'P') return path;
  // %HPO: without scheme and authority
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(path);
  return m ? path.slice(m[0].length) || '/' : path;
}

const p3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

function tq(r: LogRecord): number {
  return r.TR < 0 ? -1 : r.Th + r.Ti + r.TR;
}

/**
 * The log variables of HAProxy 2.6 (configuration.txt §8.2.4), over the record. Each returns the
 * text as HAProxy prints it; '' prints nothing (captures that are not configured).
 */
const LOG_VARIABLES: Record<string, (r: LogRecord, o: number) => string> = {
  ci: (r, o) => ip(r.clientIp, o),
  cp: (r, o) => port(r.clientPort, o),
  fi: (r, o) => ip(r.frontendIp, o),
  fp: (r, o) => port(r.frontendPort, o),
  bi: (r, o) => ip(r.backendIp, o),
  bp: (r, o) => port(r.backendPort, o),
  si: (r, o) => ip(r.serverIp, o),
  sp: (r, o) => port(r.serverPort, o),
  f: (r, o) => str(r.frontend, o),
  ft: (r, o) => str(r.tls === null ? r.frontend : `${r.frontend}~`, o),
  b: (r, o) => str(r.backend, o),
  s: (r, o) => str(r.server, o),
  H: (_r, o) => str(HOST, o),
  ID: (r, o) => str(r.uniqueId, o),
  ST: (r) => `${r.status}`,
  B: (r) => `${plusIf(r)}${r.bytesOut}`,
  U: (r) => `${r.bytesIn}`,
  CC: (_r, o) => str(null, o),
  CS: (_r, o) => str(null, o),
  hr: (r, o) => capturesBraced(r.reqCaptures, (o & OPT_Q) !== 0),
  hrl: (r, o) => capturesClf(r.reqCaptures, (o & OPT_Q) !== 0),
  hs: (r, o) => capturesBraced(r.resCaptures, (o & OPT_Q) !== 0),
  hsl: (r, o) => capturesClf(r.resCaptures, (o & OPT_Q) !== 0),
  r: (r, o) => str(encodeRequestLine(r.requestLine), o),
  HM: (r, o) => str(reqPart(r, 'M'), o),
  HU: (r, o) => str(reqPart(r, 'U'), o),
  HP: (r, o) => str(reqPart(r, 'P'), o),
  HPO: (r, o) => str(reqPart(r, 'PO'), o),
  // no query string: nothing at all (recorded), not `-`
  HQ: (r, o) => {
    const q = reqPart(r, 'Q');
    return q === '' ? '' : str(q, o);
  },
  HV: (r, o) => str(reqPart(r, 'V'), o),
  sslv: (r, o) => str(r.tls?.protocol, o),
  sslc: (r, o) => str(r.tls?.cipher, o),
  Th: (r) => `${r.Th}`,
  Ti: (r) => `${r.Ti}`,
  TR: (r) => `${r.TR}`,
  Tw: (r) => `${r.Tw}`,
  Tc: (r) => `${r.Tc}`,
  Tr: (r) => `${r.Tr}`,
  Ta: (r) => `${plusIf(r)}${r.Ta}`,
  Tt: (r) => `${plusIf(r)}${r.Tt}`,
  Tq: (r) => `${tq(r)}`,
  Td: (r) => {
    // mode tcp has no request or response phase: the data phase follows the connection
    if (r.mode === 'tcp') return `${r.Tw < 0 || r.Tc < 0 ? -1 : r.Tt - (r.Tw + r.Tc)}`;
    const q = tq(r);
    return `${q < 0 || r.Tw < 0 || r.Tc < 0 || r.Tr < 0 ? -1 : r.Tt - (q + r.Tw + r.Tc + r.Tr)}`;
  },
  Tu: (r) => `${plusIf(r)}${r.Tt - r.Ti}`,
  ts: (r) => `${r.termCause}${r.termPhase}`,
  tsc: (r) => `${r.termCause}${r.termPhase}${r.cookieReq}${r.cookieRes}`,
  ac: (r) => `${r.actconn}`,
  fc: (r) => `${r.feconn}`,
  bc: (r) => `${r.beconn}`,
  sc: (r) => `${r.srvconn}`,
  rc: (r) => (r.redispatched ? `+${r.retries}` : `${r.retries}`),
  sq: (r) => `${r.srvQueue}`,
  bq: (r) => `${r.beQueue}`,
  t: (r) => logDate(r.acceptDate),
  tr: (r) => logDate(r.requestDate),
  trg: (r) => gmtDate(r.requestDate),
  trl: (r) => clfDate(r.requestDate),
  T: (r) => gmtDate(r.acceptDate),
  Tl: (r) => clfDate(r.acceptDate),
  Ts: (r, o) => {
    const s = Math.floor(r.acceptDate / 1000);
    return o & OPT_X ? hex(s, 8) : `${s}`;
  },
  ms: (r, o) => {
    const v = Math.floor(r.acceptDate) % 1000;
    return o & OPT_X ? hex(v, 2) : p3(v);
  },
  pid: (_r, o) => (o & OPT_X ? hex(process.pid, 4) : `${process.pid}`),
  lc: (r) => `${r.logCount}`,
  rt: (r, o) => (o & OPT_X ? hex(r.requestCounter, 4) : `${r.requestCounter}`),
};

/** Variables a `mode tcp` proxy's log-format may not use (recorded: HAProxy's "reserved for HTTP mode"). */
const HTTP_ONLY = new Set([
  'CC',
  'CS',
  'r',
  'HM',
  'HP',
  'HPO',
  'HQ',
  'HU',
  'HV',
  'Ti',
  'TR',
  'Tr',
  'Ta',
  'Tq',
  'tr',
  'trg',
  'trl',
]);

/** The names `log-format` knows (for in-effect notes and tests). */
export const LOG_VARIABLE_NAMES: readonly string[] = Object.keys(LOG_VARIABLES);

/**
 * Compiles a `log-format` (or `unique-id-format`, `log-format-sd`) string as HAProxy builds a log
 * line (log.c sess_build_logline): a separator prints one space, and only after something was printed
 * (so `%hr` without captures leaves no double space); empty strings print `-`.
 */
export function compileLogFormat(text: string, env: ConvEnv, mode: 'http' | 'tcp' = 'http'): LogLine {
  type Piece = { sep: true } | { sep: false; fn: (r: LogRecord) => string };
  const pieces: Piece[] = [];
  for (const n of parseLogFormat(text)) {
    if (n.kind === 'var' && mode === 'tcp' && HTTP_ONLY.has(n.name))
      throw new RuleError(`format variable '${n.name}' is reserved for HTTP mode`);
    if (n.kind === 'sep') pieces.push({ sep: true });
    else if (n.kind === 'text') {
      const t = n.text;
      pieces.push({ sep: false, fn: () => t });
    } else if (n.kind === 'var') {
      const v = LOG_VARIABLES[n.name];
      const o = n.opts;
      pieces.push({ sep: false, fn: (r) => v(r, o) });
    } else {
      const parsed = parseSampleExpression(n.src);
      if (!parsed.ok) throw new RuleError(`failed to parse sample expression <${n.src}> : ${parsed.error}`);
      const one = compileExpr(parsed.value, 'any', env).one;
      const o = n.opts;
      pieces.push({ sep: false, fn: (r) => str(r.ctx === null ? null : toStr(one(r.ctx)), o) });
    }
  }
  return (r) => {
    let s = '';
    let lastSpace = true;
    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k];
      if (p.sep) {
        if (!lastSpace) {
          s += ' ';
          lastSpace = true;
        }
        continue;
      }
      const t = p.fn(r);
      if (t !== '') {
        s += t;
        lastSpace = false;
      }
    }
    return s;
  };
}
