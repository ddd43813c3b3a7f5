import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findHeadEnd, newHead, parseHead } from './head-parser.ts';

function req(raw: string, maxHeaders = 101) {
  const buf = Buffer.from(raw, 'latin1');
  const end = findHeadEnd(buf, 0);
  assert.ok(end > 0, `head end not found in ${JSON.stringify(raw)}`);
  return parseHead(newHead(maxHeaders), buf, end, true, maxHeaders, Buffer.from('x-forwarded-for'));
}
function res(raw: string, maxHeaders = 101) {
  const buf = Buffer.from(raw, 'latin1');
  const end = findHeadEnd(buf, 0);
  assert.ok(end > 0);
  return parseHead(newHead(maxHeaders), buf, end, false, maxHeaders, null);
}

describe('request heads: accepted', () => {
  test('simple GET', () => {
    const h = req('GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.method, 'GET');
    assert.equal(h.nHeaders, 2);
    assert.equal(h.contentLength, -1);
    assert.equal(h.versionMinor, 1);
  });
  test('absolute-form target', () => {
    const h = req('GET http://example.com:8080/p?q HTTP/1.1\r\nHost: Example.com:8080\r\n\r\n');
    assert.equal(h.error, null);
  });
  test('bare LF line endings', () => {
    assert.equal(req('GET / HTTP/1.1\nHost: x\n\n').error, null);
  });
  test('identical Content-Length values merge', () => {
    const h = req('POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.contentLength, 5);
    assert.equal(h.clRewrite, true);
    assert.equal(h.dropCount, 2, 'both lines are replaced by one rewritten content-length');
  });
  test('TE + CL: TE wins and CL is dropped', () => {
    const h = req('POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.chunked, true);
    assert.equal(h.contentLength, -1);
    assert.equal(h.drop[0], 1);
  });
  test('TE chunked is case-insensitive', () => {
    const h = req('POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.chunked, true);
  });
  test('hop-by-hop headers are marked for dropping, including those named in Connection', () => {
    const h = req(
      'GET / HTTP/1.1\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: 5\r\nX-Secret: 1\r\nProxy-Connection: x\r\nTE: trailers\r\nHost: h\r\n\r\n',
    );
    assert.equal(h.error, null);
    // (2: named by Connection, which an HTTP/2 server still gets)
    assert.deepEqual([...h.drop.subarray(0, 6)], [1, 1, 2, 1, 1, 0]);
    assert.equal(h.connKeepAlive, true);
  });
  test('Expect: 100-continue and Upgrade are noticed', () => {
    const h = req(
      'GET / HTTP/1.1\r\nExpect: 100-Continue\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    assert.equal(h.expectContinue, true);
    assert.equal(h.connUpgrade, true);
    assert.equal(h.hasUpgrade, true);
  });
  test('obs-text in values is allowed; 100 headers are allowed', () => {
    assert.equal(req('GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n').error, null);
    assert.equal(req(`GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(100)}\r\n`).error, null);
  });
  test('HTTP/1.2 is spoken and re-emitted as HTTP/1.1', () => {
    const h = req('GET / HTTP/1.2\r\nHost: a\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.canonicalStart, false);
    assert.equal(h.versionMinor, 1);
    assert.equal(req('GET / HTTP/1.0\r\n\r\n').canonicalStart, true);
  });
  test('a Content-Length list is collapsed into one rewritten header', () => {
    const h = req('POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n');
    assert.equal(h.clRewrite, true);
    assert.equal(h.drop[0], 1);
  });
});

describe('request heads: rejected (400)', () => {
  const cases: [string, string, string][] = [
    [
      'differing Content-Length',
      'POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
      'differing-content-length',
    ],
    ['differing values in one CL', 'POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n', 'bad-content-length'],
    ['non-numeric CL', 'POST / HTTP/1.1\r\nContent-Length: 5a\r\n\r\n', 'bad-content-length'],
    ['negative CL', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 'bad-content-length'],
    ['empty CL', 'POST / HTTP/1.1\r\nContent-Length: \r\n\r\n', 'bad-content-length'],
    ['huge CL', 'POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n', 'bad-content-length'],
    [
      'TE not ending in chunked',
      'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
      'bad-transfer-encoding',
    ],
    [
      'TE chunked twice',
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n',
      'bad-transfer-encoding',
    ],
    [
      'TE chunked then gzip',
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n',
      'bad-transfer-encoding',
    ],
    [
      'TE with a bad token',
      'POST / HTTP/1.1\r\nTransfer-Encoding: chu"nked\r\n\r\n',
      'bad-transfer-encoding',
    ],
    [
      'TE with other codings (422)',
      'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      'te-not-only-chunked',
    ],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'duplicate-host'],
    [
      'absolute-form authority differs from Host',
      'GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n',
      'host-mismatch',
    ],
    ['trailing space after the version', 'GET / HTTP/1.1 \r\n\r\n', 'bad-version'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'space-before-colon'],
    ['tab before colon', 'GET / HTTP/1.1\r\nHost\t: x\r\n\r\n', 'space-before-colon'],
    ['bad char in header name', 'GET / HTTP/1.1\r\nHo(st: x\r\n\r\n', 'bad-header-name'],
    ['empty header name', 'GET / HTTP/1.1\r\n: x\r\n\r\n', 'bad-header-name'],
    ['control char in value', 'GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n', 'bad-header-value'],
    ['NUL in value', 'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', 'bad-header-value'],
    ['bare CR in value', 'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', 'bare-cr'],
    ['obs-fold', 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 'obs-fold'],
    ['bad char in method', 'G(T / HTTP/1.1\r\n\r\n', 'bad-method'],
    ['control char in URI', 'GET /a\x01b HTTP/1.1\r\n\r\n', 'bad-uri'],
    ['non-ASCII in URI', 'GET /caf\xe9 HTTP/1.1\r\n\r\n', 'bad-uri'],
    ['HTTP/0.9 style', 'GET /\r\n\r\n', 'bad-version'],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\n\r\n', 'bad-version'],
    ['two spaces', 'GET  / HTTP/1.1\r\n\r\n', 'bad-uri'],
    ['tab separator', 'GET\t/ HTTP/1.1\r\n\r\n', 'bad-method'],
    ['DEL in URI', 'GET /a\x7fb HTTP/1.1\r\n\r\n', 'bad-uri'],
    ['TE in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 'te-in-http10'],
    ['lower-case version', 'GET / http/1.1\r\n\r\n', 'bad-version'],
    [
      '101 header lines (maxhdr counts the start line)',
      `GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(101)}\r\n`,
      'too-many-headers',
    ],
  ];
  for (const [name, raw, reason] of cases) {
    test(name, () => assert.equal(req(raw).error, reason));
  }
});

describe('response heads', () => {
  test('status, reason and framing', () => {
    const h = res('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n');
    assert.equal(h.error, null);
    assert.equal(h.status, 200);
    assert.equal(h.contentLength, 3);
    assert.equal(h.dropCount, 1);
  });
  test('empty reason is accepted', () => {
    assert.equal(res('HTTP/1.1 204\r\n\r\n').status, 204);
    assert.equal(res('HTTP/1.1 204 \r\n\r\n').status, 204);
  });
  const bad: [string, string][] = [
    ['Transfer-Encoding: gzip', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['102 headers', `HTTP/1.1 200 OK\r\n${'A: b\r\n'.repeat(102)}\r\n`],
    ['HTTP/2.0', 'HTTP/2.0 200 OK\r\n\r\n'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['status 600', 'HTTP/1.1 600 X\r\n\r\n'],
    ['not HTTP', 'HTTP/2 200 OK\r\n\r\n'],
    ['lower-case version', 'http/1.1 200 OK\r\n\r\n'],
    ['differing CL', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['space before colon', 'HTTP/1.1 200 OK\r\nServer : x\r\n\r\n'],
    ['control char in reason', 'HTTP/1.1 200 O\x01K\r\n\r\n'],
  ];
  for (const [name, raw] of bad) test(`rejected (502): ${name}`, () => assert.notEqual(res(raw).error, null));
});

test('findHeadEnd handles split and LF-only heads', () => {
  assert.equal(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nA: b\r\n\r'), 0), -1);
  assert.equal(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nA: b\r\n\r\nBODY'), 0), 24);
  assert.equal(findHeadEnd(Buffer.from('GET / HTTP/1.1\nA: b\n\nBODY'), 0), 21);
  assert.equal(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nA: b\r\n\r\n'), 20), 24);
});
