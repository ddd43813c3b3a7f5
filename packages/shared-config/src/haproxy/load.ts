/**
 * Reads configuration files and directories with HAProxy's `-f` semantics: files in the order given;
 * a directory contributes its non-hidden `*.cfg` regular files in lexical (byte) order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert } from '../common/diagnostic.ts';
import { CODES } from './context.ts';
import type { HaproxyLoadResult, ParseOptions, Source } from './parser.ts';
import { parseHaproxyConfig } from './parser.ts';

/**
 * Expands `-f` arguments into the list of files to read, in order. Relative names are found from `cwd`
 * (HAProxy's `-C DIR` changes to DIR before it reads them) and kept as written, as HAProxy prints them.
 * A name that does not exist stops HAProxy before it reads anything (haproxy.c: "Cannot open
 * configuration file/directory"), and so does a file it cannot read ("Could not open").
 */
export function expandConfigPaths(
  paths: readonly string[],
  cwd = process.cwd(),
): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(resolve(cwd, p)).isDirectory();
    } catch (e) {
      diagnostics.push({
        ...alert(p, 0, CODES.file, `Cannot open configuration file/directory ${p} : ${describe(e)}`),
        abort: true,
      });
      continue;
    }
    if (!isDir) {
      files.push(p);
      continue;
    }
    const names = readdirSync(resolve(cwd, p))
      .filter((n) => !n.startsWith('.') && n.endsWith('.cfg'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) {
      const full = join(p, n);
      try {
        if (statSync(resolve(cwd, full)).isFile()) files.push(full);
      } catch {
        // vanished between readdir and stat: nothing to read
      }
    }
  }
  return { files, diagnostics };
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}

export function loadHaproxyConfig(paths: readonly string[], opts: ParseOptions = {}): HaproxyLoadResult {
  const cwd = opts.cwd ?? process.cwd();
  const { files, diagnostics } = expandConfigPaths(paths, cwd);
  const sources: Source[] = [];
  for (const f of files) {
    if (diagnostics.length > 0) break; // HAProxy stops at the first one
    try {
      sources.push({ path: f, text: readFileSync(resolve(cwd, f), 'utf8') });
    } catch (e) {
      diagnostics.push({
        ...alert(f, 0, CODES.file, `Could not open configuration file ${f} : ${describe(e)}`),
        abort: true,
      });
    }
  }
  if (paths.length === 0) {
    diagnostics.push(alert('', 0, CODES.file, 'No configuration file given: use -f <file|directory>.'));
  }
  const result = parseHaproxyConfig(sources, opts);
  if (diagnostics.length === 0) return result;
  return {
    config: null,
    diagnostics: [...diagnostics, ...result.diagnostics],
    uses: result.uses,
    files: result.files,
  };
}
