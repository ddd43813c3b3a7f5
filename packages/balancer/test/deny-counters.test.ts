/**
 * The stats counters that rules move (dreq, dresp, dcon, dses, intercepted…), per frontend, backend and
 * server, after the same requests as HAProxy 2.6 got: deny-counters-expected.json, recorded by
 * deny-counters-record.ts from the real haproxy.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DENY_COUNTERS_FILE } from './deny-counters-record.ts';
import { runDenyCounters } from './deny-counters-run.ts';

test('rule denials, rejects and answers of its own count where HAProxy 2.6 counts them', async () => {
  const want = JSON.parse(readFileSync(DENY_COUNTERS_FILE, 'utf8')) as { rows: string[] };
  assert.deepEqual(await runDenyCounters('balancer'), want.rows);
});
