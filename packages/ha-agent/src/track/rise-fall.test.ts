import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RiseFall } from './rise-fall.ts';

describe('RiseFall (keepalived vrrp_script counter)', () => {
  it('init: one success is enough; then fall failures to go KO, rise successes to come back', () => {
    const r = new RiseFall(2, 3);
    assert.equal(r.ok, false);
    assert.equal(r.success(), true);
    assert.equal(r.ok, true);
    assert.equal(r.failure(), false);
    assert.equal(r.failure(), false);
    assert.equal(r.ok, true);
    assert.equal(r.failure(), true);
    assert.equal(r.ok, false);
    assert.equal(r.success(), false);
    assert.equal(r.ok, false);
    assert.equal(r.success(), true);
    assert.equal(r.ok, true);
  });

  it('a success while OK refills the counter (fall failures in a row are needed)', () => {
    const r = new RiseFall(1, 2, 'good');
    r.failure();
    r.success();
    assert.equal(r.failure(), false);
    assert.equal(r.failure(), true);
  });

  it('init_fail needs rise successes; the first failure of an initial script is reported', () => {
    const f = new RiseFall(3, 1, 'failed');
    f.success();
    f.success();
    assert.equal(f.ok, false);
    assert.equal(f.success(), true);
    const i = new RiseFall(1, 1);
    assert.equal(i.failure(), true, 'INIT → KO is a transition (keepalived runs the FAULT path)');
    assert.equal(i.failure(), false);
  });

  it('forceDown drops to KO at once', () => {
    const r = new RiseFall(1, 5, 'good');
    assert.equal(r.forceDown(), true);
    assert.equal(r.ok, false);
    assert.throws(() => new RiseFall(0, 1), { code: 'HA_ERR_TRACK' });
  });
});
