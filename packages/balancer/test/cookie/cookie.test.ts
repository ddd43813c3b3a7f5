/**
 * The cookie-persistence table (cases.ts) against the balancer: for every case, which server each
 * request reached, what that server got and what the client got back must equal what HAProxy 2.6 did
 * (expected.json, recorded by record.ts — never written from the balancer's output). Header names are
 * compared lower-cased (HAProxy lower-cases every name it forwards; the balancer keeps them as sent).
 * Servers are put DOWN through setServerUp, the seam the runtime API and health checks use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setServerUp } from '../../src/backend/backend.ts';
import { loadBalancerConfigText } from '../../src/config/load.ts';
import { startEngine } from '../../src/engine/engine.ts';
import { quiet } from '../support/harness.ts';
import { freePort } from '../support/ports.ts';
import { CASES } from './cases.ts';
import type { ExpectedFile } from './record.ts';
import { runCase, type StartProxy } from './run.ts';

const expected = JSON.parse(
  readFileSync(new URL('./expected.json', import.meta.url), 'utf8'),
) as ExpectedFile;

/** The balancer in this process, loaded through the same loader as `-c` and start-up. */
export const balancerProxy: StartProxy = async (cfg, port) => {
  const loaded = loadBalancerConfigText([{ path: 'cookie.cfg', text: cfg }], { env: {} });
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert' || /not applied/.test(d.message));
  assert.deepEqual(alerts, [], 'the case configuration loads, with every keyword in effect');
  assert.ok(loaded.engine);
  const engine = await startEngine(loaded.engine, quiet);
  return {
    port,
    setDown: async (name) => {
      const be = engine.backends.find((b) => b.spec.name === 'l')!;
      const srv = be.servers.find((s) => s.spec.name === name)!;
      setServerUp(engine.events, be, srv, false, 'maintenance');
    },
    stop: () => engine.stop(0),
  };
};

describe(`cookie persistence as ${expected.recordedWith.split(' - ')[0]}`, () => {
  test('every case of the table is recorded', () => {
    assert.deepEqual(
      Object.keys(expected.cases),
      CASES.map((c) => c.id),
    );
  });
  for (const c of CASES) {
    test(`${c.id}: ${c.what}`, async () => {
      const seen = await runCase(c, balancerProxy, await freePort());
      assert.deepEqual(seen, expected.cases[c.id].seen);
    });
  }
});
