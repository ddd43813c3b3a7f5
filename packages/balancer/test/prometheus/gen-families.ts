/**
 * Writes src/stats/promex-families.ts from the recorded exporter output of the real haproxy 2.6
 * (test/prometheus/expected.json, full scrape): every metric family's name, HELP text and TYPE, in
 * the exporter's order.
 *   node packages/balancer/test/prometheus/gen-families.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scrape } from './scenario.ts';

const exp = JSON.parse(readFileSync(join(import.meta.dirname, 'expected.json'), 'utf8')) as {
  scrapes: Record<string, Scrape>;
};
const families = exp.scrapes['/metrics'].families.map((f) => [f.name, f.help, f.type]);
const out = `/**
 * HAProxy 2.6's Prometheus exporter metric families (name, HELP, TYPE), in the order it prints them,
 * as the real haproxy printed them. Generated from the recording by test/prometheus/gen-families.ts;
 * do not edit.
 */
export const PROMEX_FAMILIES: readonly (readonly [name: string, help: string, type: 'gauge' | 'counter'])[] = ${JSON.stringify(families, null, 2)};
`;
writeFileSync(join(import.meta.dirname, '../../src/stats/promex-families.ts'), out);
console.log(`wrote src/stats/promex-families.ts: ${families.length} families`);
