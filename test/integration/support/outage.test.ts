import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSummary, type RequestResult, summarize } from './outage.ts';

const ok = (start: number, ms = 2): RequestResult => ({
  start,
  end: start + ms,
  ok: true,
  by: 'web1',
  via: 'a',
});
const ko = (start: number, ms = 1, error = 'ECONNREFUSED'): RequestResult => ({
  start,
  end: start + ms,
  ok: false,
  error,
});

describe('outage summary', () => {
  it('nothing failed: no outage, the longest request', () => {
    const s = summarize([ok(0), ok(20, 7), ok(40)]);
    assert.deepEqual(s, { requests: 3, failed: 0, outageMs: 0, longestMs: 7, errors: {}, recovered: true });
  });

  it('from the first failure to the first success after the last one, flaps included', () => {
    const s = summarize([ok(0), ko(20), ko(40), ok(60), ko(80, 1, 'timeout'), ok(100, 900), ok(1020)]);
    assert.equal(s.outageMs, 1000 - 20);
    assert.equal(s.failed, 3);
    assert.deepEqual(s.errors, { ECONNREFUSED: 2, timeout: 1 });
    assert.equal(s.longestMs, 900);
    assert.equal(s.recovered, true);
  });

  it('not recovered: the outage runs to the last request', () => {
    const s = summarize([ok(0), ko(20), ko(40, 5)]);
    assert.equal(s.outageMs, 25);
    assert.equal(s.recovered, false);
  });

  it('since: the requests over by then are left out, the one in flight counts', () => {
    assert.equal(summarize([ko(0), ok(20), ok(40)], 10).failed, 0);
    const s = summarize([ok(0), ko(8, 5), ok(20), ok(40)], 10);
    assert.equal(s.failed, 1, 'started at 8, failed at 13: in flight at 10');
    assert.equal(s.requests, 3);
  });

  it('prints one line', () => {
    assert.equal(
      formatSummary(summarize([ok(0), ko(20), ok(40, 1000)])),
      'outage 1020 ms, 1 failed of 3 (ECONNREFUSED 1), longest 1000 ms',
    );
  });
});
