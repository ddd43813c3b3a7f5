// Time as the agent's timed parts see it (instance timers, GARP spacing). The real one is the process's
// monotonic clock and timers; tests pass a manual clock and advance it by hand. Milliseconds.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
