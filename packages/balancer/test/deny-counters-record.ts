/**
 * Records the counters HAProxy 2.6 shows after deny-counters-run.ts's requests:
 *   node packages/balancer/test/deny-counters-record.ts              # (re)write deny-counters-expected.json
 *   node packages/balancer/test/deny-counters-record.ts --balancer   # print the balancer's
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDenyCounters } from './deny-counters-run.ts';
import { haproxyPath } from './support/proc.ts';

export const DENY_COUNTERS_FILE = join(import.meta.dirname, 'deny-counters-expected.json');

if (import.meta.main) {
  if (process.argv.includes('--balancer')) {
    console.log((await runDenyCounters('balancer')).join('\n'));
  } else {
    const bin = haproxyPath();
    if (!bin) throw new Error('haproxy not found');
    const rows = await runDenyCounters('haproxy');
    const recordedWith = execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0];
    writeFileSync(
      DENY_COUNTERS_FILE,
      `${JSON.stringify({ recordedWith, recordedAt: new Date().toISOString(), rows }, null, 2)}\n`,
    );
    console.log(rows.join('\n'));
  }
}
