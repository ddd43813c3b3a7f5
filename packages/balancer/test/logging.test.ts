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
import { EXPECTED_FILE, type ExpectedFile, lineDiff } from './logging-record.ts';
import { runFormats, runLogging } from './logging-run.ts';

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
