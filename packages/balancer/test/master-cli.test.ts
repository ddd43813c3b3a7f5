/**
 * The master CLI (`-S`) answers as HAProxy 2.6's (master-cli-expected.json, recorded by
 * master-cli-record.ts): `show proc`'s layout, `reload` (no reply, connection closed, the master's
 * reload count up), `@<n>`/`@!<pid>` routed to the worker, levels, prompt mode, errors. What
 * differs by nature (pids, uptimes, the version string) is normalized on both sides.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { BALANCER_VERSION } from '../src/version.ts';
import { type MasterCliResult, runMasterCli } from './master-cli-run.ts';

const expected = JSON.parse(
  readFileSync(new URL('./master-cli-expected.json', import.meta.url), 'utf8'),
) as MasterCliResult & { recordedWith: string };

describe(`master CLI as ${expected.recordedWith}`, async () => {
  const ours = await runMasterCli('balancer', BALANCER_VERSION);
  for (const [line, reply] of Object.entries(expected.admin))
    test(`admin: ${JSON.stringify(line)}`, () => assert.equal(ours.admin[line], reply));
  for (const [line, reply] of Object.entries(expected.user))
    test(`level user: ${JSON.stringify(line)}`, () => assert.equal(ours.user[line], reply));
  test('prompt mode: a session of several lines', () => assert.equal(ours.prompt, expected.prompt));
  test('@1 and @!<pid> reach the worker', () => assert.deepEqual(ours.routed, expected.routed));
  test('reload: no reply, the connection closes, show proc counts it', () =>
    assert.deepEqual(ours.reload, expected.reload));
});
