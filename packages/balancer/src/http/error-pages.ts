/**
 * HAProxy 2.6's built-in error responses, byte for byte as the real haproxy 2.6.12 sends them (captured on
 * this machine). 400 and 408 are produced before a stream exists and keep HAProxy's historical raw form
 * with `Connection: close`; the others go through HTX, hence lower-case header names, and HAProxy then
 * closes the client connection (adding `connection: close` for HTTP/1.0 clients).
 * `errorfile CODE FILE` replaces a page with the file's raw bytes.
 */
const BODIES: Record<number, [string, string]> = {
  400: ['Bad request', 'Your browser sent an invalid request.'],
  403: ['Forbidden', 'Request forbidden by administrative rules.'],
  408: ['Request Time-out', "Your browser didn't send a complete request in time."],
  422: ['Unprocessable Content', 'The server cannot process the contained instructions.'],
  500: ['Internal Server Error', 'An internal server error occurred.'],
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
