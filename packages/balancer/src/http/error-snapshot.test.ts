import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dumpText, locateRequestError } from './error-snapshot.ts';

test('the dump escapes as HAProxy and cuts lines at 80 columns with a + continuation', () => {
  assert.equal(
    dumpText(Buffer.from('GET / HTTP/1.1\r\n\r\n')),
    '  00000  GET / HTTP/1.1\\r\\n\n  00016  \\r\\n\n',
  );
  const long = dumpText(Buffer.from(`${'x'.repeat(75)}\x02\\`, 'latin1'));
  assert.equal(long, `  00000  ${'x'.repeat(70)}\n  00070+ xxxxx\\x02\\\\\n`);
});

test('errors are placed where HAProxy stops: method, URI, version, header name, Content-Length', () => {
  const at = (s: string) => {
    const b = Buffer.from(s, 'latin1');
    const r = locateRequestError(b, b.length, 'bad-start-line');
    return `${r.state}@${r.pos}`;
  };
  assert.equal(at('G(T / HTTP/1.1\r\n\r\n'), 'MSG_RQMETH@1');
  assert.equal(at('GET /\x01 HTTP/1.1\r\n\r\n'), 'MSG_RQURI@5');
  assert.equal(at('GET / HTTP/1.x\r\n\r\n'), 'MSG_RQVER@13');
  assert.equal(at('GET / HTTP/1.1\r\nBad Name: y\r\n\r\n'), 'MSG_HDR_NAME@19');
  assert.equal(at('GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n'), 'MSG_HDR_L2_LWS@32');
});
