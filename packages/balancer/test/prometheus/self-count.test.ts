/**
 * The exporter's own requests count in the frontend as HAProxy 2.6 counts them (self-count.ts,
 * recorded in self-count-expected.json): each scrape is a session, a connection, a request and an
 * intercepted request, its 200 an hrsp_2xx once sent; the scrape in progress is already in the
 * exporter's own sessions/requests/intercepted counts but not yet in its 2xx.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSelfCount, type SelfCount } from './self-count.ts';

const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, 'self-count-expected.json'), 'utf8'),
) as SelfCount & { recordedWith: string };

test(`the exporter's own requests in the frontend's counters, as ${expected.recordedWith}`, async () => {
  const ours = await runSelfCount('balancer');
  assert.deepEqual(ours.exporter, expected.exporter, 'the exporter’s view');
  assert.deepEqual(ours.showStat, expected.showStat, 'show stat afterwards');
});
