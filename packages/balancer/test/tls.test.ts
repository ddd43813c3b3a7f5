/**
 * The balancer against what the real haproxy 2.6 negotiated (tls-expected.json, from tls-record.ts):
 * the same scenarios, the same probes, the same outcomes — which certificate each SNI gets, ALPN,
 * versions accepted and refused, client-certificate verification, TLS to servers (a wrong CA is a
 * 503), and the health line of a TLS check with a wrong CA.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { freePort } from './support/ports.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import { normalizeHealthLine, TLS_EXPECTED } from './tls-record.ts';
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

const expected = JSON.parse(readFileSync(TLS_EXPECTED, 'utf8')) as {
  scenarios: Record<string, Record<string, Outcome>>;
  check: string;
};

let certs: TestCerts;
let ups: Awaited<ReturnType<typeof startUpstreams>>;
before(async () => {
  certs = makeTestCerts();
  ups = await startUpstreams(certs);
});
after(() => {
  ups?.close();
  certs?.remove();
});

async function serve(cfg: string, lines: string[] = []) {
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text: `${DEFAULTS}${cfg}` }], { env: {} });
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message);
  assert.deepEqual(alerts, [], 'the configuration must load');
  assert.ok(loaded.engine);
  const sink = { alert: (s: string) => lines.push(s), warning: (s: string) => lines.push(s), notice() {} };
  return startEngine(loaded.engine, sink);
}

describe('TLS as haproxy 2.6 negotiates it', () => {
  for (const s of SCENARIOS) {
    test(s.name, async () => {
      const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
      writeFiles(s, certs, ports);
      const engine = await serve(render(s.cfg, certs, ports));
      try {
        const want = expected.scenarios[s.name];
        assert.ok(want, `no recording for '${s.name}': run test/tls-record.ts`);
        for (const p of s.probes) {
          const got = await runProbe(ports.port, p, certs);
          assert.deepEqual(got, want[probeText(p)], `${s.name}: ${probeText(p)}`);
        }
      } finally {
        await engine.stop(0);
      }
    });
  }

  test('check-ssl with a wrong CA: the server goes DOWN with a layer 6 failure', async () => {
    const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
    const lines: string[] = [];
    const engine = await serve(render(CHECK_SCENARIO, certs, ports), lines);
    try {
      assert.ok(await waitFor(() => lines.some((l) => l.includes('is DOWN')), 5000), lines.join('\n'));
      const line = lines.find((l) => l.includes('is DOWN')) ?? '';
      assert.equal(normalizeHealthLine(line), expected.check);
    } finally {
      await engine.stop(0);
    }
  });
});
