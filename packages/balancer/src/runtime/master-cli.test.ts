import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMasterCliArg, procUptime } from './master-cli.ts';

test('-S arguments: a path or an address, then name,value options', () => {
  assert.deepEqual(parseMasterCliArg('/run/m.sock,mode,600,level,user').address, {
    kind: 'unix',
    path: '/run/m.sock',
  });
  const s = parseMasterCliArg('ipv4@127.0.0.1:9999,level,operator');
  assert.deepEqual(s.address, { kind: 'inet', host: '127.0.0.1', port: 9999 });
  assert.equal(s.level, 'operator');
  assert.equal(parseMasterCliArg('/x,mode,600').mode, 0o600);
  assert.throws(() => parseMasterCliArg('/x,mode'), /expects a value/);
  assert.throws(() => parseMasterCliArg('/x,bogus,1'), /unknown option/);
});

test("show proc's uptime is HAProxy's 0d00h00m01s", () => {
  assert.equal(procUptime(1500), '0d00h00m01s');
  assert.equal(procUptime((86400 + 3600 * 2 + 60 * 3 + 4) * 1000), '1d02h03m04s');
});
