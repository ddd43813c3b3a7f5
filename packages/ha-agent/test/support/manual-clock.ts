import type { Clock } from '../../src/clock.ts';

/** A manual clock: timers fire only inside advance(), in time order (ties in the order they were set). */
export class ManualClock implements Clock {
  t = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.#id;
    this.#timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.#timers.delete(h as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  /** when the next timer is due (null: none) */
  get nextAt(): number | null {
    let at: number | null = null;
    for (const e of this.#timers.values()) if (at === null || e.at < at) at = e.at;
    return at;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const e of this.#timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}
