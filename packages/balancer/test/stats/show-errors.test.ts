/**
 * `show errors` answers byte for byte as HAProxy 2.6's after the same malformed requests
 * (show-errors-expected.json, recorded by show-errors-record.ts), dates and ports masked.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runShowErrors } from './show-errors-scenario.ts';

const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'show-errors-expected.json'), 'utf8')) as {
  recordedWith: string;
  replies: Record<string, string>;
};

describe(`show errors as ${expected.recordedWith}`, async () => {
  const ours = await runShowErrors('balancer');
  for (const [name, reply] of Object.entries(expected.replies))
    test(name, () => assert.equal(ours[name], reply));
});
