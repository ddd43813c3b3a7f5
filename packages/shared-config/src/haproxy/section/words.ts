/** The words that start a section, and the rule for section names. */
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';

export const PROXY_SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;
/** Sections accepted and kept as written (each recorded as a `section <kind>` use): section/other.ts. */
export const OTHER_SECTIONS = [
  'peers',
  'resolvers',
  'mailers',
  'cache',
  'ring',
  'program',
  'fcgi-app',
  'log-forward',
];
export const SECTION_WORDS = ['global', ...PROXY_SECTIONS, 'userlist', 'http-errors', ...OTHER_SECTIONS];
const SECTION_WORD_SET = new Set(SECTION_WORDS);

export const isSectionWord = (word: string) => SECTION_WORD_SET.has(word);

const NAME_RE = /^[A-Za-z0-9_.:-]+$/;

/** Alerts about a section name with a character HAProxy does not permit; true when the name is fine. */
export function checkNameCharacters(ctx: LineContext, kind: string, name: string): boolean {
  if (NAME_RE.test(name)) return true;
  ctx.alert(
    `character '${name.replace(/[A-Za-z0-9_.:-]/g, '')[0]}' is not permitted in '${kind}' name '${name}'.`,
    CODES.badValue,
  );
  return false;
}

/**
 * The name of a userlist, http-errors or other section (its first argument): required except for
 * `program` and `ring`, checked for bad characters.
 */
export function sectionName(ctx: LineContext): string | undefined {
  const kind = ctx.keyword;
  const name = ctx.args[0];
  if (name === undefined && kind !== 'program' && kind !== 'ring') {
    ctx.alert(`'${kind}' expects <name> as an argument.`, CODES.missingArg);
  } else if (name !== undefined) checkNameCharacters(ctx, kind, name);
  return name;
}
