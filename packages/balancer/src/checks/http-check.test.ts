import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadBalancerConfigText } from '../config/load.ts';
import { judgeResponse, parseHttpResponse } from './http-check.ts';

const EXPECTED = JSON.parse(
  readFileSync(new URL('../../test/checks-expected.json', import.meta.url), 'utf8'),
);
// the configurations the recorder ran (test/checks-record.ts REQUEST_CASES)
const { REQUEST_CASES } = await import('../../test/checks-record.ts');

describe('HTTP check requests are the bytes haproxy 2.6 sends', () => {
  for (const [name, lines] of Object.entries(REQUEST_CASES as Record<string, string>)) {
    test(name, () => {
      const text = `defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nbackend b\n    ${lines}\n    server s 127.0.0.1:1 check\n`;
      const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
      const method = loaded.engine?.backends.get('b')?.checks?.method;
      assert.equal(method?.kind, 'http', JSON.stringify(loaded.diagnostics));
      assert.equal(method.kind === 'http' ? method.request.toString('latin1') : '', EXPECTED.requests[name]);
    });
  }
});

describe('HTTP check responses', () => {
  const res = (raw: string, ended = false) => {
    const r = parseHttpResponse(raw, ended);
    assert.ok(r !== null && r !== 'invalid');
    return r;
  };
  test('without expect: 2xx/3xx pass, others are a wrong status with the reason phrase', () => {
    assert.deepEqual(judgeResponse(res('HTTP/1.1 302 Found\r\n\r\n'), [], 1), {
      status: 'L7OK',
      code: 302,
      info: '',
      durationMs: 1,
    });
    assert.deepEqual(judgeResponse(res('HTTP/1.0 503 Service Unavailable\r\n\r\n'), [], 0), {
      status: 'L7STS',
      code: 503,
      info: 'Service Unavailable',
      durationMs: 0,
    });
  });
  test('a body is complete by Content-Length, chunked framing or close', () => {
    assert.deepEqual(parseHttpResponse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab', false), {
      status: 200,
      reason: 'OK',
      body: null,
    });
    assert.equal(res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab').body, 'ab');
    assert.equal(
      res('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n').body,
      'abc',
    );
    assert.equal(res('HTTP/1.1 200 OK\r\n\r\nuntil close', true).body, 'until close');
  });
  test('not HTTP is invalid at once', () => {
    assert.equal(parseHttpResponse('hello there\r\n\r\n', false), 'invalid');
    assert.equal(parseHttpResponse('SSH-2.0', false), 'invalid');
    assert.equal(parseHttpResponse('HTTP/1', false), null);
    assert.equal(parseHttpResponse('', true), 'invalid');
  });
});
