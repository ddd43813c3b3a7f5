/**
 * HAProxy 2.6's built-in error responses, byte for byte as the real haproxy 2.6.12 sends them (captured on
 * this machine). 400 and 408 are produced before a stream exists and keep HAProxy's historical raw form
 * with `Connection: close`; the others go through HTX, hence lower-case header names, and HAProxy then
 * closes the client connection (adding `connection: close` for HTTP/1.0 clients).
 * `errorfile CODE FILE` replaces a page with the file's raw bytes.
 */
const BODIES: Record<number, [string, string]> = {
  200: ['OK', 'Service ready.'],
  400: ['Bad request', 'Your browser sent an invalid request.'],
  401: ['Unauthorized', 'You need a valid user and password to access this content.'],
  403: ['Forbidden', 'Request forbidden by administrative rules.'],
  404: ['Not Found', 'The resource could not be found.'],
  405: [
    'Method Not Allowed',
    'A request was made of a resource using a request method not supported by that resource',
  ],
  // sic: HAProxy 2.6 calls its 407 page "Unauthorized"
  407: ['Unauthorized', 'You need a valid user and password to access this content.'],
  408: ['Request Time-out', "Your browser didn't send a complete request in time."],
  410: ['Gone', 'The resource is no longer available and will not be available again.'],
  413: ['Payload Too Large', 'The request entity exceeds the maximum allowed.'],
  422: ['Unprocessable Content', 'The server cannot process the contained instructions.'],
  425: ['Too Early', 'Your browser sent early data.'],
  429: ['Too Many Requests', 'You have sent too many requests in a given amount of time.'],
  500: ['Internal Server Error', 'An internal server error occurred.'],
  // sic: the leading dot is HAProxy 2.6's
  501: ['Not Implemented', '.The server does not support the functionality required to fulfill the request.'],
  502: ['Bad Gateway', 'The server returned an invalid or incomplete response.'],
  503: ['Service Unavailable', 'No server is available to handle this request.'],
  504: ['Gateway Time-out', "The server didn't respond in time."],
};

export const ERROR_CODES = Object.freeze(Object.keys(BODIES).map(Number));

function body(code: number): string {
  const [reason, text] = BODIES[code];
  return `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
}

function build(code: number, http10: boolean): Buffer {
  const [reason] = BODIES[code];
  const b = body(code);
  if (code === 422) {
    // HAProxy 2.6 sends its 422 in the raw form, but without Connection: close
    return Buffer.from(
      `HTTP/1.1 ${code} ${reason}\r\nContent-length: ${b.length}\r\nCache-Control: no-cache\r\nContent-Type: text/html\r\n\r\n${b}`,
      'latin1',
    );
  }
  if (code === 400 || code === 408) {
    return Buffer.from(
      `HTTP/1.1 ${code} ${reason}\r\nContent-length: ${b.length}\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n${b}`,
      'latin1',
    );
  }
  return Buffer.from(
    `HTTP/1.1 ${code} ${reason}\r\ncontent-length: ${b.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n${http10 ? 'connection: close\r\n' : ''}\r\n${b}`,
    'latin1',
  );
}

const PAGES11 = new Map<number, Buffer>();
const PAGES10 = new Map<number, Buffer>();
for (const code of ERROR_CODES) {
  PAGES11.set(code, build(code, false));
  PAGES10.set(code, build(code, true));
}

/** The response to send for `code`; `errorfiles` (from `errorfile`) win over the built-in pages. */
export function errorResponse(code: number, http10: boolean, errorfiles?: Map<number, Buffer>): Buffer {
  const custom = errorfiles?.get(code);
  if (custom) return custom;
  return (http10 ? PAGES10 : PAGES11).get(code) ?? (http10 ? PAGES10 : PAGES11).get(500)!;
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** `page` without its body when `isHead` (a HEAD request gets the head, Content-Length kept). */
export function bodyless(page: Buffer, isHead: boolean): Buffer {
  if (!isHead) return page;
  const end = page.indexOf('\r\n\r\n', 0, 'latin1');
  return end < 0 ? page : page.subarray(0, end + 4);
}

/**
 * The 401 page (or `errorfile 401`) with `www-authenticate: Basic realm="REALM"` as its last header
 * line, as HAProxy 2.6 sends it for `http-request auth` and a stats page's `stats auth` (recorded);
 * `close` adds `connection: close`, `bodyless` leaves the body out (HEAD).
 */
export function authChallenge(
  realm: string,
  errorfiles?: Map<number, Buffer>,
  opts: { close?: boolean; bodyless?: boolean } = {},
): Buffer {
  const page = errorResponse(401, false, errorfiles);
  const end = page.indexOf('\r\n\r\n');
  if (end < 0) return page;
  const extra = `www-authenticate: Basic realm="${realm}"\r\n${opts.close ? 'connection: close\r\n' : ''}`;
  return Buffer.concat([
    page.subarray(0, end + 2),
    Buffer.from(extra, 'latin1'),
    opts.bodyless ? CRLF : page.subarray(end + 2),
  ]);
}
