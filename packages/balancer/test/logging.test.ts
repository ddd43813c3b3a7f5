/**
 * Access logs and process messages over UDP syslog equal HAProxy 2.6's, field by field, for the
 * cases of logging-cases.ts (normal keep-alive 200s with cookie persistence flags, an invalid cookie,
 * 503 with the only server DOWN and with connections refused, 504 server timeout, client abort and
 * client FIN during the body, an incomplete request head, dontlognull's null connection, a tcplog
 * line, and the DOWN / no-server lines at start), and every syslog header format, `len`, `sample`,
 * levels and `log stdout` on the same lines. Expectations: logging-expected.json, recorded from
 * the real haproxy by logging-record.ts (times, ports, pids and dates masked).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { EXPECTED_FILE, type ExpectedFile, lineDiff } from './logging-record.ts';
import { runFormats, runLogging } from './logging-run.ts';
import { okResponder, quiet, startUpstream } from './support/harness.ts';
import { freePorts } from './support/ports.ts';
import { openClient } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as ExpectedFile;

test('the balancer logs what HAProxy 2.6 logs, field by field', { timeout: 60000 }, async () => {
  const got = await runLogging('balancer');
  const diffs: string[] = [];
  const cmp = (what: string, want: string[], lines: string[]) => {
    for (let i = 0; i < Math.max(want.length, lines.length); i++) {
      const d = lineDiff(want[i], lines[i]);
      if (d !== '') diffs.push(`${what}[${i}]: ${d}\n  want: ${want[i]}  got:  ${lines[i]}`);
    }
  };
  cmp('health', expected.health, got.health);
  for (const [id, c] of Object.entries(expected.cases)) cmp(id, c.lines, got.cases[id]?.lines ?? []);
  assert.deepEqual(diffs, []);
});

test("syslog formats, len, sample, levels and stdout are HAProxy 2.6's", { timeout: 30000 }, async () => {
  const got = await runFormats('balancer');
  assert.deepEqual(got.lines, expected.formats.lines);
  assert.deepEqual(got.truncated, expected.formats.truncated);
  assert.deepEqual(got.stdout, expected.formats.stdout);
});

test('a dead syslog target loses lines (counted), never requests', { timeout: 30000 }, async () => {
  const up = await startUpstream(okResponder);
  const [fe, dead] = await freePorts(2);
  const text = `global\n    log 127.0.0.1:${dead} local2\ndefaults\n    mode http\n    log global\n    option httplog\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend fe\n    bind 127.0.0.1:${fe}\n    default_backend be\nbackend be\n    server s1 127.0.0.1:${up.port}\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.ok(loaded.engine);
  const engine = await startEngine(loaded.engine, quiet);
  try {
    const c = openClient(fe);
    let got = 0;
    for (let i = 0; i < 300; i++) {
      c.write(`GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.ok(await c.until((t) => t.includes(`ok /r${i}`), 4000), `request ${i} answered`);
      got++;
    }
    c.sock.destroy();
    assert.equal(got, 300);
    // nobody listens on the target's port: the kernel refuses the datagrams (ICMP), each one counted
    assert.ok(
      await waitFor(() => engine.logs.totals().dropped > 0, 3000),
      JSON.stringify(engine.logs.totals()),
    );
  } finally {
    await engine.stop(0);
    await up.close();
  }
});
