/** The alert for a keyword a section does not know: which section it belongs to, or a did-you-mean. */
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import { GLOBAL_KEYWORDS } from '../global-keywords.ts';
import { PROXY_KEYWORDS, REMOVED_PROXY_KEYWORDS } from '../proxy-keywords.ts';
import { SECTION_WORDS } from './words.ts';

export function unknownKeyword(ctx: LineContext, section: string, candidates: readonly string[]) {
  const kw = ctx.keyword;
  // A keyword that belongs to another section: say which.
  const inGlobal = kw in GLOBAL_KEYWORDS;
  const inProxy = kw in PROXY_KEYWORDS || kw in REMOVED_PROXY_KEYWORDS;
  if (section !== 'global' && inGlobal && !inProxy) {
    return ctx.alert(
      `'${kw}' is a 'global' keyword: it is not allowed in a '${section}' section (move it to the 'global' section).`,
      CODES.wrongSection,
    );
  }
  if (section === 'global' && inProxy) {
    return ctx.alert(
      `'${kw}' is not allowed in the 'global' section (it belongs in a 'defaults', 'frontend', 'backend' or 'listen' section).`,
      CODES.wrongSection,
    );
  }
  const hint = suggest(kw, [...candidates, ...SECTION_WORDS]);
  const only =
    section === 'userlist'
      ? " (only 'user' and 'group')"
      : section === 'http-errors'
        ? " (only 'errorfile')"
        : '';
  ctx.alert(
    `unknown keyword '${kw}' in '${section}' section${hint ? `; did you mean '${hint}' maybe ?` : only}`,
    CODES.unknownKeyword,
  );
}
