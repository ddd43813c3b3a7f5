/** The request target as it stands (after path rewrites) and its parts, as HAProxy's fetches cut it. */
import type { RuleContext } from '../context.ts';

export function currentUri(c: RuleContext): string {
  if (c.uri !== null) return c.uri;
  const v = c.req;
  const h = v.head;
  if (h === null) return '';
  const ed = v.ed;
  c.uri = ed?.targetEdited() ? ed.target() : v.slice(h.uriStart, h.uriEnd);
  return c.uri;
}

export function currentPath(c: RuleContext): string {
  if (c.path === null) c.path = pathOf(currentUri(c));
  return c.path;
}

/** Where the path starts: after `scheme://authority` of an absolute URI, else 0. */
export function pathStart(uri: string): number {
  if (uri.charCodeAt(0) === 47 || uri === '*') return 0;
  const s = uri.indexOf('://');
  if (s < 0) return 0;
  const p = uri.indexOf('/', s + 3);
  return p < 0 ? uri.length : p;
}

export function pathOf(uri: string): string {
  const start = pathStart(uri);
  const q = uri.indexOf('?', start);
  return start === 0 && q < 0 ? uri : uri.slice(start, q < 0 ? uri.length : q);
}

export function pathqOf(uri: string): string {
  const start = pathStart(uri);
  return start === 0 ? uri : uri.slice(start);
}

/** The query string without `?`, null when there is no `?`. */
export function queryOf(uri: string): string | null {
  const q = uri.indexOf('?');
  return q < 0 ? null : uri.slice(q + 1);
}

/** `url_param(name[,delim])`: the value of the first parameter `name` after the `?` (null if absent). */
export function urlParam(uri: string, name: string, delim: string, from: number): string | null {
  const q = uri.indexOf('?');
  if (q < 0) return null;
  let i = Math.max(q + 1, from);
  const end = uri.length;
  while (i < end) {
    let e = i;
    while (e < end && !delim.includes(uri[e])) e++;
    const eq = uri.indexOf('=', i);
    if (name === '' || (eq === i + name.length && eq < e && uri.startsWith(name, i))) {
      return name === '' ? uri.slice(i, e) : uri.slice(eq + 1, e);
    }
    i = e + 1;
  }
  return null;
}
