/**
 * The request-smuggling / desync table. Every row is raw bytes on the wire; the expected outcome of
 * each row (status codes the client gets, whether the connection closes, what the backend received)
 * is RECORDED from HAProxy 2.6 by smuggling-record.ts into smuggling-expected.json, never written by
 * hand. A row with `stricter` is one where the balancer deliberately differs from HAProxy; it gives
 * the outcome we expect instead and the reason.
 */

import type { Step } from './support/raw-client.ts';
import type { BackendScript } from './support/recorder.ts';

/** What one run of a row produced, in a comparable form. */
export type Outcome = {
  /** One entry per response the client got: the status, ` incomplete` when cut short. */
  responses: string[];
  /** Did the proxy close the client connection (within the idle window)? */
  closed: boolean;
  /** The requests the backend received, normalised (see describeRequest in smuggling-run.ts). */
  backend: string[];
};

export type SmugglingCase = {
  id: string;
  /** What the row probes. */
  what: string;
  steps: Step[];
  /** How the fake backend answers (default: 200 to every complete request). */
  backend?: BackendScript;
  /** Which final responses answer a HEAD request. */
  headRequests?: boolean[];
  /** Deliberately stricter than HAProxy: the outcome we expect instead, and why. */
  stricter?: { why: string; expect: Outcome };
};

const CRLF = '\r\n';
/** A request from head lines and a body, CRLF line endings. */
const req = (lines: string[], body = ''): string => lines.join(CRLF) + CRLF + CRLF + body;
const GET = req(['GET / HTTP/1.1', 'Host: a']);
const manyHeaders = (n: number): string[] => Array.from({ length: n }, (_, i) => `X-H${i}: v`);

