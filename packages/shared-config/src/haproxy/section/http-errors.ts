/** `http-errors NAME`: `errorfile CODE FILE` lines, referenced by proxies' `errorfiles NAME`. */
import type { LineContext } from '../context.ts';
import { CODES } from '../context.ts';
import type { ParseState } from '../parse-state.ts';
import { checkErrorCode } from '../proxy-keywords.ts';
import type { OpenSection } from './section.ts';
import { unknownKeyword } from './unknown-keyword.ts';
import { sectionName } from './words.ts';

export interface HttpErrorsDraft {
  name: string;
  errorfiles: Record<string, string>;
  file: string;
  line: number;
}

export function startHttpErrors(ctx: LineContext, state: ParseState): OpenSection {
  const name = sectionName(ctx);
  const he: HttpErrorsDraft = { name: name ?? '', errorfiles: {}, file: ctx.file, line: ctx.line };
  state.httpErrors.push(he);
  return { label: he.name, line: (line) => httpErrorsLine(line, he) };
}

function httpErrorsLine(ctx: LineContext, he: HttpErrorsDraft) {
  if (ctx.keyword !== 'errorfile') return unknownKeyword(ctx, 'http-errors', ['errorfile']);
  const [code, path, extra] = ctx.args;
  if (code === undefined || path === undefined || extra !== undefined) {
    return ctx.alert("'errorfile' expects <error_code> and <file> as arguments.", CODES.missingArg);
  }
  const n = checkErrorCode(ctx, code);
  if (n === undefined) return;
  const abs = ctx.resolvePath(path);
  if (!ctx.readable(abs)) return ctx.alert(`errorfile : error opening file '${path}'.`, CODES.file);
  he.errorfiles[String(n)] = abs;
}
