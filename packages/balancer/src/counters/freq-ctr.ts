/**
 * HAProxy's `freq_ctr` over one second (freq_ctr.h): events counted in the current second, plus the
 * previous second's count weighted by how much of the current second is left. `rate` in the stats is
 * this reading. Plain fields, no allocation per event.
 */
export class FreqCtr {
  /** start of the current period, ms (a multiple of 1000) */
  private periodStart = 0;
  private curr = 0;
  private prev = 0;

  /** Counts `n` events at `now` (ms); returns the rate it reads just after (for the `*_max` fields). */
  add(now: number, n = 1): number {
    const elapsed = now - this.periodStart;
    if (elapsed >= 1000 || elapsed < 0) return this.addSlow(now, n);
    this.curr += n;
    // (prev is 0 in a busy second's steady state only when the previous second was idle)
    return this.prev === 0 ? this.curr : this.curr + Math.floor((this.prev * (1000 - elapsed)) / 1000);
  }

  private addSlow(now: number, n: number): number {
    this.roll(now);
    this.curr += n;
    return this.read(now);
  }

  /** Events per second at `now`, as read_freq_ctr() computes it. */
  read(now: number): number {
    this.roll(now);
    const elapsed = now - this.periodStart;
    // read_freq_ctr: curr + prev * (remaining part of the period), rounded down
    return this.curr + Math.floor((this.prev * (1000 - elapsed)) / 1000);
  }

  /**
   * Makes read() give `rate` for the rest of the current second (then it decays as a second's count
   * does): the master of `nbthread` workers shows their summed rates this way (workers/counter-sync.ts).
   */
  setRate(now: number, rate: number): void {
    this.periodStart = now - (now % 1000);
    this.curr = rate;
    this.prev = 0;
  }

  clear(): void {
    this.periodStart = 0;
    this.curr = 0;
    this.prev = 0;
  }

  private roll(now: number): void {
    const start = now - (now % 1000);
    if (start === this.periodStart) return;
    // one period later the current count becomes the previous one; more than one: both are stale
    this.prev = start - this.periodStart === 1000 ? this.curr : 0;
    this.curr = 0;
    this.periodStart = start;
  }
}
