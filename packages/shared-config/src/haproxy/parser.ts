/**
 * haproxy.cfg → model: walks the lines of all sources in order (sections continue across files, as
 * with several `-f`), dispatches each line to its section's keyword table, then resolves inheritance
 * and cross-references and validates the result with the zod schema.
 */
import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { clonePlain } from '../common/clone-plain.ts';
import { deepFreeze } from '../common/deep-freeze.ts';
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert, hasAlert, warning } from '../common/diagnostic.ts';
import { suggest } from '../common/did-you-mean.ts';
import { BlockStack, handleBlockDirective } from './conditional-blocks.ts';
import type { GlobalInput, LineContext, ProxyDraft } from './context.ts';
import { CODES } from './context.ts';
import { GLOBAL_KEYWORDS, type GlobalScope, SELF_APPLIED_GLOBAL } from './global-keywords.ts';
import type { KeywordUse } from './keyword-use.ts';
import type { HaproxyConfig, HaproxyConfigInput } from './model.ts';
import { HaproxyConfigSchema } from './model.ts';
import type { ProxyKind, ProxyScope } from './proxy-keywords.ts';
import { checkErrorCode, PROXY_KEYWORDS, parseBindLine, REMOVED_PROXY_KEYWORDS } from './proxy-keywords.ts';
import { tokenizeLine } from './tokenizer.ts';
import { type ProxyToValidate, validateReferences, validateUserlists } from './validate.ts';

export interface Source {
  /** The file name as the user gave it (used in diagnostics). */
  path: string;
  text: string;
}

