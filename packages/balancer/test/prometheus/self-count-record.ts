/**
 * Records how HAProxy 2.6 counts the exporter's own requests (self-count.ts) into
 * self-count-expected.json (never hand-written):
 *   node packages/balancer/test/prometheus/self-count-record.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSelfCount } from './self-count.ts';

if (import.meta.main) {
  const recordedWith = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const r = await runSelfCount('haproxy');
  const file = join(import.meta.dirname, 'self-count-expected.json');
  writeFileSync(file, `${JSON.stringify({ recordedWith, ...r }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
