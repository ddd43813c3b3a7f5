/**
 * Records what the real `haproxy -c` (2.6) prints for every configuration of check-cases.ts:
 *   node packages/balancer/test/check-record.ts           # (re)write check-haproxy.json
 *   node packages/balancer/test/check-record.ts --check   # does HAProxy still print that? exit 1 if not
 * Each case runs in its directory with a minimal environment; the PID and host name are normalized.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CHECK_CASES, DIRS, normalize } from './check-cases.ts';
import { haproxyPath } from './support/proc.ts';

export const RECORDING = join(import.meta.dirname, 'check-haproxy.json');

export interface Recorded {
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RecordingFile {
  recordedWith: string;
  cases: Record<string, Recorded & { args: readonly string[] }>;
}

export function record(): RecordingFile {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy not found');
  const version = spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const out: RecordingFile = { recordedWith: version, cases: {} };
  for (const c of CHECK_CASES) {
    const r = spawnSync(bin, ['-c', ...c.args], {
      cwd: DIRS[c.dir],
      encoding: 'utf8',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      timeout: 20_000,
    });
    if (r.status === null) throw new Error(`${c.id}: haproxy did not exit (${r.signal ?? r.error})`);
    out.cases[c.id] = {
      args: c.args,
      exit: r.status,
      stdout: normalize(r.stdout),
      stderr: normalize(r.stderr),
    };
  }
  return out;
}

export function readRecording(): RecordingFile {
  return JSON.parse(readFileSync(RECORDING, 'utf8')) as RecordingFile;
}

if (import.meta.main) {
  const fresh = record();
  if (process.argv.includes('--check')) {
    const old = readRecording();
    const drift = Object.keys({ ...old.cases, ...fresh.cases }).filter(
      (id) => !isDeepStrictEqual(old.cases[id], fresh.cases[id]),
    );
    for (const id of drift) console.log(`${id}: differs from the recording`);
    process.exit(drift.length === 0 ? 0 : 1);
  }
  writeFileSync(RECORDING, `${JSON.stringify(fresh, null, 2)}\n`);
  console.log(`${Object.keys(fresh.cases).length} cases recorded with ${fresh.recordedWith}`);
}
