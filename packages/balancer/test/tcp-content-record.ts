/**
 * Records HAProxy 2.6's answer to every row of tcp-content-cases.ts:
 *   node packages/balancer/test/tcp-content-record.ts            # (re)write tcp-content-expected.json
 *   node packages/balancer/test/tcp-content-record.ts --balancer # show where the balancer differs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haproxyPath } from './support/proc.ts';
import { TCP_CONTENT_CASES } from './tcp-content-cases.ts';
import { runTcpContentCases } from './tcp-content-run.ts';

export const TCP_CONTENT_EXPECTED_FILE = join(import.meta.dirname, 'tcp-content-expected.json');

export interface TcpContentExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, string>;
}

if (import.meta.main) {
  const balancer = process.argv.includes('--balancer');
  if (balancer) {
    const want: TcpContentExpectedFile = JSON.parse(readFileSync(TCP_CONTENT_EXPECTED_FILE, 'utf8'));
    const got = await runTcpContentCases('balancer');
    let diff = 0;
    for (const c of TCP_CONTENT_CASES) {
      if (want.cases[c.id] === got[c.id]) continue;
      diff++;
      console.log(`DIFF ${c.id}\n--- haproxy\n${want.cases[c.id]}\n--- balancer\n${got[c.id]}\n`);
    }
    console.log(`${diff} of ${TCP_CONTENT_CASES.length} rows differ`);
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const got = await runTcpContentCases('haproxy');
    const out: TcpContentExpectedFile = {
      recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
      recordedAt: new Date().toISOString(),
      cases: got,
    };
    if (existsSync(TCP_CONTENT_EXPECTED_FILE)) console.log('rewriting', TCP_CONTENT_EXPECTED_FILE);
    writeFileSync(TCP_CONTENT_EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${Object.keys(got).length} rows recorded`);
  }
}
