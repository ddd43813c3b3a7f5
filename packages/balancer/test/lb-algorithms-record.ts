/**
 * Records which server HAProxy 2.6 chooses for every row of lb-algorithms-cases.ts:
 *   node packages/balancer/test/lb-algorithms-record.ts            # (re)write lb-algorithms-expected.json
 *   node packages/balancer/test/lb-algorithms-record.ts ROW…       # re-record some rows
 *   node packages/balancer/test/lb-algorithms-record.ts --balancer # show where the balancer differs
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CASES } from './lb-algorithms-cases.ts';
import { runLbCase } from './lb-algorithms-run.ts';
import { haproxyPath } from './support/proc.ts';

export const LB_EXPECTED_FILE = join(import.meta.dirname, 'lb-algorithms-expected.json');

export interface LbExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, { what: string; servers: string[] }>;
}

if (import.meta.main) {
  const balancer = process.argv.includes('--balancer');
  const only = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--')));
  const old: LbExpectedFile | null = existsSync(LB_EXPECTED_FILE)
    ? JSON.parse(readFileSync(LB_EXPECTED_FILE, 'utf8'))
    : null;
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const out: LbExpectedFile = {
    recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
    recordedAt: new Date().toISOString(),
    cases: { ...(old?.cases ?? {}) },
  };
  let diff = 0;
  for (const c of CASES) {
    if (only.size > 0 && !only.has(c.id)) continue;
    const got = await runLbCase(balancer ? 'balancer' : 'haproxy', c);
    if (balancer) {
      const want = old?.cases[c.id]?.servers;
      if (isDeepStrictEqual(want, got)) console.log(`same ${c.id}`);
      else {
        diff++;
        console.log(`DIFF ${c.id}: ${c.what}\n  haproxy:  ${want?.join(' ')}\n  balancer: ${got.join(' ')}`);
      }
    } else {
      out.cases[c.id] = { what: c.what, servers: got };
      console.log(`${c.id}: ${got.join(' ')}`);
    }
  }
  if (balancer) console.log(`${diff} rows differ`);
  else writeFileSync(LB_EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
}
