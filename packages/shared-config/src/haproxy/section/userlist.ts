/** `userlist NAME`: `group NAME [users U1,U2…]` and `user NAME [password H | insecure-password P] [groups G1,G2…]`. */
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import type { ParseState } from '../parse-state.ts';
import type { OpenSection } from './section.ts';
import { unknownKeyword } from './unknown-keyword.ts';
import { sectionName } from './words.ts';

export interface UserlistDraft {
  name: string;
  /** `line` is where each was written, for diagnostics; stripped from the model. */
  groups: { name: string; users: string[]; line: number }[];
  users: { name: string; password: string; insecure: boolean; groups: string[]; line: number }[];
  file: string;
  line: number;
}

/** Names already used in a userlist, for the duplicate checks (a generated userlist has thousands of users). */
interface Names {
  groups: Set<string>;
  users: Set<string>;
}

const USER_OPTIONS = ['password', 'insecure-password', 'groups'];

export function startUserlist(ctx: LineContext, state: ParseState): OpenSection {
  const name = sectionName(ctx);
  if (name !== undefined && state.userlistsByName.has(name))
    ctx.alert(`userlist '${name}' is already defined.`, CODES.duplicate);
  const ul: UserlistDraft = { name: name ?? '', groups: [], users: [], file: ctx.file, line: ctx.line };
  state.userlists.push(ul);
  if (!state.userlistsByName.has(ul.name)) state.userlistsByName.set(ul.name, ul);
  ctx.uses('section userlist', 'userlist');
  const names: Names = { groups: new Set(), users: new Set() };
  return { label: ul.name, line: (line) => userlistLine(line, ul, names) };
}

function userlistLine(ctx: LineContext, ul: UserlistDraft, names: Names) {
  const [name, ...rest] = ctx.args;
  if (ctx.keyword === 'group') {
    if (name === undefined) return ctx.alert("'group' expects <name> as argument.", CODES.missingArg);
    if (names.groups.has(name))
      return ctx.alert(`duplicate group '${name}' in userlist '${ul.name}'.`, CODES.duplicate);
    let users: string[] = [];
    if (rest.length > 0) {
      if (rest[0] !== 'users' || rest.length !== 2)
        return ctx.alert("'group' expects <name> [users <user>[,<user>...]].", CODES.syntax);
      users = rest[1].split(',');
    }
    ul.groups.push({ name, users, line: ctx.line });
    names.groups.add(name);
    return;
  }
  if (ctx.keyword === 'user') {
    if (name === undefined) return ctx.alert("'user' expects <name> as argument.", CODES.missingArg);
    if (names.users.has(name))
      return ctx.alert(`duplicate user '${name}' in userlist '${ul.name}'.`, CODES.duplicate);
    const user = { name, password: '', insecure: false, groups: [] as string[], line: ctx.line };
    for (let i = 0; i < rest.length; i += 2) {
      const k = rest[i];
      const v = rest[i + 1];
      if (v === undefined || !USER_OPTIONS.includes(k)) {
        const hint = suggest(k, USER_OPTIONS);
        return ctx.alert(
          `'user ${name}' : expects 'password <hash>', 'insecure-password <password>' and/or 'groups <group>[,...]'${v === undefined ? ` (missing value after '${k}')` : ` (got '${k}')`}${hint && hint !== k ? `; did you mean '${hint}' maybe ?` : '.'}`,
          CODES.syntax,
        );
      }
      if (k === 'groups') user.groups = v.split(',');
      else {
        user.password = v;
        user.insecure = k === 'insecure-password';
      }
    }
    ul.users.push(user);
    names.users.add(name);
    return;
  }
  unknownKeyword(ctx, 'userlist', ['user', 'group']);
}
