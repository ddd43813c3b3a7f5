import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BodyFraming, FRAMING_LENGTH, FRAMING_NONE } from './body-framing.ts';
import { HeadEdits, UPGRADE_NAME } from './head-edits.ts';
import { findHeadEnd, newHead, parseHead } from './head-parser.ts';

function edit(raw: string, isRequest: boolean, fn: (e: HeadEdits) => void, bodyLength = 0): string {
  const buf = Buffer.from(raw, 'latin1');
  const end = findHeadEnd(buf, 0);
  const h = parseHead(newHead(101), buf, end, isRequest, 101, null);
  assert.equal(h.error, null);
  const e = new HeadEdits().reset(h, buf);
  fn(e);
  const body = new BodyFraming();
  body.reset(bodyLength > 0 ? FRAMING_LENGTH : FRAMING_NONE, bodyLength);
  const out = e.build(end, buf.length - end, body);
  assert.ok(out);
  return out.buf.toString('latin1');
}

const REQ = 'GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nX-Drop: 1\r\nAccept: */*\r\nx-drop: 2\r\n\r\n';

test('no edit: the head is forwarded byte for byte', () => {
  assert.equal(
    edit(REQ, true, () => {}),
    REQ,
  );
});

test('drop removes every line of that name (any case), keeping the others in order', () => {
  const out = edit(REQ, true, (e) => assert.equal(e.drop(Buffer.from('x-drop')), 2));
  assert.equal(out, 'GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n');
});

test('set replaces by one appended line; append adds after the kept lines', () => {
  const out = edit(REQ, true, (e) => {
    e.set(Buffer.from('accept'), 'Accept', 'text/plain');
    e.append('X-New: yes');
  });
  assert.equal(
    out,
    'GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\nX-Drop: 1\r\nx-drop: 2\r\nAccept: text/plain\r\nX-New: yes\r\n\r\n',
  );
});

test('method, path and query are changed independently', () => {
  assert.match(
    edit(REQ, true, (e) => e.setMethod('POST')),
    /^POST \/a\/b\?x=1&y=2 HTTP\/1\.1\r\n/,
  );
  assert.match(
    edit(REQ, true, (e) => e.setPath('/z')),
    /^GET \/z\?x=1&y=2 HTTP\/1\.1\r\n/,
  );
  assert.match(
    edit(REQ, true, (e) => e.setQuery('q=3')),
    /^GET \/a\/b\?q=3 HTTP\/1\.1\r\n/,
  );
  assert.match(
    edit(REQ, true, (e) => e.setQuery(null)),
    /^GET \/a\/b HTTP\/1\.1\r\n/,
  );
  assert.match(
    edit('GET /p HTTP/1.1\r\nHost: h\r\n\r\n', true, (e) => e.setQuery('a=b')),
    /^GET \/p\?a=b HTTP\/1\.1\r\n/,
  );
});

test('keep restores a hop-by-hop header the parser marked (an Upgrade that goes through)', () => {
  const raw = 'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n';
  assert.doesNotMatch(
    edit(raw, true, () => {}),
    /Upgrade: websocket/,
  );
  const kept = edit(raw, true, (e) => e.keep(UPGRADE_NAME));
  assert.match(kept, /\r\nUpgrade: websocket\r\n/);
  assert.doesNotMatch(kept, /Connection:/, 'Connection itself stays dropped');
});

test('the body bytes that came with the head follow it, as much as belongs to the message', () => {
  const raw = 'POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcNEXT';
  assert.equal(
    edit(raw, true, (e) => e.append('X: 1'), 3),
    'POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX: 1\r\n\r\nabc',
  );
});

test('a response start line can be replaced', () => {
  const out = edit('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false, (e) =>
    e.setStartLine('HTTP/1.1 200 OK\r\n'),
  );
  assert.equal(out, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
});
