/**
 * An HTTP/2 request's header list as the HTTP/1.1 head the request path reads (one path, two framings),
 * rebuilt the way HAProxy 2.6 turns an HTTP/2 request into HTTP/1.1 for a server (recorded in
 * test/h2-expected.json): `METHOD :path HTTP/1.1`, a `host` from `:authority` first, the other fields in
 * order, cookie crumbs (RFC 9113 §8.2.3) joined with `; ` into one `cookie` field at the end. A body of
 * unknown length goes chunked to the server (the session adds `transfer-encoding` last, after the rules).
 * Node's nghttp2 has already refused connection-specific fields and malformed pseudo-headers; `te`
 * can only be `trailers`, which is passed on.
 */

export interface H1Request {
  /** the head, CRLF-terminated, latin1 */
  head: Buffer;
  method: string;
  /** the request line as HAProxy 2.6 logs an HTTP/2 request (recorded) */
  logLine: string;
  /** a body follows and no content-length says how long */
  chunkedBody: boolean;
}

/**
 * `raw` is Node's flat list [name, value, name, value, …] (names lower-case, pseudo-headers first);
 * `endStream`: the HEADERS frame ended the stream (no body). Null when the request cannot be expressed
 * in HTTP/1.1 (CONNECT, which the engine does not tunnel over HTTP/2).
 */
export function h1RequestOf(raw: readonly string[], endStream: boolean): H1Request | null {
  let method = '';
  let path = '';
  let authority: string | null = null;
  let scheme = '';
  let lines = '';
  let cookie: string | null = null;
  let hasLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    if (name.charCodeAt(0) === 0x3a) {
      if (name === ':method') method = value;
      else if (name === ':path') path = value;
      else if (name === ':authority') authority = value;
      else if (name === ':scheme') scheme = value;
      continue;
    }
    if (name === 'cookie') {
      cookie = cookie === null ? value : `${cookie}; ${value}`;
      continue;
    }
    if (name === 'host' && authority !== null) continue;
    if (name === 'content-length') hasLength = true;
    lines += `${name}: ${value}\r\n`;
  }
  if (method === 'CONNECT' || method === '' || path === '') return null;
  const host = authority !== null ? `host: ${authority}\r\n` : '';
  const tail = cookie !== null ? `cookie: ${cookie}\r\n` : '';
  return {
    head: Buffer.from(`${method} ${path} HTTP/1.1\r\n${host}${lines}${tail}\r\n`, 'latin1'),
    method,
    // HAProxy logs the absolute form when there is an authority (`GET https://h2.test/a HTTP/2.0`)
    logLine: `${method} ${authority !== null ? `${scheme}://${authority}` : ''}${path} HTTP/2.0`,
    chunkedBody: !endStream && !hasLength,
  };
}
