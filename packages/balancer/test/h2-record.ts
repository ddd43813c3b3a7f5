/**
 * Records what HAProxy 2.6 does with HTTP/2 clients into h2-expected.json (never hand-written):
 *   node packages/balancer/test/h2-record.ts
 * The probes of h2-scenarios.ts, all at once on one connection to the TLS bind (ALPN h2) and again to
 * the clear-text `proto h2` bind: per stream the status, the response fields, the body or RST_STREAM
 * code, and the HTTP/1.1 request the server read; then the essentials of the access lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  H2_CONFIG,
  H2_DEFAULTS,
  H2_PROBES,
  type H2Outcome,
  logEssentials,
  renderH2,
  runH2Probes,
  startH2Upstreams,
  UPGRADE_PROBES,
} from './h2-scenarios.ts';
import { freePort } from './support/ports.ts';
import { startHaproxy } from './support/proc.ts';
import { startSyslogListener } from './support/syslog-listener.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';

export const H2_EXPECTED = join(import.meta.dirname, 'h2-expected.json');

export interface H2Recording {
  tls: Record<string, H2Outcome>;
  clear: Record<string, H2Outcome>;
  /** UPGRADE_PROBES with prior knowledge on the HTTP/1 bind */
  upgrade: Record<string, H2Outcome>;
  /** logEssentials of every access line, sorted */
  logs: string[];
}

/**
 * Runs the probes on a proxy started by `start` (haproxy or the balancer) and collects its outcomes
 * and access lines.
 */
export async function runH2Recording(
  certs: TestCerts,
  start: (cfg: string, ports: number[]) => Promise<() => Promise<unknown>>,
): Promise<H2Recording> {
  const ups = await startH2Upstreams();
  const syslog = await startSyslogListener();
  const ports = {
    tls: await freePort(),
    clear: await freePort(),
    plain: await freePort(),
    up1: ups.up1.port,
    up2: ups.up2.port,
    syslog: syslog.port,
  };
  const stop = await start(renderH2(H2_CONFIG, certs, ports), [ports.tls, ports.clear, ports.plain]);
  try {
    const upstreams = [ups.up1, ups.up2];
    const ca = readFileSync(certs.ca, 'utf8');
    const tls = await runH2Probes(`https://127.0.0.1:${ports.tls}`, ca, H2_PROBES, upstreams);
    const clear = await runH2Probes(`http://127.0.0.1:${ports.clear}`, null, H2_PROBES, upstreams);
    const upgrade = await runH2Probes(
      `http://127.0.0.1:${ports.plain}`,
      null,
      H2_PROBES.filter((p) => UPGRADE_PROBES.includes(p.name)),
      upstreams,
    );
    // one line per stream (the readiness probes' connections log <BADREQ> lines: left out)
    const ours = () => syslog.lines.filter((l) => l.includes('HTTP/2.0"'));
    await waitFor(() => ours().length >= 2 * H2_PROBES.length - 2 + UPGRADE_PROBES.length, 5000);
    await waitFor(() => false, 300); // late lines of streams cut by RST_STREAM
    return { tls, clear, upgrade, logs: ours().map(logEssentials).sort() };
  } finally {
    await stop();
    await syslog.close();
    await ups.close();
  }
}

async function main(): Promise<void> {
  const certs = makeTestCerts();
  try {
    const rec = await runH2Recording(certs, async (cfg, ports) => {
      const hap = await startHaproxy(`global\n    nbthread 1\n${H2_DEFAULTS}${cfg}`, ports);
      return () => hap.stop();
    });
    writeFileSync(H2_EXPECTED, `${JSON.stringify({ haproxy: '2.6', ...rec }, null, 2)}\n`);
    console.log(JSON.stringify(rec.logs, null, 1));
  } finally {
    certs.remove();
  }
}

if (import.meta.main) await main();
