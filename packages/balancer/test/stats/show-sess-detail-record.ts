/**
 * Records HAProxy 2.6's `show sess <id>` (show-sess-detail-scenario.ts) into
 * show-sess-detail-expected.json (never hand-written):
 *   node packages/balancer/test/stats/show-sess-detail-record.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runShowSessDetail } from './show-sess-detail-scenario.ts';

if (import.meta.main) {
  const recordedWith = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const r = await runShowSessDetail('haproxy');
  writeFileSync(
    join(import.meta.dirname, 'show-sess-detail-expected.json'),
    `${JSON.stringify({ recordedWith, ...r }, null, 2)}\n`,
  );
  process.stdout.write(`${r.detail}---\n${JSON.stringify(r.unknown)}\n`);
}
