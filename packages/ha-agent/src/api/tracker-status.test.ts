import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScriptTracker } from '../track/script.ts';
import { TrackerStatusSchema } from './status-schema.ts';
import { trackerStatus } from './tracker-status.ts';

describe('trackerStatus', () => {
  it('applies the instance’s weight override and validates against the schema', () => {
    const t = new ScriptTracker({ name: 'chk', script: '/bin/true', weight: 0 });
    const own = TrackerStatusSchema.parse(trackerStatus(t));
    assert.deepEqual([own.up, own.fault, own.delta], [false, true, 0]);
    const over = trackerStatus(t, { weight: -20, reverse: false });
    assert.deepEqual([over.fault, over.delta, over.weight], [false, -20, -20]);
  });
});
