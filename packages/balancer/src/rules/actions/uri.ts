/**
 * Request line rewrites: `set-method FMT`, `set-path FMT`, `set-pathq FMT`, `set-query FMT`,
 * `set-uri FMT`, and `replace-path` / `replace-pathq` / `replace-uri REGEX FMT` (the regex is matched
 * against the part; when it matches, the part becomes FMT with `\N` groups).
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import type { RuleContext } from '../context.ts';
import { currentUri, pathOf, pathStart, queryOf } from '../fetches/uri.ts';
import { compileFormat } from '../log-format.ts';
import { type ActionCompiler, CONTINUE } from './action.ts';
import { expandGroups } from './regex-replace.ts';

type Part = 'path' | 'pathq' | 'query' | 'uri';

/** Writes `value` as the new `part` of the request target. */
function write(c: RuleContext, part: Part, value: string): void {
  const ed = c.req.ed!;
  const uri = currentUri(c);
  const start = pathStart(uri);
  const prefix = uri.slice(0, start);
  if (part === 'path') {
    ed.setPath(prefix + value);
    ed.setQuery(queryOf(uri));
  } else if (part === 'pathq' || part === 'uri') {
    ed.setPath(part === 'uri' ? value : prefix + value);
    ed.setQuery(null);
  } else {
    const q = uri.indexOf('?');
    ed.setPath(q < 0 ? uri : uri.slice(0, q));
    ed.setQuery(value);
  }
  c.uri = null;
  c.path = null;
}

function read(c: RuleContext, part: Part): string {
  const uri = currentUri(c);
  if (part === 'path') return pathOf(uri);
  if (part === 'pathq') return uri.slice(pathStart(uri));
  if (part === 'query') return queryOf(uri) ?? '';
  return uri;
}

export const compileSetUri: ActionCompiler<
  Extract<
    HttpRule,
    { action: 'set-path' | 'set-pathq' | 'set-query' | 'set-uri' | 'set-method' | 'set-status-text' }
  >
> = (rule, env) => {
  const fmt = compileFormat(rule.format, env.place, env);
  if (rule.action === 'set-method')
    return (c) => {
      const m = fmt(c);
      c.method = m;
      c.req.ed!.setMethod(m);
      return CONTINUE;
    };
  const part: Part =
    rule.action === 'set-path'
      ? 'path'
      : rule.action === 'set-pathq'
        ? 'pathq'
        : rule.action === 'set-query'
          ? 'query'
          : 'uri';
  return (c) => {
    write(c, part, fmt(c));
    return CONTINUE;
  };
};

export const compileReplaceUri: ActionCompiler<
  Extract<HttpRule, { action: 'replace-path' | 'replace-pathq' | 'replace-uri' }>
> = (rule, env) => {
  const re = new RegExp(rule.regex);
  const fmt = compileFormat(rule.replace, env.place, env);
  const part: Part =
    rule.action === 'replace-path' ? 'path' : rule.action === 'replace-pathq' ? 'pathq' : 'uri';
  return (c) => {
    const m = re.exec(read(c, part));
    if (m !== null) write(c, part, expandGroups(fmt(c), m));
    return CONTINUE;
  };
};
