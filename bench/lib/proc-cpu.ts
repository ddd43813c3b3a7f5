import { readFileSync } from 'node:fs';

/** CPU time (user + system) a process has used, in µs (from /proc/PID/stat, clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // the command name may hold spaces and ')': the fields start after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
