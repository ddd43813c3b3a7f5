import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  afterCheck,
  checkInterval,
  counterText,
  firstCheckDelay,
  fullHealth,
  healthSaysUp,
  initialHealth,
  jitter,
  spreadBase,
  statusText,
} from './health-counter.ts';

// recorded from haproxy 2.6 by test/checks-record.ts
const EXPECTED = JSON.parse(
  readFileSync(new URL('../../test/checks-expected.json', import.meta.url), 'utf8'),
);

describe('health counter (HAProxy 2.6)', () => {
  test('a checked server starts UP at health = rise, and its first failed check takes it DOWN', () => {
    const s = EXPECTED.initialState;
    const p = { rise: s.rise, fall: s.fall };
    const h0 = initialHealth(p);
    assert.equal(h0, s.before.health);
    assert.equal(s.before.opState, 2); // SRV_ST_RUNNING
    assert.equal(statusText(h0, p, healthSaysUp(h0, p)), s.before.status);
    const after = afterCheck(h0, false, p);
    assert.equal(after.health, s.afterFirstFailure.health);
    assert.equal(healthSaysUp(after.health, p), s.afterFirstFailure.opState !== 0);
    assert.equal(statusText(after.health, p, false), s.afterFirstFailure.status);
  });

  test('the log-health-checks counters follow the recorded sequence', () => {
    // web1: rise 2 fall 3, web2: rise 3 fall 2; the scenario's checks per server, in order
    const lines: string[] = EXPECTED.scenarios['log-health-checks'].steps.flat();
    for (const [server, p, results] of [
      ['be/web1', { rise: 2, fall: 3 }, [true, false, false, false, true, true]],
      ['be/web2', { rise: 3, fall: 2 }, [true, false, false, true, true, true]],
    ] as const) {
      const recorded = lines
        .filter((l) => l.includes(`Health check for server ${server} `))
        .map((l) => /status: (.*)\.$/.exec(l)![1]);
      let h = initialHealth(p);
      const ours: string[] = [];
      for (const ok of results) {
        const r = afterCheck(h, ok, p);
        h = r.health;
        if (r.reported) ours.push(counterText(h, p, 1));
      }
      assert.deepEqual(ours, recorded, server);
    }
  });

  test('DOWN after fall failures in a row, UP after rise successes in a row', () => {
    const p = { rise: 3, fall: 4 };
    let h = fullHealth(p);
    for (let i = 1; i < p.fall; i++) {
      h = afterCheck(h, false, p).health;
      assert.ok(healthSaysUp(h, p), `still UP after ${i} failures`);
    }
    h = afterCheck(h, false, p).health;
    assert.equal(h, 0);
    for (let i = 1; i < p.rise; i++) {
      h = afterCheck(h, true, p).health;
      assert.ok(!healthSaysUp(h, p));
    }
    h = afterCheck(h, true, p).health;
    assert.equal(h, fullHealth(p));
    // a success in the middle of a fall resets it to fully UP
    h = afterCheck(afterCheck(h, false, p).health, true, p).health;
    assert.equal(h, fullHealth(p));
  });

  test('intervals: inter when fully UP, downinter when fully DOWN, fastinter in between', () => {
    const p = { rise: 2, fall: 3 };
    const t = { inter: 1000, fastinter: 200, downinter: 5000 };
    assert.equal(checkInterval(fullHealth(p), true, p, t, false), 1000);
    assert.equal(checkInterval(fullHealth(p), true, p, t, true), 200, 'observe forced fastinter');
    assert.equal(checkInterval(3, true, p, t, false), 200, 'going down');
    assert.equal(checkInterval(initialHealth(p), true, p, t, false), 200, 'start-up: health = rise');
    assert.equal(checkInterval(0, false, p, t, false), 5000);
    assert.equal(checkInterval(1, false, p, t, false), 200, 'going up');
  });

  test('start-up spread matches what haproxy did with 4 servers', () => {
    for (const run of EXPECTED.spread as { inter: number; servers: number; firstCheckMs: number[] }[]) {
      const base = spreadBase(Array(run.servers).fill(run.inter));
      const ours = run.firstCheckMs.map((_, i) => firstCheckDelay(i, run.servers, base, run.inter, null));
      for (const [i, ms] of run.firstCheckMs.entries())
        assert.ok(
          Math.abs(ms - ours[i]) <= 40,
          `inter ${run.inter} server ${i}: haproxy ${ms} ms, ours ${ours[i]} ms`,
        );
    }
    assert.equal(firstCheckDelay(3, 4, 2000, 2000, 100), 75, 'max-spread-checks caps the span');
  });

  test('spread-checks jitter stays within ± the percentage', () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const v = jitter(1000, 50, r);
      assert.ok(v >= 500 && v <= 1500, String(v));
    }
    assert.equal(jitter(1000, 0, 0.3), 1000);
  });
});
