/**
 * Records HAProxy 2.6's answer to every row of rules-cases.ts:
 *   node packages/balancer/test/rules-record.ts            # (re)write rules-expected.json
 *   node packages/balancer/test/rules-record.ts --balancer # show where the balancer differs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_CASES } from './rules-cases.ts';
import { runRuleCases } from './rules-run.ts';
import { haproxyPath } from './support/proc.ts';

export const RULES_EXPECTED_FILE = join(import.meta.dirname, 'rules-expected.json');

export interface RulesExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, string>;
}

if (import.meta.main) {
  const balancer = process.argv.includes('--balancer');
  if (balancer) {
    const want: RulesExpectedFile = JSON.parse(readFileSync(RULES_EXPECTED_FILE, 'utf8'));
    const got = await runRuleCases('balancer');
    let diff = 0;
    for (const c of RULE_CASES) {
      if (want.cases[c.id] === got[c.id]) continue;
      diff++;
      console.log(`DIFF ${c.id}\n--- haproxy\n${want.cases[c.id]}\n--- balancer\n${got[c.id]}\n`);
    }
    console.log(`${diff} of ${RULE_CASES.length} rows differ`);
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const got = await runRuleCases('haproxy');
    const out: RulesExpectedFile = {
      recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
      recordedAt: new Date().toISOString(),
      cases: got,
    };
    if (existsSync(RULES_EXPECTED_FILE)) console.log('rewriting', RULES_EXPECTED_FILE);
    writeFileSync(RULES_EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${Object.keys(got).length} rows recorded`);
  }
}
