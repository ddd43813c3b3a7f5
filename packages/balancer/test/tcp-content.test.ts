/**
 * `tcp-request inspect-delay` / `tcp-request content` in mode tcp and the layer-6 fetches against
 * HAProxy 2.6: every row of tcp-content-cases.ts (what the client got, what the servers received,
 * the log's backend/server and termination state, whether the decision waited for the delay) as
 * HAProxy did it (tcp-content-expected.json, recorded by tcp-content-record.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCheck } from '../src/cli/check.ts';
import { configText, TCP_CONTENT_CASES, TCP_CONTENT_CONFIG_CASES } from './tcp-content-cases.ts';
import { TCP_CONTENT_EXPECTED_FILE, type TcpContentExpectedFile } from './tcp-content-record.ts';
import { runTcpContentCases } from './tcp-content-run.ts';

const expected: TcpContentExpectedFile = JSON.parse(readFileSync(TCP_CONTENT_EXPECTED_FILE, 'utf8'));

describe('tcp-request content: the balancer answers every row as HAProxy 2.6 did', () => {
  let got: Record<string, string> = {};
  before(async () => {
    got = await runTcpContentCases('balancer');
  });
  test('every row is recorded', () => {
    assert.deepEqual(
      TCP_CONTENT_CASES.map((c) => c.id).filter((id) => !(id in expected.cases)),
      [],
      'run tcp-content-record.ts',
    );
  });
  for (const c of TCP_CONTENT_CASES) {
    test(c.id, () => {
      assert.equal(got[c.id], expected.cases[c.id], c.lines.join(' ; '));
    });
  }
});

describe('tcp-request content: configuration mistakes are told as haproxy -c tells them, at file:line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lb-tcp-content-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const c of TCP_CONTENT_CONFIG_CASES) {
    test(c.id, async () => {
      const rec = expected.config[c.id];
      assert.ok(rec, 'run tcp-content-record.ts');
      const theirs = rec.lines.join('\n');
      if (c.says !== '') assert.ok(theirs.includes(c.says), `HAProxy said: ${theirs}`);
      const cfg = join(dir, 't.cfg');
      writeFileSync(cfg, configText(c.line));
      let out = '';
      const code = await runCheck([cfg], {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (out += s) },
        env: {},
        pid: 'PID',
        executable: 'BALANCER',
      });
      assert.equal(code === 0, rec.exit === 0, `valid as HAProxy says: ${out}`);
      if (c.says === '') return;
      const alert = out.split('\n').find((l) => l.includes(c.says)) ?? '';
      assert.match(alert, /^\[ALERT\].*\[\S*t\.cfg:8\]/, out);
    });
  }
});
