/**
 * Records HAProxy 2.6's answer to every row of auth-cases.ts:
 *   node packages/balancer/test/auth-record.ts            # (re)write auth-expected.json
 *   node packages/balancer/test/auth-record.ts --balancer # show where the balancer differs
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_CASES, comparableAnswer } from './auth-cases.ts';
import { runRuleCases } from './rules-run.ts';
import { haproxyPath, type ProxyKind } from './support/proc.ts';

export const AUTH_EXPECTED_FILE = join(import.meta.dirname, 'auth-expected.json');

export interface AuthExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, string>;
}

export async function runAuthCases(kind: ProxyKind): Promise<Record<string, string>> {
  const got = await runRuleCases(kind, AUTH_CASES);
  return Object.fromEntries(Object.entries(got).map(([id, a]) => [id, comparableAnswer(id, a)]));
}

if (import.meta.main) {
  if (process.argv.includes('--balancer')) {
    const want: AuthExpectedFile = JSON.parse(readFileSync(AUTH_EXPECTED_FILE, 'utf8'));
    const got = await runAuthCases('balancer');
    let diff = 0;
    for (const c of AUTH_CASES) {
      if (want.cases[c.id] === got[c.id]) continue;
      diff++;
      console.log(`DIFF ${c.id}\n--- haproxy\n${want.cases[c.id]}\n--- balancer\n${got[c.id]}\n`);
    }
    console.log(`${diff} of ${AUTH_CASES.length} rows differ`);
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const out: AuthExpectedFile = {
      recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
      recordedAt: new Date().toISOString(),
      cases: await runAuthCases('haproxy'),
    };
    writeFileSync(AUTH_EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${Object.keys(out.cases).length} rows recorded`);
  }
}
