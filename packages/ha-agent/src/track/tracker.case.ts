/**
 * The behaviour every tracker shares, run against each implementation (like hono's router suite):
 * `runTrackerSuite({ kind, make })` from `<kind>.test.ts`. `make` builds a tracker around a real tracked
 * object (a fake balancer on a Unix socket, a script, a dummy link) and a switch to make it healthy or not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdsFor, waitFor } from '../../test/support/wait-for.ts';
import type { Tracker, TrackerState } from './tracker.ts';

export interface TrackerHarness {
  tracker: Tracker;
  setHealthy(ok: boolean): Promise<void>;
  /** successful observations so far (script exits 0, ready snapshot + heartbeats…), for rise checks */
  successes?(): number;
  /** failed observations so far, for fall checks */
  failures?(): number;
  /** releases the tracked object (server, files, links); the tracker is stopped by the suite */
  cleanup(): Promise<void>;
}

export interface TrackerMakeOptions {
  name: string;
  weight: number;
  reverse: boolean;
  rise: number;
  fall: number;
  healthy: boolean;
}

export interface TrackerSuiteOptions {
  kind: string;
  make(opts: TrackerMakeOptions): Promise<TrackerHarness>;
  /**
   * Which hysteresis the harness's setHealthy(false) exercises: interface trackers react to link events
   * directly (neither); a crashed balancer is down at once by design (rise only — its `fall` applies to
   * missed heartbeats and is tested in balancer.test.ts).
   */
  rise: boolean;
  fall: boolean;
  /** longest time one detection may take, ms */
  deadlineMs?: number;
  /**
   * Whether `weight` works as keepalived's up/down rule for this kind (a track_file instead multiplies the
   * number it reads; its own test covers that).
   */
  upDownWeights?: boolean;
  skip?: string | false;
}

function recordChanges(t: Tracker): TrackerState[] {
  const seen: TrackerState[] = [];
  t.on('change', (s) => seen.push(s));
  return seen;
}

export function runTrackerSuite(opts: TrackerSuiteOptions): void {
  const deadline = opts.deadlineMs ?? 3000;
  const base: TrackerMakeOptions = { name: 't', weight: 0, reverse: false, rise: 1, fall: 1, healthy: true };

  const withHarness = async (o: Partial<TrackerMakeOptions>, body: (h: TrackerHarness) => Promise<void>) => {
    const h = await opts.make({ ...base, ...o });
    try {
      await body(h);
    } finally {
      await h.tracker.stop();
      await h.cleanup();
    }
  };

  describe(`tracker suite: ${opts.kind}`, { skip: opts.skip }, () => {
    it('goes up when the object is healthy and down when it fails, emitting change events', async () => {
      await withHarness({}, async (h) => {
        const changes = recordChanges(h.tracker);
        h.tracker.start();
        await waitFor(() => h.tracker.state.up, deadline, 'up');
        assert.ok(h.tracker.state.reason.length > 0);
        await h.setHealthy(false);
        await waitFor(() => !h.tracker.state.up, deadline, 'down');
        assert.deepEqual(
          changes.map((c) => c.up),
          [true, false],
        );
        assert.ok(h.tracker.state.reason.length > 0);
        await h.setHealthy(true);
        await waitFor(() => h.tracker.state.up, deadline, 'up again');
      });
    });

    it('starts down when the object is unhealthy (after really looking at it)', async () => {
      await withHarness({ healthy: false }, async (h) => {
        assert.equal(h.tracker.observed, false, 'nothing observed before start()');
        h.tracker.start();
        await waitFor(() => h.tracker.observed, deadline, 'a first observation');
        assert.equal(h.tracker.state.up, false);
        assert.notEqual(h.tracker.state.reason, '', 'the reason says what was seen');
      });
    });

    it('reports the weight keepalived would apply (positive, negative, reverse, zero)', {
      skip: opts.upDownWeights === false && 'this kind weighs a number, not up/down',
    }, async () => {
      const cases: [weight: number, reverse: boolean, whenUp: number, whenDown: number][] = [
        [10, false, 10, 0],
        [-10, false, 0, -10],
        [10, true, -10, 0],
        [-10, true, 0, 10],
        [0, false, 0, 0],
      ];
      for (const [weight, reverse, whenUp, whenDown] of cases) {
        await withHarness({ weight, reverse }, async (h) => {
          assert.equal(h.tracker.configuredWeight, weight);
          h.tracker.start();
          await waitFor(() => h.tracker.state.up, deadline, 'up');
          assert.equal(h.tracker.state.weight, whenUp, `weight ${weight}${reverse ? ' reverse' : ''} up`);
          await h.setHealthy(false);
          await waitFor(() => !h.tracker.state.up, deadline, 'down');
          assert.equal(h.tracker.state.weight, whenDown, `weight ${weight}${reverse ? ' reverse' : ''} down`);
        });
      }
    });

    it('needs `rise` successes to go up again', {
      skip: !opts.rise && 'rise does not apply to this kind',
    }, async () => {
      await withHarness({ rise: 3, fall: 1 }, async (h) => {
        h.tracker.start();
        // (keepalived lets a script that has never run go up on its first success: start from a real KO)
        await waitFor(() => h.tracker.state.up, deadline * 2, 'up');
        await h.setHealthy(false);
        await waitFor(() => !h.tracker.state.up, deadline, 'down');
        const before = h.successes!();
        let successesAtUp = -1;
        h.tracker.on('change', (s) => {
          if (s.up && successesAtUp < 0) successesAtUp = h.successes!() - before;
        });
        await h.setHealthy(true);
        await waitFor(() => h.tracker.state.up, deadline * 2, 'up again');
        assert.ok(successesAtUp >= 3, `went up after ${successesAtUp} successes, rise is 3`);
      });
    });

    it('needs `fall` failures to go down', {
      skip: !opts.fall && 'fall does not apply to this kind',
    }, async () => {
      await withHarness({ rise: 1, fall: 3 }, async (h) => {
        h.tracker.start();
        await waitFor(() => h.tracker.state.up, deadline, 'up');
        const before = h.failures!();
        let failuresAtDown = -1;
        h.tracker.on('change', (s) => {
          if (!s.up && failuresAtDown < 0) failuresAtDown = h.failures!() - before;
        });
        await h.setHealthy(false);
        await waitFor(() => !h.tracker.state.up, deadline * 2, 'down');
        assert.ok(failuresAtDown >= 3, `went down after ${failuresAtDown} failures, fall is 3`);
      });
    });

    it('stop() ends all activity: no more events, no handles left behind', async () => {
      const resourcesBefore = process.getActiveResourcesInfo().length;
      const h = await opts.make({ ...base });
      const changes = recordChanges(h.tracker);
      h.tracker.start();
      await waitFor(() => h.tracker.state.up, deadline, 'up');
      await h.tracker.stop();
      const count = changes.length;
      await h.setHealthy(false);
      // Absence can only be shown by watching: give a working tracker ample time to notice.
      await holdsFor(() => changes.length === count, Math.min(deadline, 500), 'no change event after stop()');
      await h.cleanup();
      await waitFor(
        () => process.getActiveResourcesInfo().length <= resourcesBefore,
        deadline,
        `active resources back to ${resourcesBefore} (now ${process.getActiveResourcesInfo().join(', ')})`,
      );
    });
  });
}
