import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadBalancerConfigText } from './load.ts';

const BASE = 'defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n';
const load = (binds: string) =>
  loadBalancerConfigText(
    [
      {
        path: 't.cfg',
        text: `${BASE}frontend f\n${binds}  default_backend b\nbackend b\n  server s 127.0.0.1:1\n`,
      },
    ],
    { env: {} },
  );
const nonlocal = readFileSync('/proc/sys/net/ipv4/ip_nonlocal_bind', 'utf8').trim() === '1';

test('-c warns about a bind address that is not on this host, and says what to do', {
  skip: nonlocal && 'ip_nonlocal_bind=1 here',
}, () => {
  const r = load('  bind 10.99.99.99:80\n');
  assert.ok(r.engine, 'a warning: the file may be checked on another host');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.line]),
    [['warning', 7]],
  );
  assert.match(r.diagnostics[0].message, /not an address of this host.*ip_nonlocal_bind=1/);
});

test('loopback, wildcards and existing socket directories are fine', () => {
  const r = load('  bind 127.0.0.1:80\n  bind *:81\n  bind :::82\n  bind unix@/tmp/lb-test.sock\n');
  assert.deepEqual(r.diagnostics, []);
});

test('a UNIX socket in a directory that does not exist', () => {
  const r = load('  bind unix@/nonexistent/dir/lb.sock\n');
  assert.match(r.diagnostics[0]?.message ?? '', /directory \/nonexistent\/dir does not exist/);
});
