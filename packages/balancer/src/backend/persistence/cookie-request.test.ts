import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSpec } from '../../../test/support/harness.ts';
import { newServerState, type ServerState } from '../server.ts';
import { encodeDate } from './cookie-date.ts';
import { processCookieHeader, type RequestContext, RequestCookies } from './cookie-request.ts';
import type { CookieSpec } from './cookie-spec.ts';

// What the request side decides, beyond the forwarded header (which test/cookie/ compares with
// HAProxy byte for byte): the verdict HAProxy logs (%CC flags) and the dates it carries to the response.

const spec = (over: Partial<CookieSpec> = {}): CookieSpec => ({
  name: 'S',
  mode: 'insert',
  indirect: true,
  nocache: false,
  postonly: false,
  preserve: false,
  httponly: false,
  secure: false,
  domains: [],
  attrs: [],
  maxidle: 0,
  maxlife: 0,
  dynamic: false,
  ...over,
});
const server = (name: string, cookie: string | null, up = true): ServerState => {
  const st = newServerState(serverSpec({ name, cookie }));
  st.up = up;
  return st;
};
const NOW = 1_700_000_000;
function run(value: string, sp: CookieSpec, servers: ServerState[], persist = false) {
  const ctx: RequestContext = { servers, persist, ignore: false, now: NOW };
  const st = new RequestCookies();
  const out = processCookieHeader(value, sp, ctx, st);
  return { out, st };
}

test('verdicts: valid, invalid, down (and down with option persist), unused', () => {
  const a = server('a', 'A');
  const b = server('b', 'B', false);
  assert.equal(run('S=A', spec(), [a, b]).st.verdict, 'valid');
  assert.equal(run('S=A', spec(), [a, b]).st.server, a);
  assert.equal(run('S=Z', spec(), [a, b]).st.verdict, 'invalid');
  assert.equal(run('S=B', spec(), [a, b]).st.verdict, 'down');
  assert.equal(run('S=B', spec(), [a, b]).st.server, null);
  const persisted = run('S=B', spec(), [a, b], true).st;
  assert.equal(persisted.server, b);
  assert.equal(persisted.verdict, 'down');
  assert.equal(run('x=1', spec(), [a, b]).st.verdict, 'none');
  // a second cookie of ours once a server is designated is not used
  const two = run('S=A; S=B', spec(), [a, server('b2', 'B')]).st;
  assert.equal(two.server, a);
  assert.equal(two.verdict, 'valid');
});

test('dates: kept for the response when fresh; expired (maxidle) and old (maxlife) cookies count as none', () => {
  const a = server('a', 'A');
  const fresh = run(
    `S=A|${encodeDate(NOW - 8)}|${encodeDate(NOW - 100)}`,
    spec({ maxidle: 30, maxlife: 3600 }),
    [a],
  ).st;
  assert.equal(fresh.server, a);
  assert.equal(fresh.lastDate, NOW - 8);
  assert.equal(fresh.firstDate, NOW - 100);
  const idle = run(`S=A|${encodeDate(NOW - 100)}`, spec({ maxidle: 30 }), [a]).st;
  assert.deepEqual([idle.server, idle.verdict, idle.lastDate], [null, 'expired', 0]);
  const old = run(`S=A|${encodeDate(NOW)}|${encodeDate(NOW - 7200)}`, spec({ maxlife: 3600 }), [a]).st;
  assert.deepEqual([old.server, old.verdict, old.firstDate], [null, 'old', 0]);
  const future = run(`S=A|${encodeDate(NOW + 90_000)}`, spec({ maxidle: 30 }), [a]).st;
  assert.equal(future.verdict, 'expired', 'more than a day ahead');
  const ignored = run(`S=A|${encodeDate(NOW - 100)}`, spec(), [a]).st;
  assert.equal(ignored.server, a, 'without maxidle the date is not checked');
});

test('the returned value is the same string when nothing changes (no header rewrite)', () => {
  const v = 'a=1; b=2';
  assert.equal(run(v, spec(), [server('a', 'A')]).out, v);
  assert.equal(run('S=A', spec({ indirect: false }), [server('a', 'A')]).out, 'S=A');
  assert.equal(run('S=A', spec(), [server('a', 'A')]).out, '', 'insert indirect: nothing left');
});
