/**
 * The line a keyword handler is given (context.ts's LineContext): its words, and how to report on it.
 * One small object per line that refers to the parser's state, rather than closures per line.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { alert, hasAlert, warning } from '../common/diagnostic.ts';
import type { LineContext } from './context.ts';
import { CODES } from './context.ts';
import type { GlobalScope } from './global-keywords.ts';
import type { KeywordUse } from './keyword-use.ts';
import type { ParseState } from './parse-state.ts';

export class Line implements LineContext {
  readonly file: string;
  readonly line: number;
  readonly keyword: string;
  readonly args: readonly string[];
  readonly no: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly #state: ParseState;
  /** This line's keyword uses (null: not recorded), kept until the line is known to have no alert. */
  readonly #uses: KeywordUse[] | null;
  /** The words a use records: the line's own, also when it is read as a sub-keyword (`as`). */
  readonly #useArgs: readonly string[];

  constructor(
    state: ParseState,
    file: string,
    line: number,
    keyword: string,
    args: readonly string[],
    no: boolean,
    uses: KeywordUse[] | null = [],
    useArgs: readonly string[] = args,
  ) {
    this.#state = state;
    this.file = file;
    this.line = line;
    this.keyword = keyword;
    this.args = args;
    this.no = no;
    this.env = state.global.env;
    this.#uses = uses;
    this.#useArgs = useArgs;
  }

  alert(message: string, code: string = CODES.syntax): void {
    this.#state.diagnostics.push(alert(this.file, this.line, code, message));
  }

  warn(message: string, code: string = CODES.ignored): void {
    this.#state.diagnostics.push(warning(this.file, this.line, code, message));
  }

  uses(key: string, label: string = key, subject?: string): void {
    if (this.#uses === null) return;
    const { file, line } = this;
    const args = this.#useArgs;
    this.#uses.push(
      subject === undefined ? { file, line, key, label, args } : { file, line, key, label, subject, args },
    );
  }

  resolvePath(path: string): string {
    return resolveFile(path, this.file, this.#state.cwd, this.#state.global.defaultPath);
  }

  resolveCert(path: string): string {
    const base = this.#state.global.draft.crtBase;
    return this.resolvePath(isAbsolute(path) || !base ? path : join(base, path));
  }

  readable(path: string): boolean {
    return this.#state.readable(path);
  }

  as(keyword: string, args: readonly string[]): LineContext {
    const { file, line, no } = this;
    return new Line(this.#state, file, line, keyword, args, no, this.#uses, this.#useArgs);
  }

  withoutUses(): LineContext {
    return new Line(this.#state, this.file, this.line, this.keyword, this.args, this.no, null);
  }

  /**
   * Records this line's uses, unless it is a `no …` line (it turns something off: nothing is left to
   * apply) or it got an alert (a rejected line applies nothing). `before` is the number of diagnostics
   * before the line: only the line's own are scanned, so loading stays linear in the number of lines.
   */
  commitUses(before: number): void {
    const uses = this.#uses;
    if (this.no || uses === null || uses.length === 0) return;
    if (hasAlert(this.#state.diagnostics, before)) return;
    for (const u of uses) this.#state.uses.push(u);
  }
}

/** Relative file names (errorfile & co) resolve like HAProxy's `default-path` says (current directory by default). */
function resolveFile(path: string, configFile: string, cwd: string, dp: GlobalScope['defaultPath']): string {
  if (isAbsolute(path)) return path;
  switch (dp.mode) {
    case 'current':
      return resolve(cwd, path);
    case 'config':
      return resolve(cwd, dirname(configFile), path);
    case 'parent':
      return resolve(cwd, dirname(configFile), '..', path);
    case 'origin':
      return resolve(cwd, dp.origin ?? '.', path);
  }
}