export interface ParseOptions {
  /** Environment for `"$VAR"` expansion (default: process.env). Never modified. */
  env?: NodeJS.ProcessEnv;
  /** Directory relative file names resolve against (default: process.cwd()), as HAProxy does. */
  cwd?: string;
  /** File check for errorfile & co (default: fs.accessSync R_OK). */
  readable?: (path: string) => boolean;
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

const PROXY_SECTIONS = ['defaults', 'frontend', 'backend', 'listen'] as const;
/** Sections accepted and kept as written (each recorded as a `section <kind>` use), and why they do nothing yet. */
const OTHER_SECTIONS = [
  'peers',
  'resolvers',
  'mailers',
  'cache',
  'ring',
  'program',
  'fcgi-app',
  'log-forward',
];
const SECTION_WORDS = ['global', ...PROXY_SECTIONS, 'userlist', 'http-errors', ...OTHER_SECTIONS];
const NAME_RE = /^[A-Za-z0-9_.:-]+$/;
/**
 * Keywords that are alerts in a proxy without the needed capability (HAProxy's choice); any other
 * keyword there is ignored with a warning.
 */
const STRUCTURAL = new Set(['server', 'default-server', 'server-template']);

type Current =
  | { type: 'none' }
  | { type: 'global' }
  | { type: 'proxy'; px: ProxyScope }
  | { type: 'userlist'; ul: UserlistDraft }
  | { type: 'http-errors'; he: HttpErrorsDraft }
  | { type: 'other'; sec: OtherDraft };

interface UserlistDraft {
  name: string;
  /** `line` is where each was written, for diagnostics; stripped from the model. */
  groups: { name: string; users: string[]; line: number }[];
  users: { name: string; password: string; insecure: boolean; groups: string[]; line: number }[];
  file: string;
  line: number;
}
interface HttpErrorsDraft {
  name: string;
  errorfiles: Record<string, string>;
  file: string;
  line: number;
}
interface OtherDraft {
  kind: string;
  name: string;
  directives: { keyword: string; args: string[]; file: string; line: number }[];
  file: string;
  line: number;
}

function emptyDraft(): ProxyDraft {
  return {
    name: '',
    kind: 'backend',
    capabilities: { frontend: false, backend: false },
    file: '',
    line: 0,
    timeouts: {},
    options: {},
    defaultServer: {},
  };
}

const defaultReadable = (path: string) => {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

export function parseHaproxyConfig(sources: readonly Source[], opts: ParseOptions = {}): HaproxyLoadResult {
  const diagnostics: Diagnostic[] = [];
  const uses: KeywordUse[] = [];
  const cwd = opts.cwd ?? process.cwd();
  const readable = opts.readable ?? defaultReadable;
  const g: GlobalScope = {
    draft: {} as GlobalInput,
    env: { ...(opts.env ?? process.env) },
    defaultPath: { mode: 'current', origin: null },
  };
  const namedDefaults = new Map<string, { draft: ProxyDraft; file: string; line: number }>();
  let lastDefaults: ProxyDraft | null = null;
  let lastDefaultsName: string | null = null;
  const proxies: ProxyScope[] = [];
  // Proxies by name (several may share one: a frontend and a backend), for the clash check.
  const proxiesByName = new Map<string, ProxyScope[]>();
  const userlists: UserlistDraft[] = [];
  const httpErrors: HttpErrorsDraft[] = [];
  const others: OtherDraft[] = [];
  let current: Current = { type: 'none' };

  const sectionName = (): string => {
    switch (current.type) {
      case 'none':
        return '';
      case 'global':
        return 'global';
      case 'proxy':
        return current.px.name || current.px.kind;
      case 'userlist':
        return current.ul.name;
      case 'http-errors':
        return current.he.name;
      case 'other':
        return current.sec.name || current.sec.kind;
    }
  };

  for (const source of sources) {
    const blocks = new BlockStack();
    // A UTF-8 byte-order mark (some editors add one) is not part of the first keyword.
    const lines = source.text.replace(/^\uFEFF/, '').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const lineNo = index + 1;
      const file = source.path;
      const raw = lines[index].replace(/\r$/, '');
      const tok = tokenizeLine(raw, {
        env: g.env,
        pseudo: { FILE: file, LINE: String(lineNo), SECTION: sectionName() },
      });
      const first = tok.words[0];
      if (
        first?.startsWith('.') &&
        ['.if', '.elif', '.else', '.endif', '.diag', '.notice', '.warning', '.alert'].includes(first)
      ) {
        handleBlockDirective(first, tok.words.slice(1), blocks, file, lineNo, g.env, diagnostics);
        continue;
      }
      if (!blocks.active) continue;
      if (tok.errors.length > 0) {
        for (const e of tok.errors) diagnostics.push(alert(file, lineNo, CODES.syntax, e));
        continue;
      }
      for (const w of tok.warnings) diagnostics.push(warning(file, lineNo, CODES.notice, w));
      if (tok.words.length === 0) continue;

      let words = tok.words;
      let no = false;
      if (words[0] === 'no' && words.length > 1) {
        no = true;
        words = words.slice(1);
      } else if (words[0] === 'default' && words[1] === 'option') {
        // `default option X` restores the built-in default: for our boolean options that is "off".
        no = true;
        words = words.slice(1);
      }
      const keyword = words[0];
      const lineUses: KeywordUse[] = [];
      const args = words.slice(1);
      const ctx: LineContext = {
        file,
        line: lineNo,
        keyword,
        args,
        no,
        env: g.env,
        alert: (message, code = CODES.syntax) => diagnostics.push(alert(file, lineNo, code, message)),
        warn: (message, code = CODES.ignored) => diagnostics.push(warning(file, lineNo, code, message)),
        uses: (key, label = key, subject) =>
          lineUses.push(
            subject === undefined
              ? { file, line: lineNo, key, label, args }
              : { file, line: lineNo, key, label, subject, args },
          ),
        resolvePath: (p) => resolveFile(p, file, cwd, g.defaultPath),
        resolveCert: (p) =>
          resolveFile(
            isAbsolute(p) || !g.draft.crtBase ? p : join(g.draft.crtBase, p),
            file,
            cwd,
            g.defaultPath,
          ),
        readable,
      };
      const before = diagnostics.length;

      if (SECTION_WORDS.includes(keyword) && !no) {
        current = startSection(ctx);
      } else if (no && keyword !== 'option' && keyword !== 'log') {
        ctx.alert(`'no' is only supported before 'option' and 'log' (got 'no ${keyword}').`, CODES.syntax);
      } else {
        dispatch(ctx);
      }

      // A `no …` line turns something off: nothing is left to apply. A rejected line applies nothing.
      // (Only this line's diagnostics are scanned: loading stays linear in the number of lines.)
      if (!no && lineUses.length > 0 && !hasAlert(diagnostics, before))
        for (const u of lineUses) uses.push(u);
    }
    if (blocks.levels.length > 0) {
      const open = blocks.levels[blocks.levels.length - 1];
      diagnostics.push(
        alert(open.file, open.line, CODES.syntax, "missing '.endif' for this '.if' block at end of file."),
      );
    }
  }

  function startSection(ctx: LineContext): Current {
    const kw = ctx.keyword;
    const args = ctx.args;
    if (kw === 'global') {
      if (args.length > 0) ctx.alert(`'global' takes no argument (unexpected '${args[0]}').`, CODES.syntax);
      return { type: 'global' };
    }
    if (kw === 'userlist' || kw === 'http-errors' || OTHER_SECTIONS.includes(kw)) {
      const name = args[0];
      if (name === undefined && kw !== 'program' && kw !== 'ring') {
        ctx.alert(`'${kw}' expects <name> as an argument.`, CODES.missingArg);
      } else if (name !== undefined && !NAME_RE.test(name)) {
        ctx.alert(
          `character '${name.replace(/[A-Za-z0-9_.:-]/g, '')[0]}' is not permitted in '${kw}' name '${name}'.`,
          CODES.badValue,
        );
      }
      if (kw === 'userlist') {
        if (userlists.some((u) => u.name === name))
          ctx.alert(`userlist '${name}' is already defined.`, CODES.duplicate);
        const ul: UserlistDraft = { name: name ?? '', groups: [], users: [], file: ctx.file, line: ctx.line };
        userlists.push(ul);
        ctx.uses('section userlist', 'userlist');
        return { type: 'userlist', ul };
      }
      if (kw === 'http-errors') {
        const he: HttpErrorsDraft = { name: name ?? '', errorfiles: {}, file: ctx.file, line: ctx.line };
        httpErrors.push(he);
        return { type: 'http-errors', he };
      }
      const sec: OtherDraft = { kind: kw, name: name ?? '', directives: [], file: ctx.file, line: ctx.line };
      others.push(sec);
      ctx.uses(`section ${kw}`, kw);
      return { type: 'other', sec };
    }

    // defaults / frontend / backend / listen
    const kind = kw as ProxyKind;
    let name = '';
    let rest = [...args];
    if (rest.length > 0 && rest[0] !== 'from') name = rest.shift() as string;
    if (kind !== 'defaults' && name === '') {
      ctx.alert(`'${kind}' expects <name> as an argument.`, CODES.missingArg);
    } else if (name !== '' && !NAME_RE.test(name)) {
      ctx.alert(
        `character '${name.replace(/[A-Za-z0-9_.:-]/g, '')[0]}' is not permitted in '${kind}' name '${name}'.`,
        CODES.badValue,
      );
    }
    let from: string | null = null;
    if (rest[0] === 'from') {
      from = rest[1] ?? null;
      if (from === null)
        ctx.alert(`'${kind} ${name}' : 'from' expects the name of a defaults section.`, CODES.missingArg);
      if (rest.length > 2)
        ctx.alert(`'${kind} ${name}' : unexpected '${rest[2]}' after 'from ${from}'.`, CODES.syntax);
      rest = [];
    }
    // A defaults section starts from the documented defaults unless it says `from`.
    let base: ProxyDraft | null = kind === 'defaults' ? null : lastDefaults;
    let baseName = kind === 'defaults' ? null : lastDefaultsName;
    if (from !== null) {
      const d = namedDefaults.get(from);
      if (!d) {
        const hint = suggest(from, namedDefaults.keys());
        ctx.alert(
          `${kind} '${name}' : unable to find the defaults section '${from}'${hint ? `; did you mean '${hint}' maybe ?` : ' (it must be declared before use).'}`,
          CODES.unknownReference,
        );
        base = null;
      } else base = d.draft;
      baseName = from;
    }
    const draft: ProxyDraft = base ? clonePlain(base) : emptyDraft();
    if (kind === 'defaults') {
      // HAProxy lets defaults names overlap; a `from` reference uses the latest one.
      if (name !== '') namedDefaults.set(name, { draft, file: ctx.file, line: ctx.line });
      lastDefaults = draft;
      lastDefaultsName = name;
      const px: ProxyScope = { kind, name, draft, capabilities: { frontend: true, backend: true } };
      return { type: 'proxy', px };
    }
    const capabilities = { frontend: kind !== 'backend', backend: kind !== 'frontend' };
    draft.name = name;
    draft.kind = kind;
    draft.capabilities = capabilities;
    draft.file = ctx.file;
    draft.line = ctx.line;
    draft.defaults = base ? baseName : null;
    // What a defaults section cannot contain is never inherited.
    draft.binds = [];
    draft.servers = [];
    draft.useBackends = [];
    const px: ProxyScope = { kind, name, draft, capabilities };
    if (name !== '') {
      const sameName = proxiesByName.get(name);
      if (sameName) sameName.push(px);
      else proxiesByName.set(name, [px]);
      for (const other of sameName ?? []) {
        if (other === px) continue;
        const clash =
          (other.capabilities.frontend && capabilities.frontend) ||
          (other.capabilities.backend && capabilities.backend);
        if (clash) {
          ctx.alert(
            `${kind} '${name}' has the same name as ${other.kind} '${name}' declared at ${other.draft.file}:${other.draft.line}.`,
            CODES.duplicate,
          );
          break;
        }
      }
    }
    proxies.push(px);
    if (rest.length > 0) {
      // Legacy `frontend NAME ADDR:PORT` / `listen NAME ADDR:PORT` (HAProxy 1.x).
      const address = rest.join(',');
      if (kind === 'backend') {
        ctx.alert(`'backend ${name}' takes no listening address (unexpected '${address}').`, CODES.syntax);
      } else {
        ctx.warn(
          `'${kind} ${name} ${rest.join(' ')}': listening addresses on the '${kind}' line are a legacy form that HAProxy 2.x rejects; write '${kind} ${name}' and, inside the section, 'bind ${address}'.`,
          CODES.legacy,
        );
        const bindCtx: LineContext = { ...ctx, uses: () => {} };
        const before = px.draft.binds?.length ?? 0;
        parseBindLine(bindCtx, px, address, [], true);
        for (const b of px.draft.binds?.slice(before) ?? []) b.legacy = true;
      }
    }
    return { type: 'proxy', px };
  }

  function dispatch(ctx: LineContext) {
    switch (current.type) {
      case 'none': {
        const hint = suggest(ctx.keyword, SECTION_WORDS);
        ctx.alert(
          `unknown keyword '${ctx.keyword}' out of section${hint ? `; did you mean '${hint}' maybe ?` : ` (start a section first: ${SECTION_WORDS.slice(0, 7).join(', ')}).`}`,
          CODES.unknownKeyword,
        );
        return;
      }
      case 'global':
        return dispatchGlobal(ctx);
      case 'proxy':
        return dispatchProxy(ctx, current.px);
      case 'userlist':
        return dispatchUserlist(ctx, current.ul);
      case 'http-errors':
        return dispatchHttpErrors(ctx, current.he);
      case 'other':
        current.sec.directives.push({
          keyword: ctx.keyword,
          args: [...ctx.args],
          file: ctx.file,
          line: ctx.line,
        });
        return;
    }
  }

  function dispatchGlobal(ctx: LineContext) {
    const spec = GLOBAL_KEYWORDS[ctx.keyword];
    if (!spec) {
      if (ctx.no && ctx.keyword === 'log') return GLOBAL_KEYWORDS.log.handle(ctx, g);
      return unknownKeyword(ctx, 'global', Object.keys(GLOBAL_KEYWORDS));
    }
    if (ctx.no && ctx.keyword !== 'log') {
      return ctx.alert(`'no ${ctx.keyword}' is not supported in the 'global' section.`, CODES.syntax);
    }
    spec.handle(ctx, g);
    if (!spec.ownStatus && !SELF_APPLIED_GLOBAL.has(ctx.keyword)) ctx.uses(ctx.keyword);
  }

  function dispatchProxy(ctx: LineContext, px: ProxyScope) {
    const removed = REMOVED_PROXY_KEYWORDS[ctx.keyword];
    if (removed) return ctx.alert(removed, CODES.removed);
    const spec = PROXY_KEYWORDS[ctx.keyword];
    const section = px.kind;
    if (!spec) return unknownKeyword(ctx, section, Object.keys(PROXY_KEYWORDS));
    const w = spec.where;
    if (px.kind === 'defaults') {
      if (!w.includes('d') && !(w.includes('n') && px.name !== '')) {
        if (w.includes('n')) {
          return ctx.alert(
            `'${ctx.keyword}' is only allowed in named 'defaults' sections (write 'defaults <name>'), or in a 'frontend', 'backend' or 'listen' section.`,
            CODES.wrongSection,
          );
        }
        return ctx.alert(
          `'${ctx.keyword}' is not allowed in a 'defaults' section (put it in ${where(w)}).`,
          CODES.wrongSection,
        );
      }
    } else {
      const okFe = w.includes('f') && px.capabilities.frontend;
      const okBe = w.includes('b') && px.capabilities.backend;
      if (!okFe && !okBe) {
        const need = w.includes('f') ? 'frontend' : 'backend';
        if (!STRUCTURAL.has(ctx.keyword)) {
          // Like HAProxy: a setting that cannot apply to this proxy is ignored with a warning.
          return ctx.warn(
            `'${ctx.keyword}' ignored because ${px.kind} '${px.name}' has no ${need} capability.`,
            CODES.ignored,
          );
        }
        return ctx.alert(
          `'${ctx.keyword}' not allowed because ${px.kind} '${px.name}' has no ${need} capability (put it in ${where(w)}).`,
          CODES.wrongSection,
        );
      }
    }
    spec.handle(ctx, px);
    if (!spec.ownStatus) ctx.uses(ctx.keyword);
  }

  function dispatchUserlist(ctx: LineContext, ul: UserlistDraft) {
    const [name, ...rest] = ctx.args;
    if (ctx.keyword === 'group') {
      if (name === undefined) return ctx.alert("'group' expects <name> as argument.", CODES.missingArg);
      if (ul.groups.some((gr) => gr.name === name))
        return ctx.alert(`duplicate group '${name}' in userlist '${ul.name}'.`, CODES.duplicate);
      let users: string[] = [];
      if (rest.length > 0) {
        if (rest[0] !== 'users' || rest.length !== 2)
          return ctx.alert("'group' expects <name> [users <user>[,<user>...]].", CODES.syntax);
        users = rest[1].split(',');
      }
      ul.groups.push({ name, users, line: ctx.line });
      return;
    }
    if (ctx.keyword === 'user') {
      if (name === undefined) return ctx.alert("'user' expects <name> as argument.", CODES.missingArg);
      if (ul.users.some((u) => u.name === name))
        return ctx.alert(`duplicate user '${name}' in userlist '${ul.name}'.`, CODES.duplicate);
      const user = { name, password: '', insecure: false, groups: [] as string[], line: ctx.line };
      for (let i = 0; i < rest.length; i += 2) {
        const k = rest[i];
        const v = rest[i + 1];
        if (v === undefined || !['password', 'insecure-password', 'groups'].includes(k)) {
          const hint = suggest(k, ['password', 'insecure-password', 'groups']);
          return ctx.alert(
            `'user ${name}' : expects 'password <hash>', 'insecure-password <password>' and/or 'groups <group>[,...]'${v === undefined ? ` (missing value after '${k}')` : ` (got '${k}')`}${hint && hint !== k ? `; did you mean '${hint}' maybe ?` : '.'}`,
            CODES.syntax,
          );
        }
        if (k === 'groups') user.groups = v.split(',');
        else {
          user.password = v;
          user.insecure = k === 'insecure-password';
        }
      }
      ul.users.push(user);
      return;
    }
    unknownKeyword(ctx, 'userlist', ['user', 'group']);
  }

  function dispatchHttpErrors(ctx: LineContext, he: HttpErrorsDraft) {
    if (ctx.keyword !== 'errorfile') return unknownKeyword(ctx, 'http-errors', ['errorfile']);
    const [code, path, extra] = ctx.args;
    if (code === undefined || path === undefined || extra !== undefined) {
      return ctx.alert("'errorfile' expects <error_code> and <file> as arguments.", CODES.missingArg);
    }
    const n = checkErrorCode(ctx, code);
    if (n === undefined) return;
    const abs = ctx.resolvePath(path);
    if (!readable(abs)) return ctx.alert(`errorfile : error opening file '${path}'.`, CODES.file);
    he.errorfiles[String(n)] = abs;
  }

  function unknownKeyword(ctx: LineContext, section: string, candidates: string[]) {
    const kw = ctx.keyword;
    // A keyword that belongs to another section: say which.
    const inGlobal = kw in GLOBAL_KEYWORDS;
    const inProxy = kw in PROXY_KEYWORDS || kw in REMOVED_PROXY_KEYWORDS;
    if (section !== 'global' && inGlobal && !inProxy) {
      return ctx.alert(
        `'${kw}' is a 'global' keyword: it is not allowed in a '${section}' section (move it to the 'global' section).`,
        CODES.wrongSection,
      );
    }
    if (section === 'global' && inProxy) {
      return ctx.alert(
        `'${kw}' is not allowed in the 'global' section (it belongs in a 'defaults', 'frontend', 'backend' or 'listen' section).`,
        CODES.wrongSection,
      );
    }
    const hint = suggest(kw, [...candidates, ...SECTION_WORDS]);
    const only =
      section === 'userlist'
        ? " (only 'user' and 'group')"
        : section === 'http-errors'
          ? " (only 'errorfile')"
          : '';
    ctx.alert(
      `unknown keyword '${kw}' in '${section}' section${hint ? `; did you mean '${hint}' maybe ?` : only}`,
      CODES.unknownKeyword,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Resolution
  const toValidate = proxies.map((px) => finishProxy(px, httpErrors));
  // Like HAProxy, whole-configuration checks only run once every line parsed: their findings would
  // otherwise mostly echo the parse errors (a backend "missing" because its line was rejected).
  if (hasAlert(diagnostics))
    return {
      config: null,
      diagnostics: sortDiagnostics(diagnostics, sources),
      uses,
      files: sources.map((x) => x.path),
    };
  diagnostics.push(
    ...validateReferences({
      proxies: toValidate,
      userlists: userlists.map((u) => u.name),
      httpErrors: httpErrors.map((h) => h.name),
      globalLogTargets: g.draft.log?.length ?? 0,
    }),
    ...validateUserlists(userlists),
  );
  const proxyInputs = toValidate.map(({ defaultBackendAt: _at, ...p }) => p);
  if (hasAlert(diagnostics))
    return {
      config: null,
      diagnostics: sortDiagnostics(diagnostics, sources),
      uses,
      files: sources.map((x) => x.path),
    };

  const input: HaproxyConfigInput = {
    global: g.draft,
    proxies: proxyInputs,
    userlists: userlists.map((u) => ({
      ...u,
      groups: u.groups.map(({ line: _l, ...g }) => g),
      users: u.users.map(({ line: _l, ...x }) => x),
    })),
    httpErrors,
    otherSections: others,
  };
  const parsed = HaproxyConfigSchema.safeParse(input);
  if (!parsed.success) {
    // The parser should never build an invalid model; say where, so it can be fixed.
    for (const issue of parsed.error.issues) {
      diagnostics.push(
        alert(
          sources[0]?.path ?? '',
          0,
          'CFG_ERR_INTERNAL',
          `internal error: model rejected at ${issue.path.join('.')}: ${issue.message}`,
        ),
      );
    }
    return {
      config: null,
      diagnostics: sortDiagnostics(diagnostics, sources),
      uses,
      files: sources.map((x) => x.path),
    };
  }
  return {
    config: deepFreeze(parsed.data),
    diagnostics: sortDiagnostics(diagnostics, sources),
    uses,
    files: sources.map((x) => x.path),
  };
}

function where(w: string): string {
  const places: string[] = [];
  if (w.includes('d')) places.push("a 'defaults'");
  if (w.includes('f') && !w.includes('b')) places.push("a 'frontend'");
  if (w.includes('b') && !w.includes('f')) places.push("a 'backend'");
  if (w.includes('f') && w.includes('b')) places.push("a 'frontend'", "a 'backend'");
  places.push("a 'listen' section");
  return places.length > 1 ? `${places.slice(0, -1).join(', ')} or ${places[places.length - 1]}` : places[0];
}

function finishProxy(px: ProxyScope, httpErrors: HttpErrorsDraft[]): ProxyToValidate {
  const { defaultServer: _ignored, ...draft } = px.draft;
  for (const s of draft.servers ?? []) {
    const inter = s.inter ?? 2000;
    if (s.fastinter === -1) s.fastinter = inter;
    if (s.downinter === -1) s.downinter = inter;
  }
  for (const ref of draft.errorfilesFrom ?? []) {
    const he = httpErrors.find((h) => h.name === ref.name);
    if (!he) continue; // reported by validateReferences
    const codes = ref.codes.length > 0 ? ref.codes.map(String) : Object.keys(he.errorfiles);
    draft.errorfiles ??= {};
    for (const c of codes) {
      if (he.errorfiles[c] !== undefined) draft.errorfiles[c] = he.errorfiles[c];
    }
  }
  return draft;
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

/** Diagnostics in source order (file order as given, then line), stable for equal positions. */
function sortDiagnostics(ds: Diagnostic[], sources: readonly Source[]): Diagnostic[] {
  const order = new Map(sources.map((s, i) => [s.path, i]));
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const fa = order.get(a.d.file) ?? 1e9;
      const fb = order.get(b.d.file) ?? 1e9;
      return fa - fb || a.d.line - b.d.line || a.i - b.i;
    })
    .map((x) => x.d);
}
