/**
 * HTTP checks, pure: the request bytes a check sends (`option httpchk`, its legacy `\r\n`-in-version
 * form, `http-check send`) and what a response means (`http-check expect`, or 2xx/3xx by default).
 * The request is HAProxy 2.6's as recorded in test/checks-expected.json (`requests`): header names in
 * lower case (HTX), `content-length` for a body, `connection: close` added for HTTP/1.1.
 */
import type { CheckResult } from './check-result.ts';
import type { HttpExpect } from './check-spec.ts';

export interface HttpCheckRequest {
  method: string;
  uri: string;
  version: string;
  headers: [string, string][];
  body: string;
}

/** `Host: www\r\nX-Y: z[\r\n\r\nbody]` written after the version in `option httpchk` (deprecated form). */
export function parseLegacyExtra(extra: string): { headers: [string, string][]; body: string } {
  const blank = extra.indexOf('\r\n\r\n');
  const head = blank >= 0 ? extra.slice(0, blank) : extra;
  const body = blank >= 0 ? extra.slice(blank + 4) : '';
  const headers: [string, string][] = [];
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

export function buildHttpRequest(r: HttpCheckRequest): Buffer {
  let head = `${r.method} ${r.uri} ${r.version}\r\n`;
  for (const [name, value] of r.headers) head += `${name.toLowerCase()}: ${value}\r\n`;
  if (r.body !== '') head += `content-length: ${Buffer.byteLength(r.body, 'latin1')}\r\n`;
  if (r.version.toUpperCase() === 'HTTP/1.1') head += 'connection: close\r\n';
  return Buffer.from(`${head}\r\n${r.body}`, 'latin1');
}

/** `200`, `200-399`, `200,302,400-499` → ranges. */
export function parseStatusList(s: string): [number, number][] | null {
  const out: [number, number][] = [];
  for (const part of s.split(',')) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!m) return null;
    out.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  return out;
}

export interface HttpResponse {
  status: number;
  reason: string;
  /** the body once complete (Content-Length, chunked or closed), null while incomplete */
  body: string | null;
}

/**
 * Parses what arrived so far. `ended`: the server closed. Returns null while more is needed, or
 * 'invalid' for bytes that are not an HTTP/1.x response.
 */
export function parseHttpResponse(data: string, ended: boolean): HttpResponse | 'invalid' | null {
  const headEnd = data.indexOf('\r\n\r\n');
  const lineEnd = data.indexOf('\r\n');
  if (lineEnd < 0 || headEnd < 0) {
    if (data.length > 0 && !/^(?:H(?:T(?:T(?:P(?:\/(?:1(?:\.\d?)?)?)?)?)?)?)$/.test(data.slice(0, 8)))
      return 'invalid';
    return ended ? 'invalid' : null;
  }
  const m = /^HTTP\/1\.\d (\d{3})(?: (.*))?$/.exec(data.slice(0, lineEnd));
  if (!m) return 'invalid';
  const status = Number(m[1]);
  const reason = m[2] ?? '';
  const head = data.slice(lineEnd + 2, headEnd).toLowerCase();
  const rest = data.slice(headEnd + 4);
  let body: string | null = null;
  const cl = /(?:^|\r\n)content-length: *(\d+)/.exec(head);
  if (/(?:^|\r\n)transfer-encoding: *[^\r\n]*chunked/.test(head)) body = dechunk(rest);
  else if (cl) body = rest.length >= Number(cl[1]) ? rest.slice(0, Number(cl[1])) : ended ? rest : null;
  else if (status === 204 || status === 304 || status < 200) body = '';
  else body = ended ? rest : null;
  return { status, reason, body };
}

function dechunk(s: string): string | null {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = Number.parseInt(s.slice(i, eol).split(';')[0], 16);
    if (Number.isNaN(size)) return out;
    if (size === 0) return out;
    if (s.length < eol + 2 + size + 2) return null;
    out += s.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

/** Does this expect rule need the body (string/rstring) or only the status? */
export function needsBody(expects: readonly HttpExpect[]): boolean {
  return expects.some((e) => e.match === 'string' || e.match === 'rstring');
}

/**
 * A complete response judged: with no `http-check expect`, 2xx and 3xx pass (L7OK) and anything else is
 * L7STS with the reason phrase as info; each expect rule must pass in turn (a failed status rule is
 * L7STS, a failed body rule L7RSP "HTTP content check did not match", as haproxy 2.6 reports them).
 */
export function judgeResponse(
  res: HttpResponse,
  expects: readonly HttpExpect[],
  durationMs: number,
): CheckResult {
  const ok: CheckResult = { status: 'L7OK', code: res.status, info: '', durationMs };
  if (expects.length === 0)
    return res.status >= 200 && res.status < 400
      ? ok
      : { status: 'L7STS', code: res.status, info: res.reason, durationMs };
  for (const e of expects) {
    let hit: boolean;
    if (e.match === 'status') hit = (e.codes ?? []).some(([a, b]) => res.status >= a && res.status <= b);
    else if (e.match === 'rstatus') hit = e.regex!.test(String(res.status));
    else if (e.match === 'string') hit = (res.body ?? '').includes(e.pattern);
    else hit = e.regex!.test(res.body ?? '');
    if (hit !== e.negate) continue;
    if (e.match === 'status' || e.match === 'rstatus')
      return { status: 'L7STS', code: res.status, info: res.reason, durationMs };
    return { status: 'L7RSP', code: res.status, info: 'HTTP content check did not match', durationMs };
  }
  return ok;
}
