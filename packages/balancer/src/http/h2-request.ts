/**
 * An HTTP/2 request's header list as the HTTP/1.1 head the request path reads (one path, two framings),
 * rebuilt the way HAProxy 2.6 turns an HTTP/2 request into HTTP/1.1 for a server (recorded in
 * test/h2-expected.json): `METHOD :path HTTP/1.1`, a `host` from `:authority` first, the other fields in
 * order, cookie crumbs (RFC 9113 §8.2.3) joined with `; ` into one `cookie` field at the end. A body of
 * unknown length goes chunked to the server (the session adds `transfer-encoding` last, after the rules).
 * Node's nghttp2 has already refused connection-specific fields, uppercase names and malformed
 * pseudo-headers; `te` can only be `trailers`, which is passed on. What nghttp2 lets through and an
 * HTTP/1.1 head cannot carry is refused here (RFC 9113 §8.2.1, as HAProxy refuses it: recorded in
 * test/h2-strict-expected.json): a name that is not a lower-case token, a value with NUL, CR or LF
 * (which would inject a header line), a path with a space or a control.
 */

import { newWsKey } from './ws-key.ts';

// tchar without upper-case letters (RFC 9110 §5.6.2, RFC 9113 §8.2.1)
const NAME = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) NAME[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) NAME[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") NAME[ch.charCodeAt(0)] = 1;

function isName(s: string, from: number): boolean {
  if (s.length <= from) return false;
  for (let i = from; i < s.length; i++)
    if (NAME[s.charCodeAt(i) & 0xff] !== 1 || s.charCodeAt(i) > 0xff) return false;
  return true;
}

function isValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}

/** request-target bytes an HTTP/1.1 request line carries (head-parser.ts refuses the others) */
function isPath(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * h1RequestOf's refusals: a plain CONNECT is not tunnelled (REFUSED_STREAM); a malformed request
 * (PROTOCOL_ERROR). An extended CONNECT (RFC 8441, `:protocol`) is forwarded as an HTTP/1.1 Upgrade.
 */
export const H2_CONNECT = 0;
export const H2_MALFORMED = 1;

export interface H1Request {
  /** the head, CRLF-terminated, latin1 */
  head: Buffer;
  method: string;
  /** the request line as HAProxy 2.6 logs an HTTP/2 request (recorded) */
  logLine: string;
  /** a body follows and no content-length says how long */
  chunkedBody: boolean;
  /** the `:protocol` of an extended CONNECT (RFC 8441), sent on as `upgrade`; null otherwise */
  upgradeTo: string | null;
  /**
   * the Sec-WebSocket-Key made up for a WebSocket extended CONNECT that carried none (HTTP/2 has no
   * key), sent last; the server's Sec-WebSocket-Accept must match it (HAProxy 2.6, recorded)
   */
  wsKey: string | null;
  /** `:scheme` and `:authority` when there is an authority (for an HTTP/2 server), else null */
  origin: { scheme: string; authority: string } | null;
}

/**
 * `raw` is Node's flat list [name, value, name, value, …] (names lower-case, pseudo-headers first);
 * `endStream`: the HEADERS frame ended the stream (no body). H2_CONNECT or H2_MALFORMED when the
 * request is not forwarded.
 */
export function h1RequestOf(raw: readonly string[], endStream: boolean): H1Request | number {
  let method = '';
  let path = '';
  let authority: string | null = null;
  let scheme = '';
  let lines = '';
  let cookie: string | null = null;
  let hasLength = false;
  let protocol: string | null = null;
  let hasKey = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (!isValue(value)) return H2_MALFORMED;
    if (name.charCodeAt(0) === 0x3a) {
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      else if (name === ':scheme') scheme = value;
      else if (name === ':protocol') protocol = value;
      continue;
    }
    if (!isName(name, 0)) return H2_MALFORMED;
    if (name === 'cookie') {
      cookie = cookie === null ? value : `${cookie}; ${value}`;
      continue;
    }
    if (name === 'host' && authority !== null) continue;
    if (name === 'content-length') hasLength = true;
    else if (name === 'sec-websocket-key') hasKey = true;
    lines += `${name}: ${value}\r\n`;
  }
  if (method === 'CONNECT') {
    // (nghttp2 has refused `:protocol` without SETTINGS_ENABLE_CONNECT_PROTOCOL or on another method)
    if (protocol === null) return H2_CONNECT;
    if (!isName(protocol.toLowerCase(), 0)) return H2_MALFORMED;
    // RFC 8441 §5: the GET of an HTTP/1.1 Upgrade, its two fields after the request's (as HAProxy)
    method = 'GET';
    lines += `upgrade: ${protocol}\r\nconnection: upgrade\r\n`;
  }
  // (nghttp2 has refused a method that is not a token)
  if (method === '' || !isPath(path)) return H2_MALFORMED;
  const host = authority !== null ? `host: ${authority}\r\n` : '';
  const tail = cookie !== null ? `cookie: ${cookie}\r\n` : '';
  return {
    head: Buffer.from(`${method} ${path} HTTP/1.1\r\n${host}${lines}${tail}\r\n`, 'latin1'),
    method,
    // HAProxy logs the absolute form when there is an authority (`GET https://h2.test/a HTTP/2.0`)
    logLine: `${method} ${authority !== null ? `${scheme}://${authority}` : ''}${path} HTTP/2.0`,
    // an extended CONNECT's DATA is the tunnel, not a body
    chunkedBody: protocol === null && !endStream && !hasLength,
    upgradeTo: protocol,
    origin: authority !== null ? { scheme, authority } : null,
    wsKey: protocol !== null && protocol.toLowerCase() === 'websocket' && !hasKey ? newWsKey() : null,
  };
}
