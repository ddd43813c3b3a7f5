import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BALANCER_VERSION } from '../version.ts';
import { runCheck } from './check.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SEED_SHARED = join(REPO, '..', 'shared', 'seeds', 'haproxy.cfg');
const SEED_COPY = join(REPO, 'packages', 'shared-config', 'test', 'fixtures', 'seed', 'haproxy.cfg');

function capture() {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: {},
      pid: 'PID',
      executable: 'BALANCER',
    },
    out: () => out,
    err: () => err.split('\n').filter((l) => l !== ''),
  };
}

/** The only warning the seed produces: its legacy `frontend proxy *:80` line. */
function assertSeedOutput(c: ReturnType<typeof capture>, file: string) {
  assert.equal(c.out(), 'Warnings were found.\nConfiguration file is valid\n');
  const lines = c.err();
  assert.deepEqual(lines.slice(0, 2), [
    `[NOTICE]   (PID) : balancer version is ${BALANCER_VERSION}`,
    '[NOTICE]   (PID) : path to executable is BALANCER',
  ]);
  for (const l of lines.slice(2)) {
    assert.match(l, /^\[WARNING\] {2}\(PID\) : config : parsing \[.*haproxy\.cfg:\d+\] : /);
    assert.match(l, /(is|are) parsed but not applied yet|legacy form that HAProxy 2\.x rejects/, l);
  }
  assert.ok(
    lines.includes(
      `[WARNING]  (PID) : config : parsing [${file}:33] : 'frontend proxy *:80': listening addresses on the 'frontend' line are a legacy form that HAProxy 2.x rejects; write 'frontend proxy' and, inside the section, 'bind *:80'.`,
    ),
  );
  // chroot is applied (cli/jail.ts): the legacy frontend line is the seed's only warning
  assert.ok(!lines.some((l) => l.includes('chroot')), lines.join('\n'));
  assert.equal(lines.length, 3, lines.join('\n'));
  // the seed's persistence (cookie, server cookie, option redispatch) is in effect: nothing to say
  assert.ok(!lines.some((l) => /'cookie'|option 'cookie'|'option redispatch'/.test(l)), lines.join('\n'));
}

describe('balancer -c (runCheck)', () => {
  test('the seed copy checks clean: exit 0', async () => {
    const c = capture();
    assert.equal(await runCheck([SEED_COPY], c.io), 0);
    assertSeedOutput(c, SEED_COPY);
  });

  test('the seed in ../shared checks clean too', {
    skip: !existsSync(SEED_SHARED) && 'no ../shared here',
  }, async () => {
    const c = capture();
    assert.equal(await runCheck([SEED_SHARED], c.io), 0);
    assertSeedOutput(c, SEED_SHARED);
  });

  test('an alert prints HAProxy-style lines and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    try {
      const f = join(dir, 'bad.cfg');
      writeFileSync(f, 'defaults\n    timout client 10s\n    timeout server 10x\n');
      const c = capture();
      assert.equal(await runCheck([f], c.io), 1);
      assert.equal(c.out(), '');
      assert.deepEqual(c.err().slice(2), [
        `[ALERT]    (PID) : config : parsing [${f}:2] : unknown keyword 'timout' in 'defaults' section; did you mean 'timeout' maybe ?`,
        `[ALERT]    (PID) : config : parsing [${f}:3] : unexpected character 'x' in 'timeout server' (units are us, ms, s, m, h, d; e.g. '10s')`,
        `[ALERT]    (PID) : config : Error(s) found in configuration file : ${f}`,
        '[ALERT]    (PID) : config : Fatal errors found in configuration.',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a valid file without warnings prints only the verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    try {
      const f = join(dir, 'ok.cfg');
      writeFileSync(
        f,
        'global\n    pidfile /run/x.pid\ndefaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 1s\nfrontend f\n    bind :80\n    default_backend b\nbackend b\n    server s 127.0.0.1:8080\n',
      );
      const c = capture();
      assert.equal(await runCheck([f], c.io), 0);
      assert.equal(c.out(), 'Configuration file is valid\n');
      assert.deepEqual(c.err(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing file exits 1', async () => {
    const c = capture();
    assert.equal(await runCheck(['/nonexistent/haproxy.cfg'], c.io), 1);
    assert.deepEqual(c.err().slice(2), [
      // haproxy.c: a -f that does not exist stops everything at once, without "Fatal errors found"
      '[ALERT]    (PID) : config : Cannot open configuration file/directory /nonexistent/haproxy.cfg : No such file or directory',
    ]);
  });
});
