import { BaseTracker, type BaseTrackerOptions } from '../../src/track/tracker.ts';

/**
 * A tracker the test flips by hand — for the instance's and the agent's own tests, where what is tracked
 * does not matter, only what a tracker reports (every real kind runs the shared tracker suite).
 */
export class SwitchTracker extends BaseTracker {
  readonly kind = 'script' as const;
  constructor(opts: BaseTrackerOptions & { up?: boolean }) {
    super(opts, 'not set yet');
    if (opts.up) this.setUp(true, 'set up');
  }
  set(up: boolean, reason = up ? 'set up' : 'set down'): void {
    this.setUp(up, reason);
  }
  start(): void {}
  async stop(): Promise<void> {
    this.stopped = true;
  }
}
