/**
 * Records the smuggling table's expectations from HAProxy 2.6:
 *   node packages/balancer/test/smuggling-record.ts           # (re)write smuggling-expected.json
 *   node packages/balancer/test/smuggling-record.ts --check   # compare HAProxy with the file, exit 1 on drift
 *   node packages/balancer/test/smuggling-record.ts --balancer [ids…]  # show where the balancer differs
 * Every row runs against `haproxy -db` (nbthread 1) in front of a raw recorder backend.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CASES } from './smuggling-cases.ts';
import { type CaseRun, expectedForBalancer, runCase, smugglingConfig } from './smuggling-run.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, type ProxyKind, startProxy } from './support/proc.ts';
import { startRecorder } from './support/recorder.ts';

export const EXPECTED_FILE = join(import.meta.dirname, 'smuggling-expected.json');

export type ExpectedFile = {
  recordedWith: string;
  recordedAt: string;
  /** Bodies HAProxy sends with its own error responses, by status. */
  errorBodies: Record<string, string>;
  cases: Record<string, CaseRun & { what: string }>;
};

export async function recordAll(only?: Set<string>, kind: ProxyKind = 'haproxy'): Promise<ExpectedFile> {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const { execFileSync } = await import('node:child_process');
  const version =
    kind === 'haproxy' ? execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0] : 'balancer';
  const rec = await startRecorder();
  const port = await freePort();
  const hap = await startProxy(kind, smugglingConfig(port, rec.port), [port]);
  const out: ExpectedFile = {
    recordedWith: version,
    recordedAt: new Date().toISOString(),
    errorBodies: {},
    cases: {},
  };
  try {
    for (const c of CASES) {
      if (only && !only.has(c.id)) continue;
      const r = await runCase(c, port, rec);
      out.cases[c.id] = { what: c.what, ...r };
      Object.assign(out.errorBodies, r.errorBodies);
    }
  } finally {
    await hap.stop();
    await rec.close();
  }
  return out;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  const balancer = process.argv.includes('--balancer');
  const only = process.argv.filter((a) => !a.startsWith('--')).slice(2);
  const fresh = await recordAll(only.length ? new Set(only) : undefined, balancer ? 'balancer' : 'haproxy');
  if (balancer) {
    const old = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;
    let diff = 0;
    for (const c of CASES) {
      const r = fresh.cases[c.id];
      if (!r) continue;
      const want = expectedForBalancer(c, old.cases[c.id].outcome);
      if (isDeepStrictEqual(want, r.outcome)) continue;
      diff++;
      console.log(
        `DIFF ${c.id}: ${c.what}\n  want: ${JSON.stringify(want)}\n  got:  ${JSON.stringify(r.outcome)}`,
      );
      console.log(
        `  client got: ${JSON.stringify(r.clientRaw.slice(0, 200))}\n  backend got: ${JSON.stringify(r.backendRaw.map((b) => b.slice(0, 200)))}`,
      );
    }
    console.log(`${diff} rows differ`);
  } else if (check) {
    const old = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;
    let drift = 0;
    for (const [id, r] of Object.entries(fresh.cases)) {
      if (!isDeepStrictEqual(old.cases[id]?.outcome, r.outcome)) {
        drift++;
        console.log(
          `DRIFT ${id}\n  file: ${JSON.stringify(old.cases[id]?.outcome)}\n  now:  ${JSON.stringify(r.outcome)}`,
        );
      }
    }
    console.log(drift ? `${drift} rows drifted` : `all ${Object.keys(fresh.cases).length} rows match`);
    process.exitCode = drift ? 1 : 0;
  } else {
    if (only.length) {
      const old = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;
      Object.assign(old.cases, fresh.cases);
      Object.assign(old.errorBodies, fresh.errorBodies);
      fresh.cases = old.cases;
      fresh.errorBodies = old.errorBodies;
    }
    // Keep the table's order in the file.
    const ordered: ExpectedFile['cases'] = {};
    for (const c of CASES) if (fresh.cases[c.id]) ordered[c.id] = fresh.cases[c.id];
    fresh.cases = ordered;
    writeFileSync(EXPECTED_FILE, `${JSON.stringify(fresh, null, 2)}\n`);
    // Keep the file as the project's formatter wants it (biome check runs in CI).
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync(
        join(import.meta.dirname, '../../../node_modules/.bin/biome'),
        ['format', '--write', EXPECTED_FILE],
        {
          stdio: 'ignore',
        },
      );
    } catch {
      console.error('note: could not run biome format on the expectations file');
    }
    for (const [id, r] of Object.entries(fresh.cases)) {
      console.log(
        `${id.padEnd(34)} ${r.outcome.responses.join(',').padEnd(16)} ${r.outcome.closed ? 'close' : 'open '} backend:${r.outcome.backend.length}`,
      );
    }
  }
}
