/**
 * global `user`/`uid`, `group`/`gid`: after every socket is bound (ports below 1024 included), the
 * process gives up root as HAProxy's main() does — supplementary groups dropped (initgroups for a
 * `user` name), then setgid, then setuid. A name that /etc/passwd or /etc/group does not know, or a
 * change the kernel refuses, is an alert and start-up fails (HAProxy exits too).
 */
import { idOf } from './user-ids.ts';

export interface Privileges {
  user?: string | null;
  group?: string | null;
  uid?: number | null;
  gid?: number | null;
}

export function wantsDrop(p: Privileges): boolean {
  return p.user != null || p.group != null || p.uid != null || p.gid != null;
}

/** Drops to the configured ids; null when done (or nothing to do), else HAProxy's alert text. */
export function dropPrivileges(p: Privileges): string | null {
  const uid = p.uid ?? (p.user != null ? idOf(p.user, '/etc/passwd') : null);
  const gid = p.gid ?? (p.group != null ? idOf(p.group, '/etc/group') : null);
  if (p.user != null && p.uid == null && uid === null)
    return `[haproxy.main()] Cannot find user '${p.user}'.`;
  if (p.group != null && p.gid == null && gid === null)
    return `[haproxy.main()] Cannot find group '${p.group}'.`;
  try {
    if (gid !== null) {
      if (process.getuid?.() === 0) {
        if (p.user != null)
          (process as { initgroups?: (u: string, g: number) => void }).initgroups?.(p.user, gid);
        else process.setgroups?.([gid]);
      }
      process.setgid?.(gid);
    }
  } catch {
    return `[haproxy.main()] Cannot set gid ${gid}.`;
  }
  try {
    if (uid !== null) process.setuid?.(uid);
  } catch {
    return `[haproxy.main()] Cannot set uid ${uid}.`;
  }
  return null;
}
