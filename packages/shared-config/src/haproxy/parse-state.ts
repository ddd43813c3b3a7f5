/**
 * What the parser accumulates over every line of every file: diagnostics, keyword uses, the global
 * section, and each section's draft, in file order. One object handed to the section modules
 * (section/*.ts) instead of state captured by closures.
 */
import { accessSync, constants } from 'node:fs';
import type { Diagnostic } from '../common/diagnostic.ts';
import type { GlobalInput, ProxyDraft } from './context.ts';
import type { GlobalScope } from './global-keywords.ts';
import type { KeywordUse } from './keyword-use.ts';
import type { HaproxyConfig } from './model.ts';
import type { ProxyScope } from './proxy-keywords.ts';
import type { HttpErrorsDraft } from './section/http-errors.ts';
import type { OtherDraft } from './section/other.ts';
import type { UserlistDraft } from './section/userlist.ts';

export interface Source {
  /** The file name as the user gave it (used in diagnostics). */
  path: string;
  text: string;
}

export interface HaproxyLoadResult {
  /** null iff there is at least one alert. */
  config: HaproxyConfig | null;
  diagnostics: Diagnostic[];
  /** The runtime features each line uses, in source order (lines with an alert or a `no` prefix excluded). */
  uses: KeywordUse[];
  /** The files read, in order (diagnostics are sorted by this order, then by line). */
  files: string[];
}

export interface ParseOptions {
  /** Environment for `"$VAR"` expansion (default: process.env). Never modified. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative file names resolve against (default: process.cwd()), as HAProxy does. */
  cwd?: string;
  /** File check for errorfile & co (default: fs.accessSync R_OK). */
  readable?: (path: string) => boolean;
  /**
   * Also validate the model with its zod schema and compare (an internal-error alert if they differ).
   * For tests: the parser's output is trusted, and validating it costs a third of a large load.
   */
  checkModel?: boolean;
}

export interface ParseState {
  readonly diagnostics: Diagnostic[];
  /** The runtime features each line uses, in source order (see keyword-use.ts). */
  readonly uses: KeywordUse[];
  readonly cwd: string;
  readonly readable: (path: string) => boolean;
  readonly global: GlobalScope;
  /** `defaults NAME` sections by name: HAProxy lets names repeat, a `from` uses the latest. */
  readonly namedDefaults: Map<string, { draft: ProxyDraft; file: string; line: number }>;
  /** The latest defaults section, which a proxy without `from` inherits (null: none yet). */
  lastDefaults: ProxyDraft | null;
  lastDefaultsName: string | null;
  /** defaults, frontend, backend and listen sections, in file order. */
  readonly proxies: ProxyScope[];
  /** Proxies by name (a frontend and a backend may share one), for the name-clash check. */
  readonly proxiesByName: Map<string, ProxyScope[]>;
  readonly userlists: UserlistDraft[];
  readonly userlistsByName: Map<string, UserlistDraft>;
  readonly httpErrors: HttpErrorsDraft[];
  /** Sections kept as written (peers, resolvers, …). */
  readonly others: OtherDraft[];
}

const defaultReadable = (path: string) => {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

export function newParseState(opts: ParseOptions): ParseState {
  return {
    diagnostics: [],
    uses: [],
    cwd: opts.cwd ?? process.cwd(),
    readable: opts.readable ?? defaultReadable,
    global: {
      draft: {} as GlobalInput,
      env: { ...(opts.env ?? process.env) },
      defaultPath: { mode: 'current', origin: null },
    },
    namedDefaults: new Map(),
    lastDefaults: null,
    lastDefaultsName: null,
    proxies: [],
    proxiesByName: new Map(),
    userlists: [],
    userlistsByName: new Map(),
    httpErrors: [],
    others: [],
  };
}
