import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkDecoder } from './chunk-decoder.ts';

test('chunked body to its data, across any split, extensions and trailers skipped', () => {
  const wire = Buffer.from('3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n', 'latin1');
  for (let cut = 0; cut <= wire.length; cut++) {
    const d = new ChunkDecoder();
    const out: string[] = [];
    const push = (b: Buffer) => out.push(b.toString('latin1'));
    const first = d.feed(wire.subarray(0, cut), push);
    const done = d.feed(wire.subarray(cut), push);
    assert.equal(out.join(''), 'abc0123456789', `cut at ${cut}`);
    assert.equal(first || done, true);
  }
});

test('the last chunk without trailers ends the body', () => {
  const d = new ChunkDecoder();
  assert.equal(
    d.feed(Buffer.from('0\r\n\r\n'), () => {}),
    true,
  );
});
