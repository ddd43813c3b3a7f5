/**
 * Every row of the load-balancing table (lb-algorithms-cases.ts) run through the balancer process on
 * loopback: the server chosen for each request or connection must be the one HAProxy 2.6 chose
 * (lb-algorithms-expected.json, recorded by lb-algorithms-record.ts, never written by hand). Same
 * choices mean users moving from HAProxy keep their caches' affinity and their capacity plans.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CASES } from './lb-algorithms-cases.ts';
import { LB_EXPECTED_FILE, type LbExpectedFile } from './lb-algorithms-record.ts';
import { runLbCase } from './lb-algorithms-run.ts';

const expected = JSON.parse(readFileSync(LB_EXPECTED_FILE, 'utf8')) as LbExpectedFile;

describe('load-balancing algorithms: the balancer chooses the servers HAProxy 2.6 chose', () => {
  it('every row has a recorded HAProxy outcome', () => {
    assert.deepEqual(
      CASES.filter((c) => !expected.cases[c.id]).map((c) => c.id),
      [],
      'run lb-algorithms-record.ts',
    );
    assert.equal(new Set(CASES.map((c) => c.id)).size, CASES.length, 'row ids are unique');
  });
  for (const c of CASES) {
    it(`${c.id}: ${c.what}`, async () => {
      const got = await runLbCase('balancer', c);
      assert.deepEqual(got, expected.cases[c.id]?.servers);
    });
  }
});
