/**
 * Records what HAProxy 2.6 does with WebSocket over HTTP/2 (RFC 8441) into h2-ws-expected.json (never
 * hand-written):   node packages/balancer/test/h2-ws-record.ts
 * The probes of h2-ws-scenarios.ts on the clear-text `proto h2` bind and on the TLS bind.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWs, runWsProbes, WS_DEFAULTS, type WsRecording } from './h2-ws-scenarios.ts';
import { freePort } from './support/ports.ts';
import { startHaproxy } from './support/proc.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { startWsEcho } from './support/ws-echo.ts';

export const H2_WS_EXPECTED = join(import.meta.dirname, 'h2-ws-expected.json');

/** Runs the probes through a proxy started by `start` (haproxy or the balancer). */
export async function runWsRecording(
  certs: TestCerts,
  start: (cfg: string, ports: number[]) => Promise<() => Promise<unknown>>,
): Promise<WsRecording> {
  const echo = await startWsEcho();
  const ports = { clear: await freePort(), tls: await freePort(), echo: echo.port };
  const stop = await start(renderWs(certs, ports), [ports.clear, ports.tls]);
  try {
    const ca = readFileSync(certs.ca, 'utf8');
    const clear = await runWsProbes(`http://127.0.0.1:${ports.clear}`, null, echo.heads);
    const tls = await runWsProbes(`https://127.0.0.1:${ports.tls}`, ca, echo.heads);
    return {
      enableConnectProtocol: { clear: clear.enableConnectProtocol, tls: tls.enableConnectProtocol },
      clear: clear.outcomes,
      tls: tls.outcomes,
    };
  } finally {
    await stop();
    await echo.close();
  }
}

async function main(): Promise<void> {
  const certs = makeTestCerts();
  try {
    const rec = await runWsRecording(certs, async (cfg, ports) => {
      const hap = await startHaproxy(`global\n    nbthread 1\n${WS_DEFAULTS}${cfg}`, ports);
      return () => hap.stop();
    });
    writeFileSync(H2_WS_EXPECTED, `${JSON.stringify({ haproxy: '2.6', ...rec }, null, 2)}\n`);
    console.log(JSON.stringify(rec.clear, null, 1));
  } finally {
    certs.remove();
  }
}

if (import.meta.main) await main();
