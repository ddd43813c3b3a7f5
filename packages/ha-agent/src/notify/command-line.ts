import { HaError } from '../errors.ts';

/**
 * Splits a script command the way keepalived does (alloc_strvec_quoted_escaped): words separated by
 * blanks; '…' and "…" group words (quotes may sit inside a word: a"b c"d is one word `ab cd`); a
 * backslash escapes the next character everywhere, with C escapes \a \b \E \f \n \r \t \v, octal \NNN and
 * hex \xHH. No shell is involved: no globbing, variables or redirections.
 */
export class CommandLineError extends HaError {
  constructor(message: string) {
    super('HA_ERR_NOTIFY', message);
    this.name = 'CommandLineError';
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

export function parseCommandLine(src: string): string[] {
  const words: string[] = [];
  let i = 0;
  const n = src.length;
  const isBlank = (c: string) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
  while (i < n) {
    while (i < n && isBlank(src[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote: '"' | "'" | null = null;
    while (i < n) {
      const c = src[i];
      if (c === '\\') {
        i++;
        if (i >= n) break; // a trailing backslash is dropped, as in keepalived
        const e = src[i];
        if (e === 'x' && /^[0-9a-fA-F]/.test(src[i + 1] ?? '')) {
          const m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i + 1))![0];
          word += String.fromCharCode(Number.parseInt(m, 16));
          i += 1 + m.length;
        } else if (e >= '0' && e <= '7') {
          const m = /^[0-7]{1,3}/.exec(src.slice(i))![0];
          word += String.fromCharCode(Number.parseInt(m, 8) & 0xff);
          i += m.length;
        } else {
          word += SIMPLE_ESCAPES[e] ?? e;
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = null;
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (isBlank(c)) break;
      word += c;
      i++;
    }
    if (quote) throw new CommandLineError(`String '${src}': missing terminating ${quote}`);
    words.push(word);
  }
  if (words.length === 0) throw new CommandLineError('empty script command');
  return words;
}
