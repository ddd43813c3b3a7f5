/**
 * The rule engine against HAProxy 2.6: every row of rules-cases.ts (fetches, converters, match
 * methods, conditions, routing, rule order, actions) answered by the balancer exactly as HAProxy
 * answered it (rules-expected.json, recorded by rules-record.ts; never derived from our code).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { RULE_CASES } from './rules-cases.ts';
import { RULES_EXPECTED_FILE, type RulesExpectedFile } from './rules-record.ts';
import { runRuleCases } from './rules-run.ts';

const expected: RulesExpectedFile = JSON.parse(readFileSync(RULES_EXPECTED_FILE, 'utf8'));

describe('rules: the balancer answers every row as HAProxy 2.6 did', () => {
  let got: Record<string, string> = {};
  before(async () => {
    got = await runRuleCases('balancer');
  });
  test('every row is recorded', () => {
    assert.deepEqual(
      RULE_CASES.map((c) => c.id).filter((id) => !(id in expected.cases)),
      [],
      'run rules-record.ts',
    );
  });
  for (const c of RULE_CASES) {
    test(c.id, () => {
      assert.equal(got[c.id], expected.cases[c.id], `${c.lines.join(' ; ')}  ${c.req.target}`);
    });
  }
});
