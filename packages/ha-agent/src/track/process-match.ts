// Which processes a vrrp_track_process counts (keepalived 2.2.7, track_process.c), pure.
import type { ProcessInfo } from './process-table.ts';

export interface ProcessMatch {
  process: string;
  params: readonly string[];
  paramMatch: 'none' | 'exact' | 'partial' | 'initial';
  fullCommand: boolean;
}

/**
 * keepalived compares the configured name with /proc/PID/comm, exactly (`haproxy` does not match
 * `haproxy-wrapper`; pgrep would), or with full_command (implied by parameters and param_match) with
 * argv[0] of /proc/PID/cmdline, and then the parameters after it: exact (the same list), partial (the
 * first N the same), initial (the first N-1 the same and the Nth starting with the one configured).
 */
export function processMatches(m: ProcessMatch, p: ProcessInfo): boolean {
  if (!m.fullCommand) return p.comm === m.process;
  const argv = p.cmdline;
  if (argv === null || argv.length === 0 || argv[0] !== m.process) return false;
  const args = argv.slice(1);
  const want = m.params;
  switch (m.paramMatch) {
    case 'none':
      return true;
    case 'exact':
      return args.length === want.length && want.every((w, i) => args[i] === w);
    case 'partial':
      return args.length >= want.length && want.every((w, i) => args[i] === w);
    case 'initial': {
      if (want.length === 0) return true;
      const last = want.length - 1;
      return (
        args.length >= want.length &&
        want.slice(0, last).every((w, i) => args[i] === w) &&
        args[last].startsWith(want[last])
      );
    }
  }
}

/** What a configured match reads like in a log line or a dump. */
export function describeMatch(m: ProcessMatch): string {
  const params = m.params.length > 0 ? ` ${m.params.join(' ')}` : '';
  return m.fullCommand ? `command line ${m.process}${params}` : `name ${m.process}`;
}
