/**
 * A section being read: the lines after a section word go to its `line` handler until the next
 * section word (sections continue across files, as with several `-f`).
 */
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import type { ParseState } from '../parse-state.ts';
import { startGlobal } from './global.ts';
import { startHttpErrors } from './http-errors.ts';
import { startOther } from './other.ts';
import { startProxy } from './proxy.ts';
import { startUserlist } from './userlist.ts';
import { SECTION_WORDS } from './words.ts';

export interface OpenSection {
  /** What `.SECTION` expands to on the section's lines. */
  readonly label: string;
  line(ctx: LineContext): void;
}

/** Before the first section word. */
export const NO_SECTION: OpenSection = {
  label: '',
  line(ctx) {
    const hint = suggest(ctx.keyword, SECTION_WORDS);
    ctx.alert(
      `unknown keyword '${ctx.keyword}' out of section${hint ? `; did you mean '${hint}' maybe ?` : ` (start a section first: ${SECTION_WORDS.slice(0, 7).join(', ')}).`}`,
      CODES.unknownKeyword,
    );
  },
};

/** A section word's line (`ctx.keyword` is one of SECTION_WORDS). */
export function startSection(ctx: LineContext, state: ParseState): OpenSection {
  switch (ctx.keyword) {
    case 'global':
      return startGlobal(ctx, state);
    case 'defaults':
    case 'frontend':
    case 'backend':
    case 'listen':
      return startProxy(ctx, state);
    case 'userlist':
      return startUserlist(ctx, state);
    case 'http-errors':
      return startHttpErrors(ctx, state);
    default:
      return startOther(ctx, state);
  }
}
