/**
 * `.if` / `.elif` / `.else` / `.endif` (configuration.txt §2.4): nestable blocks that keep or skip
 * lines depending on an expression evaluated at parse time.
 */
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert, warning } from '../common/diagnostic.ts';
import { CODES } from './context.ts';
import type { Parsed } from './values.ts';

/** The HAProxy version whose configuration language we implement, for version_atleast/version_before. */
export const COMPAT_VERSION = '2.6';

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Evaluates the words after `.if`/`.elif`. */
export function evaluateBlockCondition(words: string[], env: NodeJS.ProcessEnv): Parsed<boolean> {
  const text = words.join(' ');
  let pos = 0;
  const skipSpaces = () => {
    while (text[pos] === ' ') pos++;
  };
  const error = (msg: string): never => {
    throw new Error(msg);
  };

  const predicateArgs = (): string[] => {
    // At '(' — arguments separated by commas, up to the matching ')'.
    const close = text.indexOf(')', pos);
    if (close < 0) error(`missing ')' in '${text}'`);
    const inner = text.slice(pos + 1, close);
    pos = close + 1;
    return inner === '' ? [] : inner.split(',');
  };

  const term = (): boolean => {
    skipSpaces();
    if (text[pos] === '!') {
      pos++;
      return !term();
    }
    if (text[pos] === '(') {
      pos++;
      const v = orExpr();
      skipSpaces();
      if (text[pos] !== ')') error(`missing ')' in '${text}'`);
      pos++;
      return v;
    }
    const m = /^[A-Za-z_0-9]+/.exec(text.slice(pos));
    if (!m) return error(`unparsable condition '${text}'`);
    pos += m[0].length;
    const name = m[0];
    if (/^\d+$/.test(name)) return Number(name) !== 0;
    if (text[pos] !== '(')
      return error(`unknown term '${name}' in condition (expected a predicate such as defined(NAME))`);
    const args = predicateArgs();
    switch (name) {
      case 'defined':
        return env[args[0] ?? ''] !== undefined;
      case 'feature':
        // We report no optional HAProxy build features (OPENSSL, LUA, …): the engine is not HAProxy.
        return false;
      case 'streq':
        return args[0] === args[1];
      case 'strneq':
        return args[0] !== args[1];
      case 'version_atleast':
        return compareVersions(COMPAT_VERSION, args[0] ?? '') >= 0;
      case 'version_before':
        return compareVersions(COMPAT_VERSION, args[0] ?? '') < 0;
      default:
        return error(
          `unknown predicate '${name}' in condition (known: defined, feature, streq, strneq, version_atleast, version_before)`,
        );
    }
  };
  const andExpr = (): boolean => {
    let v = term();
    for (;;) {
      skipSpaces();
      if (!text.startsWith('&&', pos)) return v;
      pos += 2;
      const r = term();
      v = v && r;
    }
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    for (;;) {
      skipSpaces();
      if (!text.startsWith('||', pos)) return v;
      pos += 2;
      const r = andExpr();
      v = v || r;
    }
  };

  if (text.trim() === '') return { ok: true, value: false };
  try {
    const value = orExpr();
    skipSpaces();
    if (pos < text.length)
      return { ok: false, error: `unexpected '${text.slice(pos)}' in condition '${text}'` };
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** State of nested blocks: each level remembers whether it is active and whether a branch was taken. */
export class BlockStack {
  readonly levels: { active: boolean; taken: boolean; sawElse: boolean; file: string; line: number }[] = [];

  /** True when lines at the current position must be parsed. */
  get active(): boolean {
    return this.levels.every((l) => l.active);
  }
}

/** Applies a `.if`/`.elif`/`.else`/`.endif`/`.alert`/`.warning`/`.notice`/`.diag` line. */
export function handleBlockDirective(
  directive: string,
  args: string[],
  blocks: BlockStack,
  file: string,
  line: number,
  env: NodeJS.ProcessEnv,
  diagnostics: Diagnostic[],
) {
  const top = blocks.levels[blocks.levels.length - 1];
  const parentActive = blocks.levels.slice(0, -1).every((l) => l.active);
  switch (directive) {
    case '.if': {
      const active = blocks.active;
      const c = active ? evaluateBlockCondition(args, env) : { ok: true as const, value: false };
      if (!c.ok)
        diagnostics.push(alert(file, line, CODES.syntax, `failed to evaluate condition: ${c.error}.`));
      const value = c.ok && c.value;
      blocks.levels.push({ active: active && value, taken: value, sawElse: false, file, line });
      return;
    }
    case '.elif': {
      if (!top || top.sawElse) {
        diagnostics.push(
          alert(file, line, CODES.syntax, "'.elif' without a matching '.if' (or after '.else')."),
        );
        return;
      }
      if (top.taken) {
        top.active = false;
        return;
      }
      const c = parentActive ? evaluateBlockCondition(args, env) : { ok: true as const, value: false };
      if (!c.ok)
        diagnostics.push(alert(file, line, CODES.syntax, `failed to evaluate condition: ${c.error}.`));
      const value = c.ok && c.value;
      top.active = value;
      top.taken = value;
      return;
    }
    case '.else':
      if (!top || top.sawElse) {
        diagnostics.push(alert(file, line, CODES.syntax, "'.else' without a matching '.if'."));
        return;
      }
      top.sawElse = true;
      top.active = !top.taken;
      top.taken = true;
      return;
    case '.endif':
      if (!top) {
        diagnostics.push(alert(file, line, CODES.syntax, "'.endif' without a matching '.if'."));
        return;
      }
      blocks.levels.pop();
      return;
    default: {
      if (!blocks.active) return;
      const text = args.join(' ');
      if (directive === '.alert') diagnostics.push(alert(file, line, CODES.userDirective, text));
      else if (directive === '.warning') diagnostics.push(warning(file, line, CODES.notice, text));
      // .notice and .diag only show in HAProxy's verbose/diagnostic modes: nothing to report.
    }
  }
}
