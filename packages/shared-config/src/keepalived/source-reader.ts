import { globSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { alert, type Diagnostic, warning } from '../common/diagnostic.ts';
import { KA } from './codes.ts';
import { unreadableFileSentence } from './file-error.ts';
import { stripComment, tokenizeLine } from './tokenizer.ts';

/** One logical line after includes, conditionals, parameters and sequences, with its ORIGINAL place. */
export interface SourceLine {
  /** the file as given (main file) or as resolved from the including file's directory (included) */
  readonly file: string;
  /** 1-based line in that file; lines produced by a multiline parameter carry the line that used it */
  readonly line: number;
  readonly text: string;
}

/** File access of the reader, so tests and off-host checks can feed files from memory. */
export interface SourceHost {
  readFile(path: string): string;
  /** keepalived's glob(): matches of `pattern`, relative to `cwd` unless absolute, sorted */
  glob(pattern: string, cwd: string): string[];
}

export const fsSourceHost: SourceHost = {
  readFile: (path) => readFileSync(path, 'utf8'),
  glob: (pattern, cwd) => globSync(pattern, { cwd }).sort(),
};

export interface PreprocessOptions {
  /** keepalived's config id (`-i`); `@id` lines are kept only when id matches */
  readonly configId: string;
  readonly host?: SourceHost;
  /** for `${_RANDOM MIN MAX}`; injectable so tests are deterministic */
  readonly randomInt?: (min: number, max: number) => number;
}

type Param =
  | { readonly kind: 'single'; readonly value: string }
  | { readonly kind: 'multi'; readonly lines: string[] };

const INCLUDE_RE = /^(include[rmwba]?)\s+(.*)$/;
const CONDITIONAL_RE = /^@(\^?)(\S+)(?:\s+(.*))?$/;
const DEFINITION_RE = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const SEQUENCE_RE = /^~(SEQx?|LST)\((.*?)\)\s*(.*)$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;
const MAX_INCLUDE_DEPTH = 32;
const MAX_EXPANSION_DEPTH = 64;
const MAX_SUBSTITUTIONS_PER_LINE = 1000;
const MAX_SEQUENCE_LINES = 100_000;

/**
 * keepalived.conf's preprocessing (keepalived.conf(5), "include" and "ADVANCED CONFIGURATION"): comments,
 * `include` globs relative to the including file, `@id`/`@^id` conditional lines, `$NAME=value` and
 * multiline `$NAME= \` definitions with lazy recursive `$NAME`/`${NAME}` substitution, and `~SEQ`/`~SEQx`/
 * `~LST` repetition. Returns the logical lines in order; problems go to `diagnostics`.
 */
export function preprocess(
  root: { readonly path: string; readonly text: string },
  opts: PreprocessOptions,
  diagnostics: Diagnostic[],
): SourceLine[] {
  const host = opts.host ?? fsSourceHost;
  const randomInt = opts.randomInt ?? ((min, max) => min + Math.floor(Math.random() * (max - min + 1)));
  const params = new Map<string, Param>();
  const out: SourceLine[] = [];
  const fileStack: string[] = [];
  let sequenceLines = 0;

  const predefined = (name: string, args: string[]): string | undefined => {
    switch (name) {
      case '_PWD':
        return resolve(dirname(fileStack[fileStack.length - 1] ?? root.path));
      case '_INSTANCE':
        return opts.configId;
      case '_HASH':
        return '#';
      case '_BANG':
        return '!';
      case '_RANDOM': {
        const min = args[0] !== undefined ? Number.parseInt(args[0], 10) : 0;
        const max = args[1] !== undefined ? Number.parseInt(args[1], 10) : 32767;
        return String(randomInt(Number.isNaN(min) ? 0 : min, Number.isNaN(max) ? 32767 : max));
      }
      default:
        return undefined;
    }
  };

  /** Replaces parameters in `text`; a multiline parameter splits the line into several. */
  const substitute = (text: string, file: string, line: number): string | string[] | null => {
    let s = text;
    let count = 0;
    let i = 0;
    while (i < s.length) {
      const at = s.indexOf('$', i);
      if (at < 0) break;
      let name: string;
      let args: string[] = [];
      let end: number;
      if (s[at + 1] === '{') {
        const close = s.indexOf('}', at + 2);
        if (close < 0) break;
        const inner = s
          .slice(at + 2, close)
          .trim()
          .split(/\s+/);
        name = inner[0];
        args = inner.slice(1);
        end = close + 1;
      } else {
        const m = NAME_RE.exec(s.slice(at + 1));
        if (m === null) {
          i = at + 1;
          continue;
        }
        name = m[0];
        end = at + 1 + name.length;
        // keepalived.conf(5): `$NAME` is only a reference when followed by whitespace (or the end)
        if (end < s.length && !/\s/.test(s[end])) {
          i = at + 1;
          continue;
        }
      }
      const param = params.get(name);
      const value =
        param === undefined ? predefined(name, args) : param.kind === 'single' ? param.value : null;
      if (param?.kind === 'multi') {
        const lines = param.lines;
        if (lines.length === 0) return [s.slice(0, at) + s.slice(end)];
        const first = s.slice(0, at) + lines[0];
        if (lines.length === 1) return [first + s.slice(end)];
        return [first, ...lines.slice(1, -1), lines[lines.length - 1] + s.slice(end)];
      }
      if (value === undefined || value === null) {
        i = end; // an undefined parameter stays as written (keepalived.conf(5))
        continue;
      }
      s = s.slice(0, at) + value + s.slice(end);
      i = at; // the value may itself hold parameters: replacement is recursive
      if (++count > MAX_SUBSTITUTIONS_PER_LINE) {
        diagnostics.push(
          alert(file, line, KA.paramLoop, `parameter substitution does not terminate (recursive $${name}?)`),
        );
        return null;
      }
    }
    return s;
  };

  const expandSequence = (
    kind: string,
    spec: string,
    file: string,
    line: number,
  ): [string[], string[][]] | null => {
    const bad = (why: string) => {
      diagnostics.push(alert(file, line, KA.badSequence, `~${kind}(${spec}): ${why}`));
      return null;
    };
    if (kind === 'LST') {
      const parts = splitTopLevel(spec);
      if (parts.length < 2) return bad('write ~LST(var, value1, value2, …)');
      const vars = unbrace(parts[0]);
      const rows = parts.slice(1).map(unbrace);
      if (rows.some((r) => r.length !== vars.length)) {
        return bad(`every value set needs ${vars.length} value(s), like the variable list ${parts[0]}`);
      }
      return [vars, rows];
    }
    const parts = spec.split(',').map((p) => p.trim());
    const variable = parts[0];
    if (!variable || !NAME_RE.test(variable) || parts.length < 2 || parts.length > 4) {
      return bad(`write ~${kind}(var, [start,] [step,] end)`);
    }
    const nums = parts.slice(1).map((p) => Number(p));
    if (nums.some((n) => !Number.isInteger(n))) return bad('start, step and end must be integers');
    let start: number;
    let step: number;
    let last: number;
    if (nums.length === 1) {
      last = nums[0];
      start = last >= 0 ? 1 : -1;
      step = last >= start ? 1 : -1;
    } else if (nums.length === 2) {
      [start, last] = nums;
      step = last >= start ? 1 : -1;
    } else {
      [start, step, last] = nums;
    }
    if (step === 0) return bad('step must not be 0');
    const rows: string[][] = [];
    for (let v = start; step > 0 ? v <= last : v >= last; v += step) {
      rows.push([kind === 'SEQx' ? v.toString(16) : String(v)]);
      if (rows.length > MAX_SEQUENCE_LINES) return bad(`more than ${MAX_SEQUENCE_LINES} values`);
    }
    return [[variable], rows];
  };

  const processLine = (input: string, file: string, line: number, depth: number): void => {
    if (depth > MAX_EXPANSION_DEPTH) {
      diagnostics.push(alert(file, line, KA.paramLoop, 'parameter/sequence expansion nested too deeply'));
      return;
    }
    let text = input.trim();
    if (text === '') return;
    const cond = CONDITIONAL_RE.exec(text);
    if (cond !== null) {
      const negate = cond[1] === '^';
      if ((cond[2] === opts.configId) === negate) return;
      text = (cond[3] ?? '').trim();
      if (text === '') return;
    }
    const def = DEFINITION_RE.exec(text);
    if (def !== null) {
      params.set(def[1], { kind: 'single', value: def[2].trim() });
      return;
    }
    const seq = SEQUENCE_RE.exec(text);
    if (seq !== null) {
      const expanded = expandSequence(seq[1], seq[2], file, line);
      if (expanded === null) return;
      const [vars, rows] = expanded;
      for (const row of rows) {
        if (++sequenceLines > MAX_SEQUENCE_LINES) {
          diagnostics.push(
            alert(file, line, KA.badSequence, `sequences produce more than ${MAX_SEQUENCE_LINES} lines`),
          );
          return;
        }
        for (const [k, v] of vars.entries()) params.set(v, { kind: 'single', value: row[k] });
        processLine(seq[3], file, line, depth + 1);
      }
      return;
    }
    const result = substitute(text, file, line);
    if (result === null) return;
    if (Array.isArray(result)) {
      for (const l of result) processLine(l, file, line, depth + 1);
      return;
    }
    // a substituted value may itself start a conditional (`$IF_MAIN=@main`) or a definition
    if (result !== text && /^(@|\$[A-Za-z_][A-Za-z0-9_]*=|~(SEQ|LST))/.test(result.trim())) {
      processLine(result, file, line, depth + 1);
      return;
    }
    out.push({ file, line, text: result });
  };

  const processInclude = (kind: string, rest: string, file: string, line: number): void => {
    const words = tokenizeLine(rest, file, line, diagnostics).map((t) => t.text);
    if (words.length === 0) {
      diagnostics.push(alert(file, line, KA.missingArgument, `${kind} needs a file name or glob`));
      return;
    }
    const dir = dirname(file);
    for (const pattern of words) {
      let matches: string[];
      try {
        matches = host.glob(pattern, dir).map((m) => (isAbsolute(m) ? m : join(dir, m)));
      } catch {
        matches = [];
      }
      if (matches.length === 0) {
        // plain `include` does not fail on a missing file (keepalived.conf(5)); the checked variants do
        if (kind === 'include') {
          diagnostics.push(
            warning(file, line, KA.includeNoMatch, `include ${pattern} matched no file - ignoring`),
          );
        } else {
          diagnostics.push(alert(file, line, KA.includeNoMatchStrict, `${kind} ${pattern} matched no file`));
        }
        continue;
      }
      for (const m of matches) {
        const key = resolve(m);
        if (fileStack.some((f) => resolve(f) === key) || fileStack.length >= MAX_INCLUDE_DEPTH) {
          diagnostics.push(
            alert(file, line, KA.includeLoop, `include of ${m} loops back to an including file`),
          );
          continue;
        }
        let text: string;
        try {
          text = host.readFile(m);
        } catch (err) {
          diagnostics.push(
            alert(file, line, KA.includeUnreadable, unreadableFileSentence('included file', m, err)),
          );
          continue;
        }
        processFile(m, text);
      }
    }
  };

  const processFile = (file: string, text: string): void => {
    fileStack.push(file);
    const lines = text.split(/\r?\n/);
    let multi: { name: string; lines: string[]; line: number } | null = null;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const content = stripComment(lines[i]).trim();
      if (multi !== null) {
        if (content === '') continue; // blank lines inside a multiline definition are skipped
        if (content.endsWith('\\')) {
          multi.lines.push(content.slice(0, -1).trim());
        } else {
          multi.lines.push(content);
          params.set(multi.name, { kind: 'multi', lines: multi.lines.filter((l) => l !== '') });
          multi = null;
        }
        continue;
      }
      if (content === '') continue;
      const inc = INCLUDE_RE.exec(content);
      if (inc !== null) {
        processInclude(inc[1], inc[2], file, lineNo);
        continue;
      }
      const def = DEFINITION_RE.exec(content);
      if (def !== null && def[2].trim() === '\\') {
        multi = { name: def[1], lines: [], line: lineNo };
        continue;
      }
      processLine(content, file, lineNo, 0);
    }
    if (multi !== null) {
      diagnostics.push(
        alert(
          file,
          multi.line,
          KA.paramMultilineUnterminated,
          `multiline definition of $${multi.name} runs to the end of the file - end its last line without '\\'`,
        ),
      );
      params.set(multi.name, { kind: 'multi', lines: multi.lines.filter((l) => l !== '') });
    }
    fileStack.pop();
  };

  processFile(root.path, root.text);
  return out;
}

/** Splits `a, {b, c}, d` on commas outside braces. */
function splitTopLevel(spec: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of spec) {
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  parts.push(cur.trim());
  return parts;
}

/** `{a, b}` → ['a', 'b']; `a` → ['a']. */
function unbrace(part: string): string[] {
  const t = part.trim();
  if (t.startsWith('{') && t.endsWith('}'))
    return t
      .slice(1, -1)
      .split(',')
      .map((p) => p.trim());
  return [t];
}
