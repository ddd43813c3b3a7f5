import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFraming, FRAMING_CHUNKED, FRAMING_CLOSE, FRAMING_LENGTH } from './body-framing.ts';

function chunked(raw: string, split = 0): { taken: number; done: boolean } {
  const f = new BodyFraming();
  f.reset(FRAMING_CHUNKED, 0);
  const buf = Buffer.from(raw, 'latin1');
  if (split > 0) {
    // feed byte by byte groups to exercise state carried across reads
    let taken = 0;
    for (let i = 0; i < buf.length && !f.done; i += split) {
      const n = f.consume(buf, i, Math.min(buf.length, i + split));
      if (n < 0) return { taken: -1, done: false };
      taken += n;
    }
    return { taken, done: f.done };
  }
  return { taken: f.consume(buf, 0, buf.length), done: f.done };
}

test('chunked bodies: end found exactly, in one read or byte by byte', () => {
  const body =
    '5\r\nhello\r\n1a;ext=1;x="y"\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: t\r\nX: y\r\n\r\n';
  for (const split of [0, 1, 3, 7]) {
    const r = chunked(`${body}NEXT`, split);
    assert.deepEqual(r, { taken: body.length, done: true }, `split ${split}`);
  }
  assert.deepEqual(chunked('0\r\n\r\n'), { taken: 5, done: true });
  assert.deepEqual(chunked('A \r\n0123456789\r\n0\r\n\r\n'), { taken: 21, done: true });
});

test('chunked bodies: malformed framing is an error', () => {
  for (const bad of [
    'g\r\n',
    '\r\n',
    '5\r\nhelloX\r\n',
    `${'f'.repeat(16)}\r\n`,
    '5\x01\r\n',
    '5\r\nhello\r\n0\r\nBad\x01: x\r\n\r\n',
    '-5\r\n',
    '5\rX',
  ]) {
    assert.equal(chunked(bad).taken, -1, JSON.stringify(bad));
  }
});

test('incomplete chunked body is not done', () => {
  assert.deepEqual(chunked('5\r\nhel'), { taken: 6, done: false });
});

test('content-length and close-delimited framing', () => {
  const f = new BodyFraming();
  f.reset(FRAMING_LENGTH, 10);
  assert.equal(f.consume(Buffer.alloc(4), 0, 4), 4);
  assert.equal(f.done, false);
  assert.equal(f.consume(Buffer.alloc(20), 0, 20), 6);
  assert.equal(f.done, true);
  f.reset(FRAMING_CLOSE, 0);
  assert.equal(f.consume(Buffer.alloc(20), 0, 20), 20);
  assert.equal(f.done, false);
  f.reset(FRAMING_LENGTH, 0);
  assert.equal(f.done, true);
});
