import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectivePriority, trackEffect } from './weight.ts';

describe('trackEffect (keepalived weight sign rules)', () => {
  it('weight 0: down is FAULT; reverse: up is FAULT', () => {
    assert.deepEqual(trackEffect(false, 0), { fault: true, delta: 0 });
    assert.deepEqual(trackEffect(true, 0), { fault: false, delta: 0 });
    assert.deepEqual(trackEffect(true, 0, true), { fault: true, delta: 0 });
    assert.deepEqual(trackEffect(false, 0, true), { fault: false, delta: 0 });
  });
  it('positive weights add when up, negative subtract when down; reverse flips the direction', () => {
    assert.equal(trackEffect(true, 20).delta, 20);
    assert.equal(trackEffect(false, 20).delta, 0);
    assert.equal(trackEffect(true, -20).delta, 0);
    assert.equal(trackEffect(false, -20).delta, -20);
    assert.equal(trackEffect(true, 20, true).delta, -20);
    assert.equal(trackEffect(false, -20, true).delta, 20);
  });
});

describe('effectivePriority', () => {
  it('clamps to 1..254 and never touches the address owner', () => {
    assert.equal(effectivePriority(100, [20, -5]), 115);
    assert.equal(effectivePriority(100, [-200]), 1);
    assert.equal(effectivePriority(250, [10]), 254);
    assert.equal(effectivePriority(255, [-100]), 255);
  });
});
