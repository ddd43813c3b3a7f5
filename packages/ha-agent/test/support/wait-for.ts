// The one way the ha-agent tests wait: on the event itself, polled, with a generous upper bound; never a
// sleep standing in for an assertion.

/** Polls `pred` every `stepMs` until it holds (returns the elapsed ms) or `deadlineMs` passes (throws). */
export async function waitFor(
  pred: () => boolean,
  deadlineMs: number,
  what: string,
  stepMs = 5,
): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (pred()) return performance.now() - start;
    if (performance.now() - start > deadlineMs)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * Asserts `pred` stays true for the whole window (polled). Only for absence or stability — "nothing
 * happens for a while" can only be shown by watching for a while.
 */
export async function holdsFor(
  pred: () => boolean,
  windowMs: number,
  what: string,
  stepMs = 50,
): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < windowMs) {
    if (!pred()) throw new Error(`${what} stopped holding after ${Math.round(performance.now() - start)} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
