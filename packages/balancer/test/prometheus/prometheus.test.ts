/**
 * `http-request use-service prometheus-exporter` against HAProxy 2.6's exporter (recorded by
 * test/prometheus-record.ts into expected.json, same scenario: scenario.ts):
 * - every scrape (all, `scope=server&no-maint`, `scope=frontend&scope=backend`, `scope=`, `scope=global`)
 *   has exactly HAProxy's metric families, in its order, with its HELP and TYPE lines, the same
 *   response head, and the same set of samples (names and labels; build_info's version aside);
 * - for the known traffic pattern (5 × 200 and 2 × 404 through `web`, one 503 through `empty`; one
 *   server UP, one DOWN, one in maintenance) the values are HAProxy's for the metrics that depend on it
 *   alone. Not compared, each for a reason: the frontend `fe` counters (they count the scrapes, whose
 *   number depends on how fast the servers' states settle), times and rates, byte counts (HAProxy
 *   counts its HTX form, README), idle-pool gauges (each one's pooling), and process facts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runScenario, type Scrape } from './scenario.ts';

const expected = JSON.parse(readFileSync(join(import.meta.dirname, 'expected.json'), 'utf8')) as {
  scrapes: Record<string, Scrape>;
};

/** The samples whose value the traffic pattern decides. */
const COMPARED =
  /^haproxy_(frontend_\w+\{proxy="fe_empty"|frontend_status|backend_(status|weight|uweight|active_servers|backup_servers|sessions_total|loadbalanced_total|http_requests_total|http_responses_total|current_sessions|current_queue|limit_sessions|connection_attempts_total|check_up_down_total|agg_\w+|retry_warnings_total|redispatch_warnings_total|response_errors_total|requests_denied_total)\{|server_(status|check_status|check_code|weight|uweight|sessions_total|loadbalanced_total|http_responses_total|current_sessions|limit_sessions|queue_limit|check_failures_total|check_up_down_total|connection_attempts_total|connection_errors_total|current_queue|current_throttle|last_session_seconds|downtime_seconds_total)\{)/;
const NOT_COMPARED = /_(bytes_\w+|seconds|rate\w*)\{/;
const sampleKeys = (s: Scrape) =>
  Object.keys(s.samples).map((k) => k.replace(/version="[^"]*"/, 'version=V'));

test("the exporter's families, HELP, TYPE, samples and values are HAProxy 2.6's", {
  timeout: 60000,
}, async () => {
  const got = await runScenario('balancer');
  for (const [path, want] of Object.entries(expected.scrapes)) {
    const g = got[path];
    assert.ok(g, `${path} scraped`);
    assert.deepEqual(
      g.head.filter((h) => !h.startsWith('connection:')),
      want.head.filter((h) => !h.startsWith('connection:')),
      `${path}: response head`,
    );
    assert.deepEqual(g.families, want.families, `${path}: families`);
    assert.deepEqual(sampleKeys(g).sort(), sampleKeys(want).sort(), `${path}: samples`);
    const diffs: string[] = [];
    for (const [k, v] of Object.entries(want.samples)) {
      if (!COMPARED.test(k) || (NOT_COMPARED.test(k) && !/last_session|downtime/.test(k))) continue;
      if (g.samples[k] !== v) diffs.push(`${k}: want ${v}, got ${g.samples[k]}`);
    }
    assert.deepEqual(diffs, [], `${path}: values`);
  }
});
