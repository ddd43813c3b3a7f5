import { readFileSync } from 'node:fs';
import { HaError } from '../errors.ts';

/** `user USERNAME [GROUPNAME]` / `script_user` resolved to ids (group defaults to the user's group). */
export interface ScriptIdentity {
  uid: number;
  gid: number;
}

export class ScriptUserError extends HaError {
  constructor(message: string) {
    super('HA_ERR_NOTIFY', message);
    this.name = 'ScriptUserError';
  }
}

function readDb(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

/**
 * Resolves names through /etc/passwd and /etc/group (numeric ids pass through). Synchronous on purpose:
 * it runs once when the configuration is loaded, never on the VRRP path. NSS sources other than the files
 * (LDAP…) are not consulted; give numeric ids for those.
 */
export function resolveScriptUser(
  user: string,
  group: string | null = null,
  files = { passwd: '/etc/passwd', group: '/etc/group' },
): ScriptIdentity {
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(user)) {
    uid = Number(user);
    const row = readDb(files.passwd).find((r) => r[2] === user);
    gid = row ? Number(row[3]) : uid;
  } else {
    const row = readDb(files.passwd).find((r) => r[0] === user);
    if (!row) throw new ScriptUserError(`script user '${user}' does not exist`);
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (group !== null) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const row = readDb(files.group).find((r) => r[0] === group);
      if (!row) throw new ScriptUserError(`script group '${group}' does not exist`);
      gid = Number(row[2]);
    }
  }
  return { uid, gid };
}
