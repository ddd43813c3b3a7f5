/**
 * Records what HAProxy 2.6 negotiates into tls-expected.json (never hand-written):
 *   node packages/balancer/test/tls-record.ts
 * Each scenario of tls-scenarios.ts runs on the real haproxy with certificates made at record time
 * (test/support/tls-certs.ts): per probe, the certificate's CN, the ALPN protocol, the TLS version,
 * the HTTP status and body. `check`: the health line haproxy prints for a TLS check with a wrong CA.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './support/ports.ts';
import { startHaproxy } from './support/proc.ts';
import { makeTestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import {
  CHECK_SCENARIO,
  DEFAULTS,
  type Outcome,
  probeText,
  render,
  runProbe,
  SCENARIOS,
  startUpstreams,
  writeFiles,
} from './tls-scenarios.ts';

export const TLS_EXPECTED = join(import.meta.dirname, 'tls-expected.json');

/** HAProxy's health line without its pid and timing. */
export function normalizeHealthLine(line: string): string {
  return line
    .replace(/^\[WARNING\]\s+\(\d+\) : /, '')
    .replace(/check duration: \d+ms/, 'check duration: Nms')
    .trim();
}

async function main(): Promise<void> {
  const certs = makeTestCerts();
  const ups = await startUpstreams(certs);
  const scenarios: Record<string, Record<string, Outcome>> = {};
  try {
    for (const s of SCENARIOS) {
      const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
      writeFiles(s, certs, ports);
      const hap = await startHaproxy(`global\n    nbthread 1\n${DEFAULTS}${render(s.cfg, certs, ports)}`, [
        ports.port,
      ]);
      try {
        const got: Record<string, Outcome> = {};
        for (const p of s.probes) got[probeText(p)] = await runProbe(ports.port, p, certs);
        scenarios[s.name] = got;
        console.log(s.name, JSON.stringify(got));
      } finally {
        await hap.stop();
      }
    }
    const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
    const hap = await startHaproxy(
      `global\n    nbthread 1\n${DEFAULTS}${render(CHECK_SCENARIO, certs, ports)}`,
      [ports.port],
    );
    let check = '';
    try {
      await waitFor(() => /Server be\/up is DOWN/.test(hap.output()), 5000);
      check = normalizeHealthLine(
        hap
          .output()
          .split('\n')
          .find((l) => l.includes('Server be/up is DOWN')) ?? '',
      );
    } finally {
      await hap.stop();
    }
    writeFileSync(TLS_EXPECTED, `${JSON.stringify({ haproxy: '2.6', scenarios, check }, null, 2)}\n`);
    console.log('check', check);
  } finally {
    ups.close();
    certs.remove();
  }
}

if (import.meta.main) await main();
