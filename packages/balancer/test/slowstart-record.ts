/**
 * Records what HAProxy 2.6 shows during a server's `slowstart` (slowstart-scenario.ts) into
 * slowstart-expected.json (never hand-written):
 *   node packages/balancer/test/slowstart-record.ts            # (re)write the file from the real haproxy
 *   node packages/balancer/test/slowstart-record.ts --check    # print haproxy's run beside the file
 */

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSlowstart } from './slowstart-scenario.ts';
import { haproxyPath } from './support/proc.ts';

export const SLOWSTART_EXPECTED = join(import.meta.dirname, 'slowstart-expected.json');

if (import.meta.main) {
  const bin = haproxyPath();
  if (bin === null) throw new Error('haproxy is not installed');
  const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const run = await runSlowstart('haproxy');
  const out = { haproxy: version, ...run };
  if (process.argv.includes('--check')) {
    console.log(
      JSON.stringify({ now: out, file: JSON.parse(readFileSync(SLOWSTART_EXPECTED, 'utf8')) }, null, 2),
    );
  } else {
    writeFileSync(SLOWSTART_EXPECTED, `${JSON.stringify(out, null, 2)}\n`);
    console.log(JSON.stringify(out, null, 2));
  }
}
