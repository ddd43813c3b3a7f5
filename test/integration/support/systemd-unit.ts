// Reads the project's systemd units the way systemd does, so the tests run the very command lines the
// units run: sections and keys (systemd.syntax(7)), Environment= assignments, and Exec*= lines split
// into argv with systemd's rules (systemd.service(5) "COMMAND LINES"): quotes, the `-@:+!` prefixes,
// `$VAR` (a whole word, split on whitespace; gone when empty) and `${VAR}` (inside a word, as is).
import { readFileSync } from 'node:fs';

export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const UNIT_DIR = `${REPO_ROOT}/deploy/systemd`;
/** Where the units expect the project (README "Installing on a node"); tests substitute the checkout. */
export const INSTALL_PREFIX = '/opt/ha-lb';

export interface Unit {
  file: string;
  /** every `Key=value` of `[Section]`, in order (a key may repeat: Exec*=, Environment=, ListenStream=) */
  entries: { section: string; key: string; value: string; line: number }[];
}

export function parseUnit(text: string, file = '<unit>'): Unit {
  const entries: Unit['entries'] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i].trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A trailing backslash continues the line (the backslash becomes a space).
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1];
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`${file}:${start + 1}: not 'Key=value' nor '[Section]': ${line}`);
    entries.push({
      section,
      key: line.slice(0, eq).trim(),
      value: line.slice(eq + 1).trim(),
      line: start + 1,
    });
  }
  return { file, entries };
}

export function readUnit(name: string): Unit {
  const file = `${UNIT_DIR}/${name}`;
  return parseUnit(readFileSync(file, 'utf8'), file);
}

/** All values of `key` in `section`, in order. */
export function values(unit: Unit, section: string, key: string): string[] {
  return unit.entries.filter((e) => e.section === section && e.key === key).map((e) => e.value);
}

/** The one value of `key` (the last wins, as in systemd); throws when absent. */
export function value(unit: Unit, section: string, key: string): string {
  const all = values(unit, section, key);
  if (all.length === 0) throw new Error(`${unit.file}: no ${key}= in [${section}]`);
  return all[all.length - 1];
}

/** Words of a systemd value: whitespace-separated, "double" and 'single' quotes, C-style escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && !/\s/.test(text[i])) {
      const c = text[i];
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        if (end < 0) throw new Error(`unterminated ${c} in: ${text}`);
        word += text.slice(i + 1, end).replace(/\\(.)/g, '$1');
        i = end + 1;
      } else if (c === '\\' && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** `Environment=` lines of [Service] as a map (`"A=1" "B=2"` or `A=1 B=2`). */
export function environment(unit: Unit): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values(unit, 'Service', 'Environment')) {
    for (const w of splitWords(v)) {
      const eq = w.indexOf('=');
      if (eq > 0) env[w.slice(0, eq)] = w.slice(eq + 1);
    }
  }
  return env;
}

/**
 * One Exec*= line as argv: prefixes dropped, `$VAR` words replaced by the value's words (none when
 * unset or empty), `${VAR}` replaced inside its word.
 */
export function execArgv(line: string, env: Record<string, string>): string[] {
  const body = line.replace(/^[-@:+!]+/, '');
  const argv: string[] = [];
  for (const word of splitWords(body)) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) {
      argv.push(...(env[whole[1]] ?? '').split(/\s+/).filter((w) => w !== ''));
      continue;
    }
    argv.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => env[name] ?? ''));
  }
  return argv;
}

export interface CommandOptions {
  /** overrides of the unit's Environment= (what /etc/default/… would set, or a test's paths) */
  env?: Record<string, string>;
  /** the project's checkout instead of INSTALL_PREFIX (default: this checkout) */
  prefix?: string;
}

/**
 * The argv of each `key=` line of the unit's [Service] (ExecStart, ExecReload…), with the test's paths
 * substituted: the install prefix by the checkout, the environment by the unit's Environment= plus
 * `opts.env`.
 */
export function unitCommands(unit: Unit, key: string, opts: CommandOptions = {}): string[][] {
  const env = { ...environment(unit), ...opts.env };
  const prefix = opts.prefix ?? REPO_ROOT;
  return values(unit, 'Service', key).map((line) =>
    execArgv(line, env).map((w) =>
      w.startsWith(INSTALL_PREFIX) ? prefix + w.slice(INSTALL_PREFIX.length) : w,
    ),
  );
}

/** The unit's ExecStart= (exactly one). */
export function execStart(unit: Unit, opts: CommandOptions = {}): string[] {
  const all = unitCommands(unit, 'ExecStart', opts);
  if (all.length !== 1) throw new Error(`${unit.file}: ${all.length} ExecStart= lines, expected 1`);
  return all[0];
}

/** The capability names of a space-separated list (`CAP_NET_ADMIN CAP_NET_RAW` → net_admin, net_raw). */
export function capabilities(unit: Unit, key: 'AmbientCapabilities' | 'CapabilityBoundingSet'): string[] {
  return values(unit, 'Service', key)
    .flatMap((v) => v.split(/\s+/))
    .filter((c) => c !== '')
    .map((c) => c.replace(/^CAP_/, '').toLowerCase());
}

/** systemd time span (`200ms`, `1s`, `1min`, a bare number is seconds) in ms. */
export function timeSpanMs(text: string): number {
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|min|m|h|us|usec)?/g;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    ms +=
      n *
      ({ us: 0.001, usec: 0.001, ms: 1, msec: 1, s: 1000, sec: 1000, m: 60000, min: 60000, h: 3600000 }[
        unit
      ] ?? 1000);
  }
  return ms;
}
