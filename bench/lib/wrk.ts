/** Runs wrk and parses req/s and latency percentiles from its `--latency` output. */
import { run } from './bench-procs.ts';

export type WrkResult = { rps: number; p50ms: number; p99ms: number; errors: string | null };

/** "1.23ms" / "850.00us" / "1.02s" → milliseconds. */
export function toMs(s: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const errs = [/Socket errors:.*$/m.exec(out)?.[0], /Non-2xx or 3xx responses:.*$/m.exec(out)?.[0]]
    .filter(Boolean)
    .join('; ');
  return { rps, p50ms: toMs(p50), p99ms: toMs(p99), errors: errs || null };
}

export async function wrk(
  url: string,
  opts: { threads: number; conns: number; seconds: number; cpu?: number },
): Promise<WrkResult> {
  const args = [`-t${opts.threads}`, `-c${opts.conns}`, `-d${opts.seconds}s`, '--latency', url];
  const out =
    opts.cpu === undefined
      ? await run('wrk', args, (opts.seconds + 30) * 1000)
      : await run('taskset', ['-c', String(opts.cpu), 'wrk', ...args], (opts.seconds + 30) * 1000);
  return parseWrk(out);
}
