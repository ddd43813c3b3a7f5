/**
 * Records HAProxy 2.6's start modes and its master's answer to a dead worker (process-mode-run.ts)
 * into process-mode-expected.json (never hand-written):
 *   node packages/balancer/test/process-mode-record.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MODE_CASES,
  type ModeResult,
  runDaemonCannotBind,
  runMasterSignal,
  runModeCase,
  runWorkerDeath,
  type WorkerDeathResult,
} from './process-mode-run.ts';

export const PROCESS_MODE_EXPECTED = join(import.meta.dirname, 'process-mode-expected.json');

export interface ProcessModeExpected {
  recordedWith: string;
  modes: Record<string, ModeResult>;
  workerDeath: Record<string, WorkerDeathResult>;
  /** SIGTERM / SIGUSR1 to the master of -W: its status and lines */
  masterSignal: Record<string, { status: number | null; lines: string[] }>;
  /** `daemon` and a port already taken: the command's status and its alert */
  cannotBind: { status: number | null; alerted: boolean };
}

if (import.meta.main) {
  const modes: Record<string, ModeResult> = {};
  for (const [name, c] of Object.entries(MODE_CASES)) {
    modes[name] = await runModeCase('haproxy', c);
    process.stdout.write(`${name}: ${JSON.stringify(modes[name])}\n`);
  }
  const workerDeath: Record<string, WorkerDeathResult> = {};
  for (const sig of ['SIGKILL', 'SIGTERM'] as const) {
    workerDeath[sig] = await runWorkerDeath('haproxy', sig);
    process.stdout.write(`${sig}: ${JSON.stringify(workerDeath[sig])}\n`);
  }
  const cannotBind = await runDaemonCannotBind('haproxy');
  const masterSignal: ProcessModeExpected['masterSignal'] = {};
  for (const sig of ['SIGTERM', 'SIGUSR1'] as const)
    masterSignal[sig] = await runMasterSignal('haproxy', sig);
  const recordedWith = execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0];
  writeFileSync(
    PROCESS_MODE_EXPECTED,
    `${JSON.stringify({ recordedWith, modes, workerDeath, cannotBind, masterSignal }, null, 2)}\n`,
  );
}
