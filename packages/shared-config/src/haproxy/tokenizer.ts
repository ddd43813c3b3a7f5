/**
 * Cuts one haproxy.cfg line into words (configuration.txt §2.2 quoting and escaping, §2.3
 * environment variables). Words keep the line they came from; a line never continues on the next.
 */

export interface TokenizeContext {
  env: NodeJS.ProcessEnv;
  /** Values of the pseudo-variables `.FILE`, `.LINE`, `.SECTION`. */
  pseudo?: Record<string, string>;
}

export interface TokenizedLine {
  words: string[];
  /** Problems found (unterminated quote, bad escape); the line is unusable when non-empty. */
  errors: readonly string[];
  /** Non-fatal remarks (undefined variables). */
  warnings: readonly string[];
}

/** The errors and warnings of a line that has none (most lines): one shared empty list. */
const NONE: readonly string[] = Object.freeze([]);

/** What needs the full tokenizer: quotes and escapes (`$VAR` only expands inside double quotes). */
const NEEDS_FULL = /["'\\]/;

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  ' ': ' ',
  '#': '#',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Escapes HAProxy accepts inside double quotes (space and `#` need none there but are tolerated). */
const QUOTED_ESCAPES: Record<string, string> = { ...ESCAPES, $: '$' };

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*|^\.[A-Za-z_][A-Za-z0-9_]*/;

export function tokenizeLine(line: string, ctx: TokenizeContext): TokenizedLine {
  return NEEDS_FULL.test(line) ? tokenizeQuoted(line, ctx) : plainWords(line);
}

/**
 * A line without quotes or escapes (nearly every line of a generated configuration): words are the
 * runs between blanks, up to a `#`; one slice per word, no per-character concatenation.
 */
function plainWords(line: string): TokenizedLine {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 /* ' ' */ || c === 9 /* \t */ || c === 35 /* # */) {
      if (start >= 0) words.push(line.slice(start, i));
      start = -1;
      if (c === 35) break;
    } else if (start < 0) start = i;
  }
  if (start >= 0) words.push(line.slice(start));
  return { words, errors: NONE, warnings: NONE };
}

function tokenizeQuoted(line: string, ctx: TokenizeContext): TokenizedLine {
  const words: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };

  const expandVariable = (): string[] | null => {
    // At a '$' inside double quotes. Returns the words it expands to (several only for `${X[*]}`).
    const braced = line[i + 1] === '{';
    const start = i + (braced ? 2 : 1);
    const m = VAR_NAME.exec(line.slice(start));
    if (!m) {
      if (braced) errors.push(`invalid variable name near '${line.slice(i, i + 12)}'`);
      return null;
    }
    const name = m[0];
    let j = start + name.length;
    let split = false;
    let fallback: string | null = null;
    if (braced) {
      if (line.startsWith('[*]', j)) {
        split = true;
        j += 3;
      }
      if (line[j] === '-') {
        const close = line.indexOf('}', j);
        if (close < 0) {
          errors.push(`missing '}' after variable '\${${name}'`);
          i = line.length;
          return [];
        }
        fallback = line.slice(j + 1, close);
        j = close;
      }
      if (line[j] !== '}') {
        errors.push(`missing '}' after variable '\${${name}'`);
        i = line.length;
        return [];
      }
      j += 1;
    }
    i = j;
    let value: string | undefined;
    if (name.startsWith('.')) value = ctx.pseudo?.[name.slice(1)];
    else value = ctx.env[name];
    if (value === undefined) {
      if (fallback !== null) value = fallback;
      else {
        warnings.push(`environment variable '${name}' is not set; it expands to an empty string`);
        value = '';
      }
    }
    return split ? value.split(/[ \t]+/).filter((w) => w !== '') : [value];
  };

  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      flush();
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '\\') {
      const next = line[i + 1];
      if (next === 'x') {
        const hex = line.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
          errors.push(`truncated or invalid hexadecimal sequence '\\x${hex}'`);
          break;
        }
        word += String.fromCharCode(Number.parseInt(hex, 16));
        inWord = true;
        i += 4;
        continue;
      }
      if (next !== undefined && next in ESCAPES) {
        word += ESCAPES[next];
        inWord = true;
        i += 2;
        continue;
      }
      // Like HAProxy, an unknown escape keeps the backslash (regexes such as `\d` stay usable).
      word += '\\';
      inWord = true;
      i++;
      continue;
    }
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) {
        errors.push(`unmatched quote at position ${i + 1}`);
        break;
      }
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      inWord = true;
      i++;
      let closed = false;
      while (i < line.length) {
        const d = line[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\') {
          const next = line[i + 1];
          if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            word += String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
          } else if (next !== undefined && next in QUOTED_ESCAPES) {
            word += QUOTED_ESCAPES[next];
            i += 2;
          } else {
            word += '\\';
            i++;
          }
          continue;
        }
        if (d === '$') {
          const expanded = expandVariable();
          if (expanded === null) {
            word += '$';
            i++;
          } else if (expanded.length === 1) {
            word += expanded[0];
          } else if (expanded.length > 1) {
            // `"${X[*]}"`: the first value ends the current word, the last one starts the next.
            word += expanded[0];
            words.push(word);
            for (const w of expanded.slice(1, -1)) words.push(w);
            word = expanded[expanded.length - 1];
          } else if (word === '' && line[i] === '"') {
            // `"${EMPTY[*]}"` alone yields no word at all.
            inWord = false;
          }
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) {
        errors.push(`unmatched quote at position ${line.length}`);
        break;
      }
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  flush();
  return {
    words,
    errors: errors.length > 0 ? errors : NONE,
    warnings: warnings.length > 0 ? warnings : NONE,
  };
}
