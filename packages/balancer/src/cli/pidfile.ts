import { renameSync, writeFileSync } from 'node:fs';
import { LB_ERR, LbError } from '../errors.ts';

/**
 * Writes `pid` to `path` whole under a temporary name, then renames it: a reader (systemd's PIDFile=,
 * a script polling for it) never sees an empty or partial file. Fails with LB_ERR_PIDFILE.
 */
export function writePidfile(path: string, pid: number): void {
  try {
    const tmp = `${path}.${pid}.tmp`;
    writeFileSync(tmp, `${pid}\n`);
    renameSync(tmp, path);
  } catch (err) {
    throw new LbError(LB_ERR.PIDFILE, `Cannot create pidfile ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
