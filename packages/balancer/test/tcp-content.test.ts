/**
 * `tcp-request inspect-delay` / `tcp-request content` in mode tcp and the layer-6 fetches against
 * HAProxy 2.6: every row of tcp-content-cases.ts (what the client got, what the servers received,
 * the log's backend/server and termination state, whether the decision waited for the delay) as
 * HAProxy did it (tcp-content-expected.json, recorded by tcp-content-record.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { TCP_CONTENT_CASES } from './tcp-content-cases.ts';
import { TCP_CONTENT_EXPECTED_FILE, type TcpContentExpectedFile } from './tcp-content-record.ts';
import { runTcpContentCases } from './tcp-content-run.ts';

const expected: TcpContentExpectedFile = JSON.parse(readFileSync(TCP_CONTENT_EXPECTED_FILE, 'utf8'));

describe('tcp-request content: the balancer answers every row as HAProxy 2.6 did', () => {
  let got: Record<string, string> = {};
  before(async () => {
    got = await runTcpContentCases('balancer');
  });
  test('every row is recorded', () => {
    assert.deepEqual(
      TCP_CONTENT_CASES.map((c) => c.id).filter((id) => !(id in expected.cases)),
      [],
      'run tcp-content-record.ts',
    );
  });
  for (const c of TCP_CONTENT_CASES) {
    test(c.id, () => {
      assert.equal(got[c.id], expected.cases[c.id], c.lines.join(' ; '));
    });
  }
});
