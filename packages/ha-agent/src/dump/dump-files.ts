// Where keepalived writes its SIGUSR1/SIGUSR2 dumps, and how we write ours there. keepalived 2.2.7 puts
// them in $TMPDIR, else /tmp (its set_tmp_dir()), as keepalived.data / keepalived.stats / keepalived.json
// (verified: TMPDIR=/x keepalived … then kill -USR1 → /x/keepalived.data).
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HaError } from '../errors.ts';

export interface DumpPaths {
  data: string;
  stats: string;
  json: string;
}

export function dumpPaths(env: NodeJS.ProcessEnv = process.env): DumpPaths {
  const dir = env.TMPDIR || '/tmp';
  return {
    data: join(dir, 'keepalived.data'),
    stats: join(dir, 'keepalived.stats'),
    json: join(dir, 'keepalived.json'),
  };
}

/**
 * Writes `text` to `path` as keepalived does (mode 0600), but through a fresh file renamed over the
 * target: a reader never sees half a dump, and a symlink planted at the path in a shared /tmp is
 * replaced, not followed (keepalived's CVE-2018-19044 was exactly that).
 */
export function writeDumpFile(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new HaError('HA_ERR_DUMP', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}
