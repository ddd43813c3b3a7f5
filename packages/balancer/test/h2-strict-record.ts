/**
 * Records how HAProxy 2.6 answers the HTTP/2 strictness table (h2-strict-cases.ts) into
 * h2-strict-expected.json (never hand-written):
 *   node packages/balancer/test/h2-strict-record.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRICT_CASES } from './h2-strict-cases.ts';
import { type RawOutcome, rawExchange } from './support/h2-raw.ts';
import { startUpstream } from './support/harness.ts';
import { freePort } from './support/ports.ts';
import { startHaproxy } from './support/proc.ts';

export const H2_STRICT_EXPECTED = join(import.meta.dirname, 'h2-strict-expected.json');

export const STRICT_CONFIG = (port: number, up: number) => `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port} proto h2
    default_backend be
backend be
    server s 127.0.0.1:${up}
`;

/** Every row on its own connection to `port`. */
export async function runStrictTable(port: number): Promise<Record<string, RawOutcome>> {
  const out: Record<string, RawOutcome> = {};
  for (const c of STRICT_CASES) out[c.name] = await rawExchange(port, c.frames, c.next);
  return out;
}

async function main(): Promise<void> {
  const up = await startUpstream();
  const port = await freePort();
  const hap = await startHaproxy(`global\n    nbthread 1\n${STRICT_CONFIG(port, up.port)}`, [port]);
  try {
    const rows = await runStrictTable(port);
    writeFileSync(H2_STRICT_EXPECTED, `${JSON.stringify({ haproxy: '2.6', rows }, null, 2)}\n`);
    for (const [k, v] of Object.entries(rows)) console.log(k.padEnd(26), v.probe.padEnd(18), v.after);
  } finally {
    await hap.stop();
    await up.close();
  }
}

if (import.meta.main) await main();
