import { KA } from './codes.ts';
import { readEscape } from './tokenizer.ts';

/** A script command keepalived would refuse to split (it then runs no script at all). */
export class ScriptCommandError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ScriptCommandError';
    this.code = code;
  }
}

const BLANK = new Set([' ', '\t', '\n', '\r', '\f', '\v']);

/**
 * Splits a `script` / `notify*` command into argv the way keepalived does: the config reader has already
 * unquoted the keyword's argument once, and keepalived splits that string again with the same rules
 * (set_script_params_array → alloc_strvec_quoted_escaped):
 * - blanks separate words; no shell is involved (no globbing, variables or redirections);
 * - `'…'` and `"…"` group words, and may sit inside a word: `a"b c"d` is the one word `ab cd`;
 *   `''` is an empty argument;
 * - a backslash escapes the next character everywhere (inside quotes too), with the C escapes
 *   \a \b \E \f \n \r \t \v, octal \NNN, hex \xHH… and control \cX (see tokenizer.ts readEscape).
 * `"/bin/notify.sh 'a b' c"` → ['/bin/notify.sh', 'a b', 'c']; a blank command → [].
 * Throws ScriptCommandError on an unterminated quote or a trailing backslash (keepalived refuses both).
 */
export function splitScriptCommand(command: string): string[] {
  const words: string[] = [];
  const n = command.length;
  let i = 0;
  while (i < n) {
    while (i < n && BLANK.has(command[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote: string | null = null;
    for (; i < n; i++) {
      const c = command[i];
      if (c === '\\') {
        if (i + 1 >= n) {
          throw new ScriptCommandError(KA.badValue, `Missing escape char at end: '${command}'`);
        }
        const [text, used] = readEscape(command, i + 1);
        word += text;
        i += used;
      } else if (quote !== null) {
        if (c === quote) quote = null;
        else word += c;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (BLANK.has(c)) {
        break;
      } else {
        word += c;
      }
    }
    if (quote !== null) {
      throw new ScriptCommandError(KA.unterminatedQuote, `String '${command}': missing terminating ${quote}`);
    }
    words.push(word);
  }
  return words;
}
