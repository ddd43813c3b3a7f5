import { alert, type Diagnostic } from '../common/diagnostic.ts';
import { KA } from './codes.ts';

/** One word of a keepalived.conf line, with the place it came from in the ORIGINAL file. */
export interface Token {
  readonly text: string;
  /** true when any part of the word was inside quotes (a quoted `{` is a word, not a brace) */
  readonly quoted: boolean;
  readonly file: string;
  readonly line: number;
}

/**
 * Cuts a `#` or `!` comment off a line. Quote-aware: `"a # b"` keeps its `#`. keepalived.conf(5) lets a
 * comment start anywhere in a line, so `foo!bar` is `foo`.
 */
export function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' || c === '!') {
      return text.slice(0, i);
    }
  }
  return text;
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

/**
 * Reads one escape after a backslash (keepalived's C escapes, octal, hex, \cX); returns the text and how
 * many chars it used. Shared by the line tokenizer and splitScriptCommand.
 */
export function readEscape(text: string, at: number): [string, number] {
  const c = text[at];
  if (c === undefined) return ['\\', 0];
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c], 1];
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(text.slice(at))!;
    return [String.fromCharCode(Number.parseInt(m[0], 8) & 0xff), m[0].length];
  }
  if (c === 'x') {
    const m = /^[0-9a-fA-F]+/.exec(text.slice(at + 1));
    if (m === null) return ['x', 1];
    return [String.fromCharCode(Number.parseInt(m[0].slice(-2), 16)), 1 + m[0].length];
  }
  if (c === 'c' && at + 1 < text.length) return [String.fromCharCode(text.charCodeAt(at + 1) & 0x1f), 2];
  return [c, 1];
}

/**
 * Splits one (comment-free, already substituted) line into words with keepalived's rules: whitespace
 * separates, `"…"`/`'…'` keep whitespace and may be glued to unquoted text (`ab" c "d` is one word
 * `ab c d`), escapes work inside quotes, and an unquoted `{` or `}` is always a word of its own.
 */
export function tokenizeLine(text: string, file: string, line: number, diagnostics: Diagnostic[]): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  const flush = () => {
    if (inWord) tokens.push({ text: word, quoted, file, line });
    word = '';
    inWord = false;
    quoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f' || c === '\v') {
      flush();
    } else if (c === '{' || c === '}') {
      flush();
      tokens.push({ text: c, quoted: false, file, line });
    } else if (c === '"' || c === "'") {
      inWord = true;
      quoted = true;
      let j = i + 1;
      let closed = false;
      for (; j < text.length; j++) {
        const d = text[j];
        if (d === c) {
          closed = true;
          break;
        }
        if (d === '\\') {
          const [s, used] = readEscape(text, j + 1);
          word += s;
          j += used;
        } else {
          word += d;
        }
      }
      if (!closed) {
        diagnostics.push(
          alert(file, line, KA.unterminatedQuote, `unterminated quoted string - add the closing ${c}`),
        );
      }
      i = j;
    } else {
      inWord = true;
      word += c;
    }
  }
  flush();
  return tokens;
}
