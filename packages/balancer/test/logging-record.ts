/**
 * Records the access-log lines of HAProxy 2.6 for the cases of logging-cases.ts:
 *   node packages/balancer/test/logging-record.ts             # (re)write logging-expected.json
 *   node packages/balancer/test/logging-record.ts --check     # compare HAProxy with the file, exit 1 on drift
 *   node packages/balancer/test/logging-record.ts --balancer  # show where the balancer differs, field by field
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fields } from './logging-cases.ts';
import { type FormatsRun, type LogRun, runFormats, runLogging } from './logging-run.ts';
import { haproxyPath } from './support/proc.ts';

export const EXPECTED_FILE = join(import.meta.dirname, 'logging-expected.json');

export type ExpectedFile = LogRun & { recordedWith: string; recordedAt: string; formats: FormatsRun };

/** Field-by-field differences of two masked lines ('' when equal). */
export function lineDiff(want: string | undefined, got: string | undefined): string {
  if (want === got) return '';
  if (want === undefined || got === undefined)
    return `want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
  const a = fields(want);
  const b = fields(got);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) out.push(`field ${i}: want ${JSON.stringify(a[i])}, got ${JSON.stringify(b[i])}`);
  return out.join('; ');
}

if (import.meta.main) {
  const balancer = process.argv.includes('--balancer');
  const check = process.argv.includes('--check');
  const only = process.argv.filter((a) => !a.startsWith('--')).slice(2);
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const kind = balancer ? 'balancer' : 'haproxy';
  const run = await runLogging(kind, only.length ? new Set(only) : undefined);
  const formats = await runFormats(kind);
  if (balancer || check) {
    const old = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;
    let diff = 0;
    const cmp = (what: string, want: string[], got: string[]) => {
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        const d = lineDiff(want[i], got[i]);
        if (d === '') continue;
        diff++;
        console.log(`DIFF ${what} line ${i}: ${d}\n  want: ${want[i]}\n  got:  ${got[i]}`);
      }
    };
    cmp('health', old.health, run.health);
    for (const [id, c] of Object.entries(run.cases)) cmp(id, old.cases[id]?.lines ?? [], c.lines);
    cmp('formats', old.formats.lines, formats.lines);
    cmp('stdout', old.formats.stdout, formats.stdout);
    cmp(
      'len',
      old.formats.truncated.map((t) => JSON.stringify(t)),
      formats.truncated.map((t) => JSON.stringify(t)),
    );
    console.log(`${diff} lines differ`);
    process.exitCode = diff === 0 ? 0 : 1;
  } else {
    const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0];
    const out: ExpectedFile = {
      recordedWith: version,
      recordedAt: new Date().toISOString(),
      ...run,
      formats,
    };
    writeFileSync(EXPECTED_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${EXPECTED_FILE}: ${Object.keys(run.cases).length} cases`);
  }
}
