/**
 * Log-format strings (configuration.txt §8.2.4): literal text, `%[sample,conv…]` expressions and the
 * `%` variables (`%ci`, `%ST`, `%{+Q}r`…), compiled once into a function of the context that builds
 * the string. Used by header values (`set-header`, `add-header`, `hdr`), `lf-string` bodies,
 * `use_backend %[…]` and redirect locations; the logging engine uses the same compiler.
 * An unknown variable is a compile error (RuleError), never silently printed as text.
 */
import { hostname } from 'node:os';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
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
  ft: (c) => c.feName,
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

/**
 * `dash`: print `-` for a missing value, as log lines do; header values and bodies get nothing
 * instead (HAProxy 2.6 leaves a `return … hdr X %[missing]` line out).
 */
export function compileFormat(text: string, place: Place, env: ConvEnv, dash = false): Format {
  const none = dash ? '-' : '';
  const parts: Part[] = [];
  let lit = '';
  let i = 0;
  const flush = () => {
    if (lit !== '') {
      const t = lit;
      parts.push(() => t);
      lit = '';
    }
  };
  while (i < text.length) {
    const ch = text[i];
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
    let q = false;
    if (text[i] === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) throw new RuleError(`missing '}' in log-format '${text}'`);
      const flags = text.slice(i + 1, close).split(/(?=[+-])/);
      for (const f of flags) if (f === '+Q') q = true;
      i = close + 1;
    }
    if (text[i] === '[') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '[') depth++;
        else if (text[j] === ']' && --depth === 0) break;
      }
      if (j >= text.length) throw new RuleError(`missing ']' in log-format expression '${text.slice(i)}'`);
      const src = text.slice(i + 1, j);
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
      i = j + 1;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(text.slice(i));
    if (!m) throw new RuleError(`unexpected character after '%' in log-format '${text}'`);
    // longest known variable name at this position (`%Tq` vs `%T`)
    let name = m[0];
    while (name.length > 0 && VARIABLES[name] === undefined) name = name.slice(0, -1);
    if (name === '') throw new RuleError(`log-format variable '%${m[0]}' is not implemented yet`);
    const fn = VARIABLES[name];
    flush();
    parts.push((c) => {
      const v = fn(c);
      const s = v === null ? '' : String(v);
      if (s === '') return q ? '""' : none;
      return q ? quote(s) : s;
    });
    i += name.length;
  }
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
