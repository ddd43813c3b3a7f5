/**
 * The HTTP authentication fetches (configuration.txt §7.3.6): `http_auth(userlist)` (are the request's
 * Basic credentials those of a user of the list), `http_auth_group(userlist)` (the user's name when they
 * are; as an ACL it matches when the user is in one of the groups given as patterns: its `each` visits
 * the groups), `http_auth_type`, `http_auth_user`, `http_auth_pass`. The `Authorization` header is read
 * once per request (RuleContext.credentials), the userlist is resolved when the rule is compiled.
 */
import type { Userlist } from '../../auth/userlist.ts';
import type { RuleContext } from '../context.ts';
import type { FetchDef, FetchEnv } from './table.ts';

function userlistArg(args: readonly string[], env: FetchEnv | undefined): Userlist {
  const ul = env?.userlist?.(args[0]) ?? null;
  if (ul === null) throw new Error(`unable to find userlist '${args[0]}'`);
  return ul;
}

/** The user the request authenticates as against `ul`, or null. */
function authenticated(c: RuleContext, ul: Userlist): string | null {
  const cr = c.credentials();
  if (cr.user === null || cr.password === null) return null;
  return ul.check(cr.user, cr.password) ? cr.user : null;
}

export const AUTH_FETCHES: ReadonlyMap<string, FetchDef> = new Map<string, FetchDef>([
  [
    'http_auth',
    {
      out: 'bool',
      where: 'req',
      minArgs: 1,
      maxArgs: 1,
      one(args, env) {
        const ul = userlistArg(args, env);
        return (c) => authenticated(c, ul) !== null;
      },
    },
  ],
  [
    'http_auth_group',
    {
      out: 'str',
      where: 'req',
      minArgs: 1,
      maxArgs: 1,
      one(args, env) {
        const ul = userlistArg(args, env);
        return (c) => authenticated(c, ul);
      },
      each(args, env) {
        const ul = userlistArg(args, env);
        return (c, visit) => {
          const user = authenticated(c, ul);
          if (user === null) return false;
          for (const g of ul.groupsOf(user)) if (visit(g)) return true;
          return false;
        };
      },
      patterns(args, env, patterns) {
        const ul = userlistArg(args, env);
        for (const p of patterns)
          if (!ul.groups.has(p))
            throw new Error(
              `invalid group '${p}' (userlist '${ul.name}' has ${[...ul.groups].map((g) => `'${g}'`).join(', ') || 'no group'})`,
            );
      },
    },
  ],
  [
    'http_auth_type',
    {
      out: 'str',
      where: 'req',
      minArgs: 0,
      maxArgs: 0,
      one: () => (c) => c.credentials().type || null,
    },
  ],
  [
    'http_auth_user',
    { out: 'str', where: 'req', minArgs: 0, maxArgs: 0, one: () => (c) => c.credentials().user },
  ],
  [
    'http_auth_pass',
    { out: 'str', where: 'req', minArgs: 0, maxArgs: 0, one: () => (c) => c.credentials().password },
  ],
]);
