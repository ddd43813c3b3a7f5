/**
 * Records the cookie table's expectations (cases.ts) from HAProxy 2.6 into expected.json:
 *   node packages/balancer/test/cookie/record.ts            # (re)record every case
 *   node packages/balancer/test/cookie/record.ts ID…        # re-record some cases
 *   node packages/balancer/test/cookie/record.ts --check    # does HAProxy still match the file? (exit 1 if not)
 * Each case runs against its own `haproxy -db` in front of the case's loopback servers; servers are put
 * in maintenance through the stats socket (`disable server`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { makeTempDir } from '../support/env.ts';
import { freePort } from '../support/ports.ts';
import { haproxyPath, startHaproxy } from '../support/proc.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { CASES } from './cases.ts';
import { runCase, type Seen, type StartProxy } from './run.ts';

export const EXPECTED_FILE = join(import.meta.dirname, 'expected.json');

export interface ExpectedFile {
  recordedWith: string;
  recordedAt: string;
  cases: Record<string, { what: string; seen: Seen[] }>;
}

/** HAProxy on a case's configuration, with a stats socket to put servers in maintenance. */
export const haproxyProxy: StartProxy = async (cfg, port) => {
  const tmp = makeTempDir('cookie-stats');
  const sock = join(tmp.dir, 'stats.sock');
  const m = await startHaproxy(`global\n    stats socket ${sock} level admin\n${cfg}`, [port]);
  return {
    port,
    setDown: async (server) => {
      const answer = await statsCommand(sock, `disable server l/${server}`);
      if (answer.trim() !== '') throw new Error(`disable server l/${server}: ${answer}`);
    },
    stop: async () => {
      await m.stop();
      tmp.remove();
    },
  };
};

export async function recordCases(only?: Set<string>): Promise<ExpectedFile['cases']> {
  const out: ExpectedFile['cases'] = {};
  for (const c of CASES) {
    if (only && !only.has(c.id)) continue;
    out[c.id] = { what: c.what, seen: await runCase(c, haproxyProxy, await freePort()) };
  }
  return out;
}

if (import.meta.main) {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found (scripts/bootstrap.sh installs it)');
  const check = process.argv.includes('--check');
  const ids = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const fresh = await recordCases(ids.length ? new Set(ids) : undefined);
  const old: ExpectedFile | null = existsSync(EXPECTED_FILE)
    ? (JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile)
    : null;
  if (check) {
    let drift = 0;
    for (const [id, r] of Object.entries(fresh)) {
      if (!isDeepStrictEqual(r.seen, old?.cases[id]?.seen)) {
        drift++;
        console.log(`${id}: HAProxy now does\n${JSON.stringify(r.seen, null, 1)}`);
      }
    }
    console.log(drift === 0 ? 'HAProxy matches expected.json' : `${drift} case(s) differ`);
    process.exit(drift === 0 ? 0 : 1);
  }
  const file: ExpectedFile = {
    recordedWith: execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0],
    recordedAt: new Date().toISOString(),
    cases: ids.length && old ? { ...old.cases, ...fresh } : fresh,
  };
  // keep the table's order
  file.cases = Object.fromEntries(CASES.filter((c) => file.cases[c.id]).map((c) => [c.id, file.cases[c.id]]));
  writeFileSync(EXPECTED_FILE, `${JSON.stringify(file, null, 1)}\n`);
  console.log(`recorded ${Object.keys(fresh).length} case(s) into ${EXPECTED_FILE}`);
}