const reqCases: SmugglingCase[] = [
  { id: 'baseline-get', what: 'a plain GET', steps: [GET] },
  {
    id: 'baseline-post-cl',
    what: 'POST with Content-Length',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5'], 'hello')],
  },
  {
    id: 'baseline-post-chunked',
    what: 'POST chunked with a trailer',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n'),
    ],
  },
  {
    id: 'cl-te',
    what: 'CL.TE: Content-Length and Transfer-Encoding; TE wins, CL dropped, close after',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 6', 'Transfer-Encoding: chunked'], '0\r\n\r\nG'),
      { delayMs: 50 },
      GET,
    ],
  },
  {
    id: 'te-cl',
    what: 'TE.CL: a chunk hides a second request if CL were used',
    steps: [
      req(
        ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Content-Length: 4'],
        '2e\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n\r\n0\r\n\r\n',
      ),
    ],
  },
  {
    id: 'cl-dup-same',
    what: 'two Content-Length headers with the same value',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 5'], 'hello')],
  },
  {
    id: 'cl-dup-different',
    what: 'two Content-Length headers that differ',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 6'], 'hello!')],
  },
  {
    id: 'cl-list-same',
    what: 'Content-Length: 5, 5',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5, 5'], 'hello')],
  },
  {
    id: 'cl-list-different',
    what: 'Content-Length: 5, 6',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5, 6'], 'hello!')],
  },
  {
    id: 'cl-plus-sign',
    what: 'Content-Length: +5',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: +5'], 'hello')],
  },
  {
    id: 'cl-minus-sign',
    what: 'Content-Length: -5',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: -5'], 'hello')],
  },
  {
    id: 'cl-hex',
    what: 'Content-Length: 0x5',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 0x5'], 'hello')],
  },
  {
    id: 'cl-inner-space',
    what: 'Content-Length: 1 0 (space inside the number)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1 0'], 'helloworld')],
  },
  {
    id: 'cl-leading-zeros',
    what: 'Content-Length: 005',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 005'], 'hello')],
  },
  {
    id: 'cl-trailing-ows',
    what: 'Content-Length with trailing spaces (OWS is allowed)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5  '], 'hello')],
  },
  {
    id: 'cl-empty',
    what: 'empty Content-Length value',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: '], 'hello')],
  },
  {
    id: 'cl-overflow',
    what: 'Content-Length larger than 2^64',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 99999999999999999999999'], 'hello')],
  },
  {
    id: 'te-chunked-identity',
    what: 'Transfer-Encoding: chunked, identity (does not end in chunked)',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked, identity'], '5\r\nhello\r\n0\r\n\r\n'),
    ],
  },
  {
    id: 'te-identity-chunked',
    what: 'Transfer-Encoding: identity, chunked',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: identity, chunked'], '5\r\nhello\r\n0\r\n\r\n'),
    ],
  },
  {
    id: 'te-xchunked',
    what: 'Transfer-Encoding: xchunked',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: xchunked'], '5\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'te-gzip-chunked',
    what: 'Transfer-Encoding: gzip, chunked (ends in chunked)',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked'], '5\r\nhello\r\n0\r\n\r\n'),
    ],
  },
  {
    id: 'te-uppercase',
    what: 'Transfer-Encoding: CHUNKED (codings are case-insensitive)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: CHUNKED'], '5\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'te-twice',
    what: 'two Transfer-Encoding: chunked headers',
    steps: [
      req(
        ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked'],
        '5\r\nhello\r\n0\r\n\r\n',
      ),
    ],
  },
  {
    id: 'te-space-before-colon',
    what: 'Transfer-Encoding : chunked (whitespace before the colon)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding : chunked'], '5\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'te-tab-value',
    what: 'Transfer-Encoding:<TAB>chunked (tab is OWS)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:\tchunked'], '5\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'te-obs-fold',
    what: 'Transfer-Encoding value on an obs-fold continuation line',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:', ' chunked'], '5\r\nhello\r\n0\r\n\r\n')],
    stricter: {
      why: 'RFC 9112 §5.2 lets a server reject obs-fold with 400 instead of unfolding it; we reject, since a folded Transfer-Encoding is a classic desync vector',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'te-vertical-tab',
    what: 'Transfer-Encoding:\\vchunked (VT is not OWS)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding:\x0bchunked'], '5\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'te-http10',
    what: 'Transfer-Encoding: chunked in an HTTP/1.0 request',
    steps: [req(['POST / HTTP/1.0', 'Host: a', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n')],
    stricter: {
      why: 'RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty; HAProxy 2.6 forwards it and closes, we refuse it (400)',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'te-two-headers-identity-last',
    what: 'Transfer-Encoding: chunked then a second Transfer-Encoding: identity line',
    steps: [
      req(
        ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: identity'],
        '5\r\nhello\r\n0\r\n\r\n',
      ),
    ],
  },
  {
    id: 'chunk-size-leading-zeros',
    what: 'a chunk size with leading zeros (0005)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '0005\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'chunk-ext-quoted',
    what: 'a chunk extension with a quoted value containing ; and =',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5;a="b;c=d"\r\nhello\r\n0\r\n\r\n'),
    ],
  },
  {
    id: 'nul-in-uri',
    what: 'NUL inside the request target',
    steps: [req(['GET /a\x00b HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'first-header-line-folded',
    what: 'the first header line starts with whitespace (a fold with nothing to continue)',
    steps: [req(['GET / HTTP/1.1', ' Host: a'])],
  },
  {
    id: 'chunk-size-overflow',
    what: 'a chunk size larger than 2^64',
    steps: [
      req(
        ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'],
        'FFFFFFFFFFFFFFFFF5\r\nhello\r\n0\r\n\r\n',
      ),
    ],
  },
  {
    id: 'chunk-size-invalid',
    what: 'a non-hex chunk size',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], 'zz\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'chunk-extension',
    what: 'chunk extensions are allowed and ignored',
    steps: [
      req(
        ['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'],
        '5;name=value\r\nhello\r\n0;x\r\n\r\n',
      ),
    ],
  },
  {
    id: 'chunk-size-trailing-space',
    what: 'a chunk size followed by a space',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5 \r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'chunk-data-too-long',
    what: 'chunk data longer than its size (no CRLF where it must be)',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '3\r\nhello\r\n0\r\n\r\n')],
  },
  {
    id: 'chunk-bare-lf',
    what: 'chunked body with bare LF line endings',
    steps: [req(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked'], '5\nhello\n0\n\n')],
  },
  {
    id: 'bare-lf-head',
    what: 'request head with bare LF line endings',
    steps: ['GET / HTTP/1.1\nHost: a\n\n'],
  },
  {
    id: 'bare-cr-head',
    what: 'request head with a bare CR inside a header line',
    steps: ['GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n'],
  },
  {
    id: 'ws-before-colon',
    what: 'Host : a (whitespace before the colon)',
    steps: [req(['GET / HTTP/1.1', 'Host : a'])],
  },
  {
    id: 'nul-in-value',
    what: 'NUL inside a header value',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X-A: a\x00b'])],
    stricter: {
      why: 'RFC 9110 §5.5: a recipient of NUL in a field value MUST reject the message or replace it; HAProxy 2.6 forwards it, we reject (issue 3: control characters give 400)',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'ctl-in-value',
    what: 'a control character (0x01) inside a header value',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X-A: a\x01b'])],
    stricter: {
      why: 'RFC 9110 §5.5: field-vchar excludes CTLs; HAProxy 2.6 forwards 0x01, we reject (issue 3: control characters give 400)',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'del-in-value',
    what: 'DEL (0x7f) inside a header value',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X-A: a\x7fb'])],
    stricter: {
      why: 'RFC 9110 §5.5: DEL is neither VCHAR nor obs-text; HAProxy 2.6 forwards it, we reject',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'obs-text-in-value',
    what: 'obs-text (0x80-0xff) inside a header value is allowed',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X-A: caf\xe9'])],
  },
  {
    id: 'header-name-non-token',
    what: 'header name with a non-token character',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X(A): b'])],
  },
  {
    id: 'header-name-empty',
    what: 'empty header name',
    steps: [req(['GET / HTTP/1.1', 'Host: a', ': b'])],
  },
  {
    id: 'header-no-colon',
    what: 'a header line without a colon',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'NoColonHere'])],
  },
  {
    id: 'obs-fold',
    what: 'obs-fold continuation of an ordinary header',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'X-A: one', ' two'])],
    stricter: {
      why: 'RFC 9112 §5.2 lets a server reject obs-fold with 400 instead of unfolding it; HAProxy 2.6 unfolds, we reject',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'method-invalid-char',
    what: 'invalid character in the method',
    steps: [req(['G<T / HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'method-lowercase',
    what: 'lower-case method (a valid token, just unknown)',
    steps: [req(['get / HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'uri-space-inside',
    what: 'a space inside the request target',
    steps: [req(['GET /a b HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'uri-ctl',
    what: 'a control character inside the request target',
    steps: [req(['GET /a\x01b HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'uri-del',
    what: 'DEL inside the request target',
    steps: [req(['GET /a\x7fb HTTP/1.1', 'Host: a'])],
    stricter: {
      why: 'RFC 3986 §2 has no DEL in a URI; HAProxy 2.6 forwards it, we reject (issue 3: invalid URI characters give 400)',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'uri-quote',
    what: 'a double quote inside the request target',
    steps: [req(['GET /a"b HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'uri-8bit',
    what: 'an 8-bit byte inside the request target',
    steps: [req(['GET /caf\xe9 HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'absolute-form',
    what: 'absolute-form request target',
    steps: [req(['GET http://a/x?y=1 HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'absolute-form-host-mismatch',
    what: 'absolute-form target whose authority differs from Host',
    steps: [req(['GET http://b/x HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'asterisk-form-get',
    what: 'GET * (asterisk-form is only for OPTIONS)',
    steps: [req(['GET * HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'asterisk-form-options',
    what: 'OPTIONS *',
    steps: [req(['OPTIONS * HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'request-line-double-space',
    what: 'two spaces between method and target',
    steps: [req(['GET  / HTTP/1.1', 'Host: a'])],
    stricter: {
      why: 'RFC 9112 §3: the request-line is single-SP separated (whitespace-word parsing is only a MAY); HAProxy 2.6 accepts, we refuse',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'request-line-trailing-space',
    what: 'a space after the version',
    steps: [req(['GET / HTTP/1.1 ', 'Host: a'])],
  },
  {
    id: 'request-line-tab',
    what: 'a tab as the separator in the request line',
    steps: [req(['GET\t/ HTTP/1.1', 'Host: a'])],
    stricter: {
      why: 'RFC 9112 §3: the request-line is single-SP separated; HAProxy 2.6 accepts a tab, we refuse',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'leading-empty-lines',
    what: 'empty lines before the request line (RFC 9112 §2.2 says ignore at least one)',
    steps: [`\r\n\r\n${GET}`],
  },
  {
    id: 'version-1.2',
    what: 'HTTP/1.2',
    steps: [req(['GET / HTTP/1.2', 'Host: a'])],
  },
  {
    id: 'version-2.0',
    what: 'HTTP/2.0 in an HTTP/1 request line',
    steps: [req(['GET / HTTP/2.0', 'Host: a'])],
    stricter: {
      why: 'RFC 9112 §2.3: an HTTP/1 connection speaks HTTP/1.x; HAProxy 2.6 downgrades "HTTP/2.0" to 1.1 and forwards, we refuse (400)',
      expect: { responses: ['400'], closed: true, backend: [] },
    },
  },
  {
    id: 'version-lowercase',
    what: 'http/1.1 in lower case',
    steps: [req(['GET / http/1.1', 'Host: a'])],
  },
  {
    id: 'version-missing',
    what: 'HTTP/0.9 style request line (no version)',
    steps: ['GET /\r\n\r\n'],
  },
  { id: 'host-missing', what: 'HTTP/1.1 request without Host', steps: [req(['GET / HTTP/1.1'])] },
  { id: 'host-duplicate', what: 'two Host headers', steps: [req(['GET / HTTP/1.1', 'Host: a', 'Host: b'])] },
  {
    id: 'headers-100',
    what: '100 header lines (the most HAProxy 2.6 accepts with tune.http.maxhdr 101)',
    steps: [req(['GET / HTTP/1.1', 'Host: a', ...manyHeaders(99)])],
  },
  {
    id: 'headers-101',
    what: '101 header lines: over the limit, HAProxy counts the start line against tune.http.maxhdr (101)',
    steps: [req(['GET / HTTP/1.1', 'Host: a', ...manyHeaders(100)])],
  },
  {
    id: 'headers-102',
    what: '102 header lines (over tune.http.maxhdr)',
    steps: [req(['GET / HTTP/1.1', 'Host: a', ...manyHeaders(101)])],
  },
  {
    id: 'head-oversized',
    what: 'a request head larger than tune.bufsize',
    steps: [req(['GET / HTTP/1.1', 'Host: a', `X-Big: ${'a'.repeat(20_000)}`])],
  },
  {
    id: 'uri-oversized',
    what: 'a request target larger than tune.bufsize',
    steps: [req([`GET /${'a'.repeat(20_000)} HTTP/1.1`, 'Host: a'])],
  },
  {
    id: 'http10-default-close',
    what: 'HTTP/1.0 without keep-alive: answered then closed',
    steps: [req(['GET / HTTP/1.0', 'Host: a'])],
  },
  {
    id: 'http10-keepalive',
    what: 'HTTP/1.0 with Connection: keep-alive, two requests on one connection',
    steps: [
      req(['GET / HTTP/1.0', 'Host: a', 'Connection: keep-alive']),
      { delayMs: 100 },
      req(['GET /2 HTTP/1.0', 'Host: a', 'Connection: keep-alive']),
    ],
  },
  {
    id: 'connection-close',
    what: 'HTTP/1.1 with Connection: close',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'Connection: close'])],
  },
  {
    id: 'expect-100-continue',
    what: 'Expect: 100-continue, body sent after a pause',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Expect: 100-continue']),
      { delayMs: 100 },
      'hello',
    ],
  },
  {
    id: 'pipelined-two',
    what: 'two pipelined GETs in one write are answered in order',
    steps: [GET + req(['GET /second HTTP/1.1', 'Host: a'])],
  },
  {
    id: 'pipelined-smuggle-in-body',
    what: 'a second request hidden after a CL body in the same write',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5'], 'hello') +
        req(['GET /smuggled HTTP/1.1', 'Host: a']),
    ],
  },
  {
    id: 'pipelined-after-cl-te',
    what: 'CL.TE with a pipelined request: the connection must close after the first response',
    steps: [
      req(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 30', 'Transfer-Encoding: chunked'], '0\r\n\r\n') +
        req(['GET /smuggled HTTP/1.1', 'Host: a']),
    ],
  },
  {
    id: 'head-request',
    what: 'HEAD gets headers only',
    steps: [req(['HEAD / HTTP/1.1', 'Host: a'])],
    headRequests: [true],
  },
  {
    id: 'get-with-cl-body',
    what: 'GET with a Content-Length body (forwarded with its body)',
    steps: [req(['GET / HTTP/1.1', 'Host: a', 'Content-Length: 5'], 'hello')],
  },
  {
    id: 'upgrade-h2c',
    what: 'Upgrade: h2c on a plain request (not a WebSocket)',
    steps: [
      req([
        'GET / HTTP/1.1',
        'Host: a',
        'Connection: Upgrade, HTTP2-Settings',
        'Upgrade: h2c',
        'HTTP2-Settings: AAMAAABkAAQAAP__',
      ]),
    ],
  },
];

/** Response rows: the client sends a plain GET and the backend answers with the raw bytes. */
const resp = (
  id: string,
  what: string,
  response: string,
  closeAfter = false,
  stricter?: SmugglingCase['stricter'],
): SmugglingCase => ({
  id: `resp-${id}`,
  what,
  steps: [GET],
  backend: { kind: 'raw', response, closeAfter },
  ...(stricter ? { stricter } : {}),
});
/** What the backend gets for every response row: the client's plain GET, closed by server-close. */
const GOT_GET = ['"GET / HTTP/1.1" host="a" body=""'];
const H200 = 'HTTP/1.1 200 OK\r\n';

const respCases: SmugglingCase[] = [
  resp('baseline', 'a valid 200 with Content-Length', `${H200}Content-Length: 3\r\n\r\nabc`),
  resp(
    'headers-102',
    'a response with 102 header lines',
    `${H200}${manyHeaders(101).join(CRLF)}\r\nContent-Length: 3\r\n\r\nabc`,
  ),
  resp('te-gzip', 'Transfer-Encoding: gzip (not chunked)', `${H200}Transfer-Encoding: gzip\r\n\r\nabc`, true),
  resp(
    'cl-te',
    'Content-Length and Transfer-Encoding together',
    `${H200}Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
  ),
  resp(
    'cl-dup-different',
    'two differing Content-Length headers',
    `${H200}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
  ),
  resp('cl-invalid', 'Content-Length: abc', `${H200}Content-Length: abc\r\n\r\nabc`),
  resp(
    'status-line-bad',
    'a status line with a non-numeric code',
    'HTTP/1.1 abc OK\r\nContent-Length: 3\r\n\r\nabc',
  ),
  resp(
    'status-code-2digit',
    'a two-digit status code',
    'HTTP/1.1 99 Odd\r\nContent-Length: 3\r\n\r\nabc',
    false,
    {
      why: 'RFC 9112 §4: status-code is 3DIGIT; HAProxy 2.6 relays "HTTP/1.1 99" without its framing, we answer 502',
      expect: { responses: ['502'], closed: false, backend: GOT_GET },
    },
  ),
  resp('status-line-garbage', 'not HTTP at all', 'SSH-2.0-OpenSSH\r\n\r\n'),
  resp(
    'version-bad',
    'status line with version HTTP/2.0',
    'HTTP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc',
    false,
    {
      why: 'RFC 9112 §2.3/§4: an HTTP/1 status line carries HTTP/1.x; HAProxy 2.6 relays "HTTP/2.0 200", we answer 502',
      expect: { responses: ['502'], closed: false, backend: GOT_GET },
    },
  ),
  resp(
    'chunk-size-invalid',
    'an invalid chunk size after a valid head',
    `${H200}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
  ),
  resp(
    'chunked-trailers',
    'a chunked response with trailers',
    `${H200}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n`,
  ),
  resp(
    '1xx-then-200',
    'a 102 interim response, then 200',
    `HTTP/1.1 102 Processing\r\n\r\n${H200}Content-Length: 3\r\n\r\nabc`,
  ),
  resp(
    '100-then-200',
    'an unsolicited 100 Continue, then 200',
    `HTTP/1.1 100 Continue\r\n\r\n${H200}Content-Length: 3\r\n\r\nabc`,
  ),
  resp(
    'close-delimited',
    'no framing: the body ends when the server closes',
    `${H200}Content-Type: text/plain\r\n\r\nclose-delimited body`,
    true,
  ),
  resp(
    'http10-close-delimited',
    'an HTTP/1.0 response without Content-Length',
    'HTTP/1.0 200 OK\r\n\r\nold style body',
    true,
  ),
  resp(
    'nul-in-header',
    'NUL inside a response header value',
    `${H200}X-A: a\x00b\r\nContent-Length: 3\r\n\r\nabc`,
    false,
    {
      why: 'RFC 9110 §5.5 (NUL in a field value) applies to responses too; HAProxy 2.6 relays it, we answer 502',
      expect: { responses: ['502'], closed: false, backend: GOT_GET },
    },
  ),
  resp(
    'ws-before-colon',
    'whitespace before the colon in a response header',
    `${H200}Content-Length : 3\r\n\r\nabc`,
  ),
  resp(
    'header-name-non-token',
    'response header name with a non-token character',
    `${H200}X(A): b\r\nContent-Length: 3\r\n\r\nabc`,
  ),
  resp('bare-lf', 'a response head with bare LF line endings', 'HTTP/1.1 200 OK\nContent-Length: 3\n\nabc'),
  resp(
    '204-with-cl',
    '204 with Content-Length: 3 and no body',
    'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n',
  ),
  resp(
    '304-with-cl',
    '304 with Content-Length and no body',
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n',
  ),
  resp(
    'body-shorter-than-cl',
    'the server closes before Content-Length bytes',
    `${H200}Content-Length: 10\r\n\r\nabc`,
    true,
  ),
  {
    id: 'resp-head-with-body',
    what: 'the backend wrongly sends a body after a HEAD response; it must not reach the client as a response',
    steps: [req(['HEAD / HTTP/1.1', 'Host: a'])],
    headRequests: [true],
    backend: { kind: 'raw', response: `${H200}Content-Length: 3\r\n\r\nabc` },
  },
  resp('cl-negative', 'Content-Length: -1 in a response', `${H200}Content-Length: -1\r\n\r\nabc`),
  resp(
    '101-unrequested',
    'a 101 Switching Protocols to a request that asked for no upgrade',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  ),
  resp(
    'oversized-head',
    'a response head larger than tune.bufsize',
    `${H200}X-Big: ${'b'.repeat(20_000)}\r\nContent-Length: 3\r\n\r\nabc`,
  ),
];

export const CASES: SmugglingCase[] = [...reqCases, ...respCases];
