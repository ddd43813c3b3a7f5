/**
 * Records what HAProxy 2.6 answers in the stats scenario (test/stats/scenario.ts) into
 * test/stats/stats-expected.json (never hand-written):
 *   node packages/balancer/test/stats-record.ts
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, startScenario } from './stats/scenario.ts';

export const STATS_EXPECTED = join(import.meta.dirname, 'stats', 'stats-expected.json');

const dir = mkdtempSync(join(tmpdir(), 'stats-record-'));
const s = await startScenario('haproxy', dir);
try {
  const run = await runScenario(s);
  const version = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  writeFileSync(
    STATS_EXPECTED,
    `${JSON.stringify({ recordedWith: version, recordedAt: new Date().toISOString(), ports: s.ports, ...run }, null, 1)}\n`,
  );
  console.log(`wrote ${STATS_EXPECTED}`);
} finally {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
}
