/**
 * global `user`/`uid`, `group`/`gid`: after every socket is bound (ports below 1024 included) and the
 * chroot entered, the process gives up root as HAProxy 2.6's set_identity() does — with a group: the
 * supplementary groups dropped (setgroups(0, NULL)), then setgid; then setuid. Names are looked up in
 * /etc/passwd and /etc/group before that (HAProxy does it while parsing), since a chrooted process can
 * no longer read them. A name those files do not know, or a change the kernel refuses, is an alert and
 * start-up fails (HAProxy exits too).
 */
import { idOf } from './user-ids.ts';

export interface Privileges {
  user?: string | null;
  group?: string | null;
  uid?: number | null;
  gid?: number | null;
}

/** The numeric ids to drop to, or HAProxy's alert text for a name nobody knows. */
export type Identity = { uid: number | null; gid: number | null } | string;

export function wantsDrop(p: Privileges): boolean {
  return p.user != null || p.group != null || p.uid != null || p.gid != null;
}

/** Looks the names up (before any chroot). */
export function identityOf(p: Privileges): Identity {
  const uid = p.uid ?? (p.user != null ? idOf(p.user, '/etc/passwd') : null);
  const gid = p.gid ?? (p.group != null ? idOf(p.group, '/etc/group') : null);
  if (p.user != null && p.uid == null && uid === null)
    return `[haproxy.main()] Cannot find user '${p.user}'.`;
  if (p.group != null && p.gid == null && gid === null)
    return `[haproxy.main()] Cannot find group '${p.group}'.`;
  return { uid, gid };
}

/** Drops to the configured ids; null when done (or nothing to do), else HAProxy's alert text. */
export function dropPrivileges(p: Privileges, id: Identity = identityOf(p)): string | null {
  if (typeof id === 'string') return id;
  const { uid, gid } = id;
  try {
    if (gid !== null) {
      if (process.getuid?.() === 0) process.setgroups?.([]);
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
