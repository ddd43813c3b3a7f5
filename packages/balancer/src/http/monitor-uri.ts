/**
 * `monitor-uri URI`: a request for exactly this URI (the whole request target, query included, as
 * HAProxy 2.6 compares it) is answered by the balancer itself, never forwarded: a 200 in HAProxy's
 * bytes, recorded from haproxy 2.6 in test/checks-expected.json (`monitor`). The connection is kept
 * like after any HTX response (HTTP/1.0 clients get `connection: close` and a close).
 */
const BODY = '<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n';
const HEAD11 = `HTTP/1.1 200 OK\r\ncontent-length: ${BODY.length}\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n`;

export function monitorResponse(http10: boolean, close: boolean, isHead: boolean): Buffer {
  const head = `${HEAD11}${http10 || close ? 'connection: close\r\n' : ''}\r\n`;
  return Buffer.from(isHead ? head : head + BODY, 'latin1');
}

/** Does the request target `buf[start, end)` equal the monitor URI? */
export function isMonitorUri(uri: Buffer | null, buf: Buffer, start: number, end: number): boolean {
  return uri !== null && end - start === uri.length && buf.compare(uri, 0, uri.length, start, end) === 0;
}
