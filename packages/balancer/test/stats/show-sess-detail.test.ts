/**
 * `show sess <id>` has HAProxy 2.6's layout, line for line, with the stream's identity (recorded in
 * show-sess-detail-expected.json by show-sess-detail-record.ts; HAProxy's internal flags, pointers
 * and timers masked on both sides, show-sess-detail-scenario.ts); an unknown id gets its reply.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runShowSessDetail } from './show-sess-detail-scenario.ts';

const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, 'show-sess-detail-expected.json'), 'utf8'),
) as { recordedWith: string; detail: string; unknown: string };

test(`show sess <id> as ${expected.recordedWith}`, async () => {
  const ours = await runShowSessDetail('balancer');
  assert.equal(ours.detail, expected.detail);
  assert.equal(ours.unknown, expected.unknown);
});
