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
import { exchange } from './support/raw-client.ts';
import { startSyslogListener } from './support/syslog-listener.ts';
import { makeTestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import {
  CHECK_SCENARIO,
  DEFAULTS,
  LOG_PROBES,
  LOG_SCENARIO,
  logEssentials,
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
    const logs = await recordLogs(
      async (cfg, ports) => {
        const hap = await startHaproxy(cfg, ports);
        return () => hap.stop();
      },
      certs,
      ups,
    );
    writeFileSync(TLS_EXPECTED, `${JSON.stringify({ haproxy: '2.6', scenarios, check, logs }, null, 2)}\n`);
    console.log('logs', JSON.stringify(logs));
    console.log('check', check);
  } finally {
    ups.close();
    certs.remove();
  }
}

/** Runs LOG_SCENARIO on a proxy (`start` returns its stop) and returns the essentials of each access line. */
export async function recordLogs(
  start: (cfg: string, ports: number[]) => Promise<() => Promise<unknown>>,
  certs: Parameters<typeof render>[1],
  ups: { up: number; tlsup: number },
): Promise<{ frontend: string; tail: string }[]> {
  const syslog = await startSyslogListener();
  const ports = [await freePort(), await freePort(), await freePort()];
  const cfg = render(LOG_SCENARIO, certs, { port: ports[0], up: ups.up, tlsup: ups.tlsup })
    .replaceAll('{{syslog}}', String(syslog.port))
    .replaceAll('{{port2}}', String(ports[1]))
    .replaceAll('{{port3}}', String(ports[2]));
  const stop = await start(cfg, ports);
  try {
    for (const [bind, probe] of LOG_PROBES) {
      const port = ports[bind - 1];
      if (probe === null)
        await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { ms: 3000 });
      else await runProbe(port, probe, certs);
    }
    // only the probes' lines: the readiness check's connections log too (handshake closed, <BADREQ>)
    const ours = () => syslog.lines.filter((l) => l.includes('"GET / HTTP/1.1"'));
    await waitFor(() => ours().length >= LOG_PROBES.length, 5000);
    return ours().map(logEssentials);
  } finally {
    await stop();
    await syslog.close();
  }
}

if (import.meta.main) await main();
