/**
 * Records haproxy 2.6's replies (and the probes' observations) for the runtime-API scenario of
 * test/stats/runtime-scenario.ts:
 *   node packages/balancer/test/runtime-record.ts    # (re)write test/stats/runtime-expected.json
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRuntimeScenario } from './stats/runtime-scenario.ts';
import { haproxyPath } from './support/proc.ts';

export const RUNTIME_EXPECTED = join(import.meta.dirname, 'stats', 'runtime-expected.json');

if (import.meta.main) {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const dir = mkdtempSync(join(tmpdir(), 'rt-record-'));
  try {
    const run = await runRuntimeScenario('haproxy', dir);
    const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0];
    writeFileSync(RUNTIME_EXPECTED, `${JSON.stringify({ recordedWith: version, ...run }, null, 2)}\n`);
    console.log(`wrote ${RUNTIME_EXPECTED}: ${run.steps.length} steps`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
