/**
 * `nbthread N`: the counters of N worker processes seen as one balancer. Each worker's engine has the
 * same frontends, backends and servers (the same configuration), so one layout — every numeric field
 * of every counter object, in a fixed walk order — turns a worker's counters into one Float64Array
 * (dumpCounters) and the workers' arrays back into the master's counter objects (aggregateCounters),
 * which every view (stats page, CSV, JSON, `show stat`, `show info`, the health API) reads as usual.
 *
 * How fields combine: counts and current values add up; the maxima of a moment (smax, rate maxima)
 * add up too (an upper bound: the workers' peaks may not coincide); the timer maxima and `lastSess`
 * take the largest; the four timer averages (qtime ctime rtime ttime) are the pooled average; a rate
 * (FreqCtr) is the sum of the workers' readings. Check-owned fields (chkfail, chkdown, hanafail,
 * lastChange, downtime, downSince) are left alone: the master runs the checks. The proxies the master
 * serves itself (those with a stats page) are not in the layout.
 */

import { TIME_STATS_SAMPLES } from '../counters/counters.ts';
import { FreqCtr } from '../counters/freq-ctr.ts';
import type { Engine } from '../engine/engine.ts';

type Kind = 'sum' | 'max' | 'rate' | 'timer';

interface Slot {
  kind: Kind;
  /** the object and key written (for a Float64Array element: the array and the index) */
  obj: Record<string | number, unknown>;
  key: string | number;
  /** timer: the slot of the `timed` count of the same object */
  timed: number;
}

export interface CounterLayout {
  readonly slots: readonly Slot[];
}

const OWNED_BY_CHECKS = new Set(['chkfail', 'chkdown', 'hanafail', 'lastChange', 'downtime', 'downSince']);
const LARGEST = new Set(['lastSess', 'qtimeMax', 'ctimeMax', 'rtimeMax', 'ttimeMax']);
const TIMERS = new Set(['qtime', 'ctime', 'rtime', 'ttime']);

/** The proxies the master serves (a stats page): their counters are its own. */
export function masterServed(engine: Engine): Set<string> {
  return new Set(engine.frontends.filter((f) => f.statsPage !== null).map((f) => f.spec.name));
}

function addObject(slots: Slot[], obj: object, only?: readonly string[]): void {
  const o = obj as Record<string, unknown>;
  let timed = -1;
  const start = slots.length;
  for (const key of only ?? Object.keys(o)) {
    const v = o[key];
    if (typeof v === 'number') {
      if (OWNED_BY_CHECKS.has(key)) continue;
      if (key === 'timed') timed = slots.length;
      const kind: Kind = LARGEST.has(key) ? 'max' : TIMERS.has(key) ? 'timer' : 'sum';
      slots.push({ kind, obj: o, key, timed: -1 });
    } else if (v instanceof Float64Array) {
      for (let i = 0; i < v.length; i++)
        slots.push({ kind: 'sum', obj: v as unknown as Record<number, unknown>, key: i, timed: -1 });
    } else if (v instanceof FreqCtr) {
      slots.push({ kind: 'rate', obj: v as unknown as Record<string, unknown>, key: '', timed: -1 });
    }
  }
  for (let i = start; i < slots.length; i++) if (slots[i].kind === 'timer') slots[i].timed = timed;
}

/** The walk every process of one configuration does the same way. */
export function counterLayout(engine: Engine): CounterLayout {
  const mine = masterServed(engine);
  const slots: Slot[] = [];
  for (const f of engine.frontends) if (!mine.has(f.spec.name)) addObject(slots, f.counters);
  for (const be of engine.backends) {
    if (mine.has(be.spec.name)) continue;
    addObject(slots, be.counters);
    addObject(slots, be.load, ['retries', 'redispatches']);
    for (const s of be.servers) {
      addObject(slots, s.counters);
      addObject(slots, s, ['retries', 'redispatches', 'served', 'conns']);
    }
  }
  return { slots };
}

/** A worker's counters now, in the layout's order. */
export function dumpCounters(layout: CounterLayout, now = Date.now()): Float64Array {
  const out = new Float64Array(layout.slots.length);
  for (let i = 0; i < out.length; i++) {
    const s = layout.slots[i];
    out[i] = s.kind === 'rate' ? (s.obj as unknown as FreqCtr).read(now) : (s.obj[s.key] as number);
  }
  return out;
}

/** HAProxy's averaging window for `timed` samples (counters.ts Served.avg). */
function window(timed: number): number {
  return timed > 0 && timed < TIME_STATS_SAMPLES ? timed : TIME_STATS_SAMPLES;
}

/**
 * Writes the workers' combined counters into the master's objects. Dumps of another length (a layout
 * that changed under a reload or `add server`) are skipped.
 */
export function aggregateCounters(
  layout: CounterLayout,
  dumps: readonly Float64Array[],
  now = Date.now(),
): void {
  const n = layout.slots.length;
  const ok = dumps.filter((d) => d.length === n);
  if (ok.length === 0) return;
  for (let i = 0; i < n; i++) {
    const s = layout.slots[i];
    let v = 0;
    switch (s.kind) {
      case 'sum':
        for (const d of ok) v += d[i];
        s.obj[s.key] = v;
        break;
      case 'max':
        for (const d of ok) if (d[i] > v) v = d[i];
        s.obj[s.key] = v;
        break;
      case 'rate':
        for (const d of ok) v += d[i];
        (s.obj as unknown as FreqCtr).setRate(now, v);
        break;
      case 'timer': {
        // the pooled average over every worker's window, as a sum over the master's own window
        let sum = 0;
        let w = 0;
        let timed = 0;
        for (const d of ok) {
          const t = s.timed >= 0 ? d[s.timed] : 0;
          if (t <= 0) continue;
          sum += d[i];
          w += window(t);
          timed += t;
        }
        s.obj[s.key] = w === 0 ? 0 : Math.round((sum / w) * window(timed));
        break;
      }
    }
  }
}
