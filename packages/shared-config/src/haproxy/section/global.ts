/** The `global` section: each line goes to its keyword in global-keywords.ts. */
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import { GLOBAL_KEYWORDS, type GlobalScope, SELF_APPLIED_GLOBAL } from '../global-keywords.ts';
import type { ParseState } from '../parse-state.ts';
import type { OpenSection } from './section.ts';
import { unknownKeyword } from './unknown-keyword.ts';

const GLOBAL_KEYWORD_NAMES = Object.keys(GLOBAL_KEYWORDS);

export function startGlobal(ctx: LineContext, state: ParseState): OpenSection {
  if (ctx.args.length > 0)
    ctx.alert(`'global' takes no argument (unexpected '${ctx.args[0]}').`, CODES.syntax);
  const g = state.global;
  return { label: 'global', line: (line) => globalLine(line, g) };
}

function globalLine(ctx: LineContext, g: GlobalScope) {
  const spec = GLOBAL_KEYWORDS[ctx.keyword];
  if (!spec) {
    if (ctx.no && ctx.keyword === 'log') return GLOBAL_KEYWORDS.log.handle(ctx, g);
    return unknownKeyword(ctx, 'global', GLOBAL_KEYWORD_NAMES);
  }
  if (ctx.no && ctx.keyword !== 'log') {
    return ctx.alert(`'no ${ctx.keyword}' is not supported in the 'global' section.`, CODES.syntax);
  }
  spec.handle(ctx, g);
  if (!spec.ownStatus && !SELF_APPLIED_GLOBAL.has(ctx.keyword)) ctx.uses(ctx.keyword);
}
