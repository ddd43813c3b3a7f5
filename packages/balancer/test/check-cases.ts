/**
 * The configurations `balancer -c` is compared on with the real `haproxy -c` (2.6): shared-config's
 * corpus, the seed, and check-cases/*.cfg (one per finding of issue 7). check-record.ts records what
 * HAProxy prints for each into check-haproxy.json; check-vs-haproxy.test.ts compares.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DIRS = {
  corpus: fileURLToPath(new URL('../../shared-config/test/fixtures/haproxy/', import.meta.url)),
  seed: fileURLToPath(new URL('../../shared-config/test/fixtures/seed/', import.meta.url)),
  cases: fileURLToPath(new URL('./check-cases/', import.meta.url)),
} as const;

export interface CheckCase {
  /** `DIR/NAME` for one file, or a name of its own for several arguments. */
  readonly id: string;
  /** Where both commands run (relative `-f` names, certificates, maps resolve from there). */
  readonly dir: keyof typeof DIRS;
  /** The arguments after `-c`. */
  readonly args: readonly string[];
}

const cfgs = (dir: keyof typeof DIRS): CheckCase[] =>
  readdirSync(DIRS[dir])
    .filter((f) => f.endsWith('.cfg') && !f.startsWith('multi-'))
    .sort()
    .map((f) => ({ id: `${dir}/${f}`, dir, args: ['-f', f] }));

export const CHECK_CASES: readonly CheckCase[] = [
  ...cfgs('corpus'),
  ...cfgs('seed'),
  ...cfgs('cases'),
  // several files: each one's errors end with its own "Error(s) found" line
  { id: 'cases/multi-a+b', dir: 'cases', args: ['-f', 'multi-a.cfg', '-f', 'multi-b.cfg'] },
  // a -f that does not exist stops everything, before any file is read
  {
    id: 'cases/missing-file',
    dir: 'cases',
    args: ['-f', 'timeouts-none.cfg', '-f', '/nonexistent/haproxy.cfg'],
  },
  // -dW: the warnings, then the zero-warning alert
  { id: 'cases/zero-warning', dir: 'cases', args: ['-dW', '-f', 'timeouts-none.cfg'] },
];

/** What varies between runs and hosts: the PID, and this host's name in the peers warning. */
export function normalize(text: string): string {
  return text
    .replace(/^(\[(?:NOTICE|WARNING|ALERT)\] +)\(\d+\)/gm, '$1(PID)')
    .replace(/no peer named '[^']*'/g, "no peer named 'HOSTNAME'");
}
