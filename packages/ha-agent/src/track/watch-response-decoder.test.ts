import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WatchResponseDecoder, type WatchResponseHead } from './watch-response-decoder.ts';

function decode(parts: string[]) {
  const heads: WatchResponseHead[] = [];
  const lines: string[] = [];
  let ended = false;
  const d = new WatchResponseDecoder({
    head: (h) => heads.push(h),
    line: (l) => lines.push(l),
    end: () => (ended = true),
  });
  for (const p of parts) d.push(Buffer.from(p, 'latin1'));
  return { heads, lines, ended };
}

describe('WatchResponseDecoder', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n';
  it('decodes chunked ndjson split at every byte boundary', () => {
    const body = '7\r\n{"a":1}\r\n5\r\n\n{"b"\r\n3\r\n:2}\r\n1\r\n\n\r\n0\r\n\r\n';
    const whole = head + body;
    for (let cut = 1; cut < whole.length; cut++) {
      const r = decode([whole.slice(0, cut), whole.slice(cut)]);
      assert.equal(r.heads[0].status, 200);
      assert.deepEqual(r.lines, ['{"a":1}', '{"b":2}']);
      assert.equal(r.ended, true);
    }
    const bytewise = decode([...whole]);
    assert.deepEqual(bytewise.lines, ['{"a":1}', '{"b":2}']);
  });
  it('handles close-delimited and Content-Length bodies and CRLF line ends', () => {
    const r = decode(['HTTP/1.1 200 OK\r\n\r\nx\r\ny\n']);
    assert.deepEqual(r.lines, ['x', 'y']);
    const c = decode(['HTTP/1.0 503 Service Unavailable\r\nContent-Length: 3\r\n\r\nz\n\n']);
    assert.equal(c.heads[0].status, 503);
    assert.equal(c.ended, true);
  });
  it('rejects garbage instead of buffering it', () => {
    assert.throws(() => decode(['SSH-2.0-x\r\n\r\n']), /bad status line/);
    assert.throws(() => decode([`${head}zz\r\n`]), /bad chunk size/);
    assert.throws(() => decode([`HTTP/1.1 200 OK\r\n${'x'.repeat(20000)}`]), /too large/);
  });
});
