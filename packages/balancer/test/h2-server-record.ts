/**
 * Records what HAProxy 2.6 does when it speaks HTTP/2 to servers into h2-server-expected.json (never
 * hand-written):   node packages/balancer/test/h2-server-record.ts
 * The requests and the http-reuse patterns of h2-server-scenarios.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { H2S_DEFAULTS, runH2sRecording } from './h2-server-scenarios.ts';
import { startHaproxy } from './support/proc.ts';
import { makeTestCerts } from './support/tls-certs.ts';

export const H2_SERVER_EXPECTED = join(import.meta.dirname, 'h2-server-expected.json');

async function main(): Promise<void> {
  const certs = makeTestCerts();
  try {
    const rec = await runH2sRecording(certs, async (cfg, ports) => {
      const hap = await startHaproxy(`global\n    nbthread 1\n${H2S_DEFAULTS}${cfg}`, ports);
      return () => hap.stop();
    });
    writeFileSync(H2_SERVER_EXPECTED, `${JSON.stringify({ haproxy: '2.6', ...rec }, null, 2)}\n`);
    console.log(JSON.stringify(rec.reuse));
  } finally {
    certs.remove();
  }
}

if (import.meta.main) await main();
