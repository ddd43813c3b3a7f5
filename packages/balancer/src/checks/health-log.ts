/**
 * The lines HAProxy 2.6 prints when a checked server changes (server.c srv_update_status, check.c
 * set_server_check_status), recorded from the real haproxy in test/checks-expected.json:
 *
 *   Server be/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.
 *   Server be/web1 is UP, reason: Layer4 check passed, check duration: 0ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
 *   Health check for server be/web1 failed, reason: …, check duration: 0ms, status: 2/3 UP.
 *   backend 'be' has no server available!
 *
 * With `option log-health-checks` the UP/DOWN line carries no reason (the health-check lines did).
 */
import { type CheckResult, reasonText } from './check-result.ts';

export interface ServerCounts {
  /** active (non-backup) servers UP after the change */
  active: number;
  backup: number;
}

function tail(c: ServerCounts, up: boolean, sessions: number): string {
  const onBackup = c.backup > 0 && c.active === 0 ? ' Running on backup.' : '';
  return up
    ? `. ${c.active} active and ${c.backup} backup servers online.${onBackup} 0 sessions requeued, 0 total in queue.`
    : `. ${c.active} active and ${c.backup} backup servers left.${onBackup} ${sessions} sessions active, 0 requeued, 0 remaining in queue.`;
}

export function transitionLine(
  backend: string,
  server: string,
  isBackup: boolean,
  up: boolean,
  result: CheckResult | null,
  counts: ServerCounts,
  sessions: number,
): string {
  const reason = result === null ? '' : `, ${reasonText(result)}`;
  return `${isBackup ? 'Backup ' : ''}Server ${backend}/${server} is ${up ? 'UP' : 'DOWN'}${reason}${tail(counts, up, sessions)}`;
}

export function healthCheckLine(
  backend: string,
  server: string,
  isBackup: boolean,
  result: CheckResult,
  passed: boolean,
  counter: string,
): string {
  return `Health check for ${isBackup ? 'backup ' : ''}server ${backend}/${server} ${passed ? 'succeeded' : 'failed'}, ${reasonText(result)}, status: ${counter}.`;
}

export function noServerLine(backend: string): string {
  return `backend '${backend}' has no server available!`;
}

/** The same, as HAProxy sends it to the log targets (without the quotes; recorded). */
export function noServerLogLine(backend: string): string {
  return `backend ${backend} has no server available!`;
}
