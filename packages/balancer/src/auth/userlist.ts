/**
 * `userlist NAME` (configuration.txt §3.4): users with a password (`insecure-password` in clear, or
 * `password` as a crypt(3) hash) and groups (`user … groups G,…` and `group G users U,…` both count).
 * Built once per engine; `check()` is what `http_auth(NAME)` and `http_auth_group(NAME)` ask.
 *
 * HAProxy hands `password` hashes to libc's crypt(3). The balancer verifies the SHA-crypt schemes
 * (`$5$` SHA-256, `$6$` SHA-512: `mkpasswd -m sha-512`, `openssl passwd -6`) with `unixcrypt`; any
 * other scheme (DES, `$1$` MD5, `$2b$`, `$y$` yescrypt…) is refused at start-up, naming the line,
 * rather than letting nobody (or everybody) in. A SHA-512 verification costs milliseconds of CPU on the
 * event loop, so credentials that verified are remembered (a digest of user and password, never the
 * password) and a returning client costs a hash lookup; wrong ones are verified every time, as HAProxy
 * does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Userlist as UserlistModel } from '@ha-lb/shared-config/haproxy';
import { verify as verifyCrypt } from 'unixcrypt';
import { LB_ERR, LbError } from '../errors.ts';

interface User {
  /** the clear password (`insecure-password`), or null for a hash */
  clear: Buffer | null;
  hash: string | null;
  groups: Set<string>;
}

/** How many verified credentials are remembered (the set is emptied when full). */
const VERIFIED_MAX = 4096;

const SUPPORTED = /^\$[56]\$/;

export class Userlist {
  readonly name: string;
  readonly groups: ReadonlySet<string>;
  private readonly users = new Map<string, User>();
  private readonly verified = new Set<string>();

  constructor(model: UserlistModel) {
    this.name = model.name;
    this.groups = new Set(model.groups.map((g) => g.name));
    for (const u of model.users) {
      if (!u.insecure && !SUPPORTED.test(u.password))
        throw new LbError(
          LB_ERR.CONFIG,
          `parsing [${model.file}:${model.line}] : userlist '${model.name}': user '${u.name}': password hash scheme '${schemeOf(u.password)}' is not supported by the balancer (HAProxy would ask libc's crypt(3)); write a SHA-crypt hash ('mkpasswd -m sha-512', 'openssl passwd -6') or 'insecure-password'.`,
        );
      this.users.set(u.name, {
        clear: u.insecure ? Buffer.from(u.password, 'latin1') : null,
        hash: u.insecure ? null : u.password,
        groups: new Set(u.groups),
      });
    }
    for (const g of model.groups) for (const name of g.users) this.users.get(name)?.groups.add(g.name);
  }

  /** Are these credentials those of a user of this list? */
  check(user: string, password: string): boolean {
    const u = this.users.get(user);
    if (u === undefined) return false;
    if (u.clear !== null) {
      const given = Buffer.from(password, 'latin1');
      return given.length === u.clear.length && timingSafeEqual(given, u.clear);
    }
    const key = createHash('sha256').update(user).update('\0').update(password).digest('base64');
    if (this.verified.has(key)) return true;
    if (!verifyCrypt(password, u.hash!)) return false;
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.add(key);
    return true;
  }

  /** The groups of `user` (empty for an unknown user). */
  groupsOf(user: string): ReadonlySet<string> {
    return this.users.get(user)?.groups ?? NO_GROUPS;
  }
}

const NO_GROUPS: ReadonlySet<string> = new Set();

function schemeOf(hash: string): string {
  const m = /^\$[^$]*\$/.exec(hash);
  return m ? m[0] : hash.length === 13 ? 'DES' : hash.slice(0, 3);
}
