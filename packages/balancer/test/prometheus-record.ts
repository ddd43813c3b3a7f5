/**
 * Records HAProxy 2.6's Prometheus exporter (the `prometheus-exporter` service, shown by `haproxy -vv`)
 * on the scenario of test/prometheus/scenario.ts:
 *   node packages/balancer/test/prometheus-record.ts        # (re)write test/prometheus/expected.json
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './prometheus/scenario.ts';
import { haproxyPath } from './support/proc.ts';

export const EXPECTED_FILE = join(import.meta.dirname, 'prometheus', 'expected.json');

if (import.meta.main) {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const vv = execFileSync(bin, ['-vv'], { encoding: 'utf8' });
  if (!vv.includes('prometheus-exporter')) throw new Error('this haproxy has no prometheus-exporter service');
  const scrapes = await runScenario('haproxy');
  const out = { recordedWith: vv.split('\n')[0], recordedAt: new Date().toISOString(), scrapes };
  writeFileSync(EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${EXPECTED_FILE}: ${Object.keys(scrapes).length} scrapes`);
}
