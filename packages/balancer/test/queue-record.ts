/**
 * Records what HAProxy 2.6 does in the queue, limit and retry scenarios of queue-scenarios.ts into
 * queue-expected.json (never hand-written):
 *   node packages/balancer/test/queue-record.ts            # (re)write the file from the real haproxy
 *   node packages/balancer/test/queue-record.ts --check    # does haproxy still match the file? (exit 1)
 * Run as root so the SYN counts (nftables) are recorded too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runScenario, SCENARIOS, type ScenarioResult } from './queue-scenarios.ts';
import { haproxyPath } from './support/proc.ts';

export const QUEUE_EXPECTED = join(import.meta.dirname, 'queue-expected.json');

export interface QueueExpected {
  recordedWith: string;
  recordedAt: string;
  scenarios: Record<string, ScenarioResult>;
}

export function readQueueExpected(): QueueExpected {
  return JSON.parse(readFileSync(QUEUE_EXPECTED, 'utf8')) as QueueExpected;
}

/** What must match between runs (the ms are kept in the file for the bounds, not compared). */
export function comparable(r: ScenarioResult): unknown {
  return {
    clients: r.clients.map((c) => ({
      path: c.path,
      status: c.status,
      raw: c.raw,
      by: c.by,
      closed: c.closed,
    })),
    arrivals: r.arrivals,
    maxConcurrent: r.maxConcurrent,
    syns: r.syns,
  };
}

async function main(): Promise<void> {
  const bin = haproxyPath();
  if (bin === null) throw new Error('haproxy is not installed');
  const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).split('\n')[0];
  const scenarios: Record<string, ScenarioResult> = {};
  for (const [name, sc] of Object.entries(SCENARIOS)) {
    scenarios[name] = await runScenario('haproxy', sc);
    process.stderr.write(`${name}: ${JSON.stringify(comparable(scenarios[name]))}\n`);
  }
  if (process.argv.includes('--check')) {
    const old = readQueueExpected();
    let same = true;
    for (const [name, r] of Object.entries(scenarios)) {
      if (!isDeepStrictEqual(comparable(r), comparable(old.scenarios[name]))) {
        same = false;
        process.stderr.write(`differs: ${name}\n`);
      }
    }
    process.exit(same ? 0 : 1);
  }
  const out: QueueExpected = { recordedWith: version, recordedAt: new Date().toISOString(), scenarios };
  writeFileSync(QUEUE_EXPECTED, `${JSON.stringify(out, null, 2)}\n`);
}

if (import.meta.main) await main();
