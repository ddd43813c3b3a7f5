/**
 * HTTP authentication against HAProxy 2.6: userlists, `http-request auth`, the http_auth* fetches,
 * `stats http-request` and `stats admin if COND` — every row of auth-cases.ts answered as HAProxy
 * answered it (auth-expected.json, recorded by auth-record.ts), and what `-c` refuses.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AUTH_CASES } from './auth-cases.ts';
import { AUTH_EXPECTED_FILE, type AuthExpectedFile, runAuthCases } from './auth-record.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, startProxy } from './support/proc.ts';
import { openClient } from './support/raw-client.ts';

const expected: AuthExpectedFile = JSON.parse(readFileSync(AUTH_EXPECTED_FILE, 'utf8'));
const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'balancer-auth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('authentication: the balancer answers every row as HAProxy 2.6 did', () => {
  let got: Record<string, string> = {};
  before(async () => {
    got = await runAuthCases('balancer');
  });
  test('every row is recorded', () => {
    assert.deepEqual(
      AUTH_CASES.map((c) => c.id).filter((id) => !(id in expected.cases)),
      [],
      'run auth-record.ts',
    );
  });
  for (const c of AUTH_CASES) {
    test(c.id, () => {
      assert.equal(got[c.id], expected.cases[c.id], `${c.lines.join(' ; ')}  ${c.req.target}`);
    });
  }
});

const BASE = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

function check(text: string): { code: number | null; out: string } {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(f, text);
  const r = spawnSync(process.execPath, [CLI, '-c', '-f', f], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}`.replaceAll(f, 'F') };
}

describe('-c on userlists', () => {
  test('a password hash the balancer cannot verify is refused, naming the userlist and what to write', () => {
    const r = check(`${BASE}userlist admins
    user old password $1$saltsalt$RwMqRjSWhXMKbW72DwzGd1
frontend fe
    bind 127.0.0.1:1
    http-request auth unless { http_auth(admins) }
    default_backend be
backend be
    server s 127.0.0.1:2
`);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /\[ALERT\].*parsing \[F:6\] : userlist 'admins': user 'old': password hash scheme '\$1\$' is not supported by the balancer .*'openssl passwd -6'.*'insecure-password'/,
    );
  });

  test('an ACL on a group the userlist does not have is refused, as HAProxy refuses it', () => {
    const text = `${BASE}userlist admins
    group ops
    user a insecure-password x groups ops
frontend fe
    bind 127.0.0.1:1
    http-request deny unless { http_auth_group(admins) nobody }
    default_backend be
backend be
    server s 127.0.0.1:2
`;
    const r = check(text);
    assert.equal(r.code, 1, r.out);
    assert.match(
      r.out,
      /parsing \[F:11\] .*http_auth_group\(admins\): invalid group 'nobody' \(userlist 'admins' has 'ops'\)/,
    );
    if (haproxyPath()) {
      const f = join(dir, 'group.cfg');
      writeFileSync(f, text);
      const h = spawnSync(haproxyPath()!, ['-c', '-f', f], { encoding: 'utf8' });
      assert.notEqual(h.status, 0, 'haproxy refuses it too');
      assert.match(h.stderr, /invalid group 'nobody'/);
    }
  });

  test('-c says nothing about userlists, http-request auth, stats http-request or stats admin: they are applied', () => {
    const r = check(`${BASE}userlist admins
    user a insecure-password x
listen st
    bind 127.0.0.1:1
    stats enable
    stats uri /
    stats http-request auth unless { http_auth(admins) }
    stats admin if { http_auth(admins) }
    http-request auth if !{ http_auth(admins) }
    server s 127.0.0.1:2
`);
    assert.equal(r.code, 0, r.out);
    assert.doesNotMatch(r.out, /not (applied|implemented)/);
  });
});

/** Three requests one after the other on one connection: the statuses that came back. */
async function threeRequests(port: number): Promise<string[]> {
  const c = openClient(port);
  await c.connected;
  try {
    for (let n = 1; n <= 3; n++) {
      c.write(`GET /${n} HTTP/1.1\r\nHost: x\r\n\r\n`);
      // each answer is a whole 401 page; the next request goes on the same connection
      if (!(await c.until((t) => (t.match(/<\/html>\n/g) ?? []).length >= n || c.closed(), 3000))) break;
    }
    return c.text().match(/^HTTP\/1\.1 \d+/gm) ?? [];
  } finally {
    c.sock.destroy();
  }
}

test('http-request auth keeps the client connection open for the retry with credentials, as HAProxy', async () => {
  const port = await freePort();
  const cfg = `${BASE}frontend fe
    bind 127.0.0.1:${port}
    http-request auth realm R
    default_backend be
backend be
    server s 127.0.0.1:1
`;
  const want = ['HTTP/1.1 401', 'HTTP/1.1 401', 'HTTP/1.1 401'];
  for (const kind of haproxyPath() ? (['haproxy', 'balancer'] as const) : (['balancer'] as const)) {
    const proxy = await startProxy(kind, cfg, [port]);
    try {
      assert.deepEqual(await threeRequests(port), want, kind);
    } finally {
      await proxy.stop();
    }
  }
});
