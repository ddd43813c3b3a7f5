/**
 * Behaviour tests of the `tcp-request content` keywords of a `mode tcp` frontend marked applied in
 * src/config/in-effect.ts (in-effect.test.ts runs them with its other EFFECTS): `tcp-request
 * inspect-delay` and the content actions set-var / unset-var. Each runs the engine in front of two
 * servers that greet with their name (`a`, the default backend, and `b`); tcp-content.test.ts
 * compares the same keywords with HAProxy 2.6 row by row.
 */
import assert from 'node:assert/strict';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { quiet } from './support/harness.ts';
import { freePortSync } from './support/ports.ts';
import { exchange, type Step } from './support/raw-client.ts';
import { startRawServer } from './support/raw-server.ts';

/** Which server greeted the client that sent `steps` to a mode tcp frontend with lines `fe`. */
async function greeter(fe: string[], steps: Step[]): Promise<string> {
  const servers = await Promise.all(['a', 'b'].map((n) => startRawServer((s) => s.write(`${n}\n`))));
  const port = freePortSync();
  const text = `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n${fe.map((l) => `    ${l}\n`).join('')}    default_backend a\nbackend a\n    server s 127.0.0.1:${servers[0].port}\nbackend b\n    server s 127.0.0.1:${servers[1].port}\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.deepEqual(loaded.diagnostics, [], 'the configuration loads without a finding');
  const engine = await startEngine(loaded.engine!, quiet);
  try {
    const r = await exchange(port, steps, { ms: 4000, until: (t) => t.includes('\n') });
    return r.text.trim();
  } finally {
    await engine.stop(0);
    for (const s of servers) await s.close();
  }
}

/**
 * What the client of a mode tcp frontend got (and whether the proxy closed) from a backend with lines
 * `be` whose server writes what each `w:TEXT` line asks.
 */
async function talk(be: string[], steps: Step[], until: string): Promise<{ text: string; closed: boolean }> {
  const talker = await startRawServer((s) =>
    s.on('data', (d) => {
      for (const m of d.toString('latin1').matchAll(/w:([^\n]*)\n/g)) s.write(m[1]);
    }),
  );
  const port = freePortSync();
  const text = `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend t\nbackend t\n${be.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${talker.port}\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.deepEqual(loaded.diagnostics, [], 'the configuration loads without a finding');
  const engine = await startEngine(loaded.engine!, quiet);
  try {
    const r = await exchange(port, steps, { ms: 4000, until: (t) => t.includes(until) });
    return { text: r.text, closed: r.closed };
  } finally {
    await engine.stop(0);
    await talker.close();
  }
}

const RES = [
  'tcp-response inspect-delay 3s',
  'tcp-response content accept if { res.payload(0,2) -m str OK }',
];

const HELLO = [
  'tcp-request content accept if { req.payload(0,5) -m str hello }',
  'use_backend b if { req.payload(0,5) -m str hello }',
];
const SPLIT: Step[] = ['hel', { delayMs: 200 }, 'lo'];

export const TCP_CONTENT_EFFECTS: Record<string, () => Promise<void>> = {
  async 'tcp-response inspect-delay'() {
    // the reject waits until the accept's bytes could have come: they come, in a second piece
    const r = await talk(
      [...RES, 'tcp-response content reject'],
      ['w:O\n', { delayMs: 200 }, 'w:K!\n'],
      'OK!',
    );
    assert.equal(r.text, 'OK!', 'the rules waited for the second piece');
  },
  async 'tcp-response content accept'() {
    const r = await talk([...RES, 'tcp-response content reject'], ['w:OK then\n'], 'then');
    assert.equal(r.text, 'OK then');
  },
  async 'tcp-response content reject'() {
    const r = await talk([...RES, 'tcp-response content reject'], ['w:NO\n'], 'NO');
    assert.deepEqual(r, { text: '', closed: true }, 'cut: nothing reaches the client');
  },
  async 'tcp-response content close'() {
    const be = [
      'tcp-response inspect-delay 3s',
      'tcp-response content close if { res.payload(0,3) -m str BYE }',
    ];
    assert.deepEqual(await talk(be, ['w:BYE now\n'], 'never'), { text: 'BYE now', closed: true });
    const r = await talk(be, ['w:hi there\n'], 'there');
    assert.deepEqual(r, { text: 'hi there', closed: false }, 'others stay open');
  },
  async 'tcp-request inspect-delay'() {
    assert.equal(
      await greeter(['tcp-request inspect-delay 3s', ...HELLO], SPLIT),
      'b',
      'the rules wait for the bytes',
    );
    // without a delay, the rules decide at once on what is there: nothing yet
    assert.equal(await greeter(HELLO, SPLIT), 'a', 'no delay: no wait');
  },
  async 'tcp-request content set-var'() {
    const fe = [
      'tcp-request inspect-delay 3s',
      'tcp-request content set-var(sess.k) req.payload(0,2)',
      'tcp-request content accept if { req.len ge 2 }',
      'use_backend b if { var(sess.k) -m str ok }',
    ];
    assert.equal(await greeter(fe, ['ok!']), 'b');
    assert.equal(await greeter(fe, ['no!']), 'a');
  },
  async 'tcp-request content unset-var'() {
    const set = ['tcp-request content set-var(txn.x) str(1)', 'use_backend b if { var(txn.x) -m found }'];
    assert.equal(await greeter(set, ['x']), 'b', 'set');
    assert.equal(
      await greeter([set[0], 'tcp-request content unset-var(txn.x)', set[1]], ['x']),
      'a',
      'unset',
    );
  },
};
