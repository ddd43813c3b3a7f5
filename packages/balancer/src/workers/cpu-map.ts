/**
 * `cpu-map [auto:]<process-set>[/<thread-set>] <cpu-set>…` (HAProxy 2.6): which CPUs each worker may
 * run on. There is one process (1) and `nbthread` workers standing for HAProxy's threads 1…N: a line
 * without `/thread-set` maps every thread; `auto:` with a thread range gives the threads one CPU each,
 * in order. Later lines win. Node cannot call sched_setaffinity(2), so the master pins each worker with
 * util-linux's `taskset -pc` right after forking it (pin()).
 */
import { spawnSync } from 'node:child_process';
import type { CpuMapLine } from '../engine/engine-config.ts';

/** A process or thread set (all / odd / even / N / N-M / N-), members within first…first+max-1. */
function expand(word: string, max: number, first: number): number[] {
  const out: number[] = [];
  const last = first + max - 1;
  if (word === 'all' || word === 'odd' || word === 'even') {
    for (let i = first; i <= last; i++) if (word === 'all' || (word === 'odd') === (i % 2 === 1)) out.push(i);
    return out;
  }
  // str2uic(): the leading digits ("5-" runs to the end; "3-1" is 1-3)
  const dash = word.indexOf('-');
  let low = Number.parseInt(word, 10) || 0;
  let high =
    dash < 0 ? low : word.slice(dash + 1) === '' ? last : Number.parseInt(word.slice(dash + 1), 10) || 0;
  if (high < low) [low, high] = [high, low];
  for (let i = Math.max(low, first); i <= Math.min(high, last); i++) out.push(i);
  return out;
}

/** The CPUs of worker `thread` (1-based) of `nbthread`, or null when no line maps it. */
export function cpusOf(lines: readonly CpuMapLine[], thread: number, nbthread: number): number[] | null {
  let cpus: number[] | null = null;
  for (const l of lines) {
    if (!expand(l.processes, 64, 1).includes(1)) continue;
    const all = l.cpus.flatMap((c) => expand(c, 64, 0));
    if (l.threads === null) {
      cpus = all;
      continue;
    }
    const threads = expand(l.threads, nbthread, 1);
    const i = threads.indexOf(thread);
    if (i < 0) continue;
    cpus = l.auto ? (all[i] === undefined ? [] : [all[i]]) : all;
  }
  return cpus;
}

/** Pins `pid` to `cpus`; the reason on failure (no taskset, CPU not present…). */
export function pin(pid: number, cpus: readonly number[]): string | null {
  if (cpus.length === 0) return 'no CPU left for it in the cpu-map line';
  const r = spawnSync('taskset', ['-pc', cpus.join(','), String(pid)], { encoding: 'utf8' });
  if (r.error)
    return `taskset: ${r.error.message} (install util-linux; Node cannot set a CPU affinity itself)`;
  if (r.status !== 0) return `taskset: ${r.stderr.trim() || `exit ${r.status}`}`;
  return null;
}
