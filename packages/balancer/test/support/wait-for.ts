/**
 * The one way the balancer's tests wait: on the condition itself, polled, with a generous upper bound;
 * never a sleep standing in for an assertion.
 */

/** Polls `cond` every `stepMs` until it holds or `ms` elapsed; says whether it held. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms = 2000,
  stepMs = 10,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return await cond();
}
