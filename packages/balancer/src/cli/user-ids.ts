/** User and group names as `stats socket … user U group G` and global `user`/`group` give them. */
import { readFileSync } from 'node:fs';

/** A numeric id, or a user/group name looked up in /etc/passwd or /etc/group; null when unknown. */
export function idOf(v: number | string, db: '/etc/passwd' | '/etc/group' | string): number | null {
  if (typeof v === 'number') return v;
  if (/^\d+$/.test(v)) return Number(v);
  for (const line of readFileSync(db, 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === v && f[2] !== undefined) return Number(f[2]);
  }
  return null;
}
