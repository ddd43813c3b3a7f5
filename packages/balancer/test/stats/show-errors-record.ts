/**
 * Records HAProxy 2.6's `show errors` after malformed requests (show-errors-scenario.ts) into
 * show-errors-expected.json (never hand-written):
 *   node packages/balancer/test/stats/show-errors-record.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runShowErrors } from './show-errors-scenario.ts';

if (import.meta.main) {
  const recordedWith = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const replies = await runShowErrors('haproxy');
  writeFileSync(
    join(import.meta.dirname, 'show-errors-expected.json'),
    `${JSON.stringify({ recordedWith, replies }, null, 2)}\n`,
  );
  for (const [k, v] of Object.entries(replies)) process.stdout.write(`## ${k}\n${v}`);
}
