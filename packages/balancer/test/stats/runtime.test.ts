/**
 * The runtime-API commands that change the data path reply as haproxy 2.6 does, byte for byte (what
 * varies masked: test/stats/runtime-scenario.ts maskReply), and their effects on traffic are the
 * same (the scenario's `observe:` steps): recorded by test/runtime-record.ts into runtime-expected.json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBalancerConfigText } from '../../src/config/load.ts';
import { startEngine } from '../../src/engine/engine.ts';
import { reloadEngine } from '../../src/engine/reload.ts';
import { RUNTIME_EXPECTED } from '../runtime-record.ts';
import { quiet, startUpstream } from '../support/harness.ts';
import { freePorts } from '../support/ports.ts';
import { exchange } from '../support/raw-client.ts';
import { statsCommand } from '../support/stats-socket.ts';
import { RUNTIME_CONFIG, runRuntimeScenario } from './runtime-scenario.ts';

const expected = JSON.parse(readFileSync(RUNTIME_EXPECTED, 'utf8')) as { steps: [string, string][] };

test('show sess/errors, shutdown session, set server addr, set maxconn, add/del server: as haproxy 2.6', {
  timeout: 90000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-test-'));
  try {
    const got = await runRuntimeScenario('balancer', dir);
    const diffs: string[] = [];
    for (let i = 0; i < Math.max(expected.steps.length, got.steps.length); i++) {
      const [c, want] = expected.steps[i] ?? ['?', undefined];
      const g = got.steps[i]?.[1];
      if (g !== want) diffs.push(`${c}:\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(g)}`);
    }
    assert.deepEqual(diffs, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runtime-API changes survive a reload (carried by name)', { timeout: 30000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-reload-'));
  const ups = await Promise.all(
    ['up1', 'up2', 'up3'].map((n) =>
      startUpstream((req, sock) => {
        void req;
        sock.write(`HTTP/1.1 200 OK\r\ncontent-length: ${n.length}\r\n\r\n${n}`);
      }),
    ),
  );
  const [fe] = await freePorts(1);
  const sock = join(dir, 'rt.sock');
  const text = RUNTIME_CONFIG.replace(/\{\{(\w+)\}\}/g, (_m, k: string) =>
    k === 'sock' ? sock : k === 'fe' ? String(fe) : String(ups[Number(k.slice(2)) - 1].port),
  );
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.ok(loaded.engine);
  let engine = await startEngine(loaded.engine, quiet);
  const answers = async (n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const x = await exchange(fe, `GET /r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 4000 });
      out.push(/\r\n\r\n(.*)$/s.exec(x.text)?.[1] ?? '-');
    }
    // the split, not the order: round-robin's position differs between engines
    return out.sort().join(',');
  };
  try {
    const cmd = (c: string) => statsCommand(sock, c);
    await cmd(`set server web/s1 addr 127.0.0.1 port ${ups[1].port}`);
    await cmd('set maxconn server web/s1 3');
    await cmd('set maxconn frontend fe 9');
    await cmd('set maxconn global 700');
    await cmd(`add server web/s2 127.0.0.1:${ups[2].port} weight 2`);
    await cmd('set server web/s2 state ready');
    assert.equal(await answers(3), 'up2,up3,up3');
    const reloaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
    const r = await reloadEngine(engine, reloaded.engine!, quiet, 1000);
    engine = r.engine;
    // the same traffic split on the new engine: s1 at its runtime address, the added s2 with its weight
    assert.equal(await answers(3), 'up2,up3,up3');
    const csv = await cmd('show stat');
    const header = csv.split('\n')[0].replace(/^# /, '').split(',');
    const cell = (row: string, col: string) =>
      csv
        .split('\n')
        .find((l) => l.startsWith(`${row},`))
        ?.split(',')[header.indexOf(col)];
    assert.equal(cell('web,s1', 'slim'), '3');
    assert.equal(cell('fe,FRONTEND', 'slim'), '9');
    assert.equal(cell('web,s2', 'weight'), '2');
    assert.match(await cmd('show info'), /^Maxconn: 700$/m);
    assert.match(await cmd('show servers state web'), /^3 web 2 s2 127\.0\.0\.1 2 0 2 2 /m);
    await r.retired;
  } finally {
    await engine.stop(0);
    for (const u of ups) await u.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
