/**
 * `observe layer4|layer7` with `nbthread`: live traffic is in the workers, the health counter in the
 * master's checks. Each worker keeps, per observing server, the verdicts of its traffic as runs —
 * [the run's last event, how many] of consecutive OK or error verdicts, so a busy server costs a few
 * entries per tick, not one per request — and sends them with its tick answer; the master replays them
 * into the server's monitor (an OK run once: it resets the error count; an error run up to
 * `error-limit` times), so consecutive errors mark the server DOWN as in one process.
 */
import type { ObservedEvent } from '../checks/observe.ts';
import { verdict } from '../checks/observe.ts';
import type { Engine } from '../engine/engine.ts';

/** [backend, server, runs] */
export type ObservedRuns = [string, string, [ObservedEvent, number][]][];

/** Runs kept per server between two ticks (older ones are dropped: only the recent ones decide). */
const MAX_RUNS = 32;

/** Hooks the worker's observing servers; take() hands over what they saw since the last call. */
export function observeRelay(engine: Engine): { take(): ObservedRuns } {
  const all: { be: string; srv: string; runs: [ObservedEvent, number][]; last: 'ok' | 'error' | null }[] = [];
  for (const be of engine.backends)
    for (const s of be.servers) {
      const layer = s.spec.check?.observe ?? null;
      if (layer === null) continue;
      const e = {
        be: be.spec.name,
        srv: s.spec.name,
        runs: [] as [ObservedEvent, number][],
        last: null as 'ok' | 'error' | null,
      };
      all.push(e);
      s.observe = (event) => {
        const v = verdict(event, layer);
        if (v === null) return;
        const top = e.runs[e.runs.length - 1];
        if (top !== undefined && e.last === v) {
          top[0] = event;
          top[1]++;
          return;
        }
        e.last = v;
        e.runs.push([event, 1]);
        if (e.runs.length > MAX_RUNS) e.runs.shift();
      };
    }
  return {
    take() {
      const out: ObservedRuns = [];
      for (const e of all)
        if (e.runs.length > 0) {
          out.push([e.be, e.srv, e.runs]);
          e.runs = [];
          e.last = null;
        }
      return out;
    },
  };
}

/** The master: the workers' runs into its monitors. */
export function replayObserved(engine: Engine, runs: ObservedRuns): void {
  for (const [b, s, list] of runs) {
    const m = engine.checks.monitors.find((x) => x.be.spec.name === b && x.srv.spec.name === s);
    if (m === undefined || m.check.observe === null) continue;
    for (const [event, n] of list) {
      const times = verdict(event, m.check.observe) === 'ok' ? 1 : Math.min(n, m.check.errorLimit);
      for (let i = 0; i < times; i++) m.observe(event);
    }
  }
}
