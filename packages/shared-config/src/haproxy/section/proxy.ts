/**
 * `defaults [NAME] [from NAME]` and `frontend|backend|listen NAME [from NAME]`: a proxy's draft starts
 * as a copy of its defaults section's, then each line goes to its keyword in proxy-keywords.ts, where
 * allowed for the section and the proxy's capabilities.
 */
import { clonePlain } from '../../common/clone-plain.ts';
import { suggest } from '../../common/did-you-mean.ts';
import type { LineContext, ProxyDraft } from '../context.ts';
import { CODES } from '../context.ts';
import type { ParseState } from '../parse-state.ts';
import type { ProxyKind, ProxyScope } from '../proxy-keywords.ts';
import { PROXY_KEYWORDS, parseBindLine, REMOVED_PROXY_KEYWORDS } from '../proxy-keywords.ts';
import type { ProxyToValidate } from '../validate.ts';
import type { HttpErrorsDraft } from './http-errors.ts';
import type { OpenSection } from './section.ts';
import { unknownKeyword } from './unknown-keyword.ts';
import { checkNameCharacters } from './words.ts';

const PROXY_KEYWORD_NAMES = Object.keys(PROXY_KEYWORDS);

/**
 * Keywords that are alerts in a proxy without the needed capability (HAProxy's choice); any other
 * keyword there is ignored with a warning.
 */
const STRUCTURAL = new Set(['server', 'default-server', 'server-template']);

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

export function startProxy(ctx: LineContext, state: ParseState): OpenSection {
  const kind = ctx.keyword as ProxyKind;
  let name = '';
  let rest = [...ctx.args];
  if (rest.length > 0 && rest[0] !== 'from') name = rest.shift() as string;
  if (kind !== 'defaults' && name === '') {
    ctx.alert(`'${kind}' expects <name> as an argument.`, CODES.missingArg);
  } else if (name !== '') checkNameCharacters(ctx, kind, name);
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
  let base: ProxyDraft | null = kind === 'defaults' ? null : state.lastDefaults;
  let baseName = kind === 'defaults' ? null : state.lastDefaultsName;
  if (from !== null) {
    const d = state.namedDefaults.get(from);
    if (!d) {
      const hint = suggest(from, state.namedDefaults.keys());
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
    if (name !== '') state.namedDefaults.set(name, { draft, file: ctx.file, line: ctx.line });
    state.lastDefaults = draft;
    state.lastDefaultsName = name;
    const px: ProxyScope = { kind, name, draft, capabilities: { frontend: true, backend: true } };
    return proxySection(px);
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
  if (name !== '') checkNameClash(ctx, state, px);
  state.proxies.push(px);
  if (rest.length > 0) legacyAddress(ctx, px, rest);
  return proxySection(px);
}

function proxySection(px: ProxyScope): OpenSection {
  return { label: px.name || px.kind, line: (line) => proxyLine(line, px) };
}

/** Two proxies of one name may coexist only when their capabilities do not overlap (a frontend and a backend). */
function checkNameClash(ctx: LineContext, state: ParseState, px: ProxyScope): void {
  const { kind, name, capabilities } = px;
  const sameName = state.proxiesByName.get(name);
  if (sameName) sameName.push(px);
  else state.proxiesByName.set(name, [px]);
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

/** Legacy `frontend NAME ADDR:PORT` / `listen NAME ADDR:PORT` (HAProxy 1.x). */
function legacyAddress(ctx: LineContext, px: ProxyScope, rest: string[]): void {
  const { kind, name } = px;
  const address = rest.join(',');
  if (kind === 'backend') {
    ctx.alert(`'backend ${name}' takes no listening address (unexpected '${address}').`, CODES.syntax);
    return;
  }
  ctx.warn(
    `'${kind} ${name} ${rest.join(' ')}': listening addresses on the '${kind}' line are a legacy form that HAProxy 2.x rejects; write '${kind} ${name}' and, inside the section, 'bind ${address}'.`,
    CODES.legacy,
  );
  const before = px.draft.binds?.length ?? 0;
  parseBindLine(ctx.withoutUses(), px, address, [], true);
  for (const b of px.draft.binds?.slice(before) ?? []) b.legacy = true;
}

function proxyLine(ctx: LineContext, px: ProxyScope) {
  const removed = REMOVED_PROXY_KEYWORDS[ctx.keyword];
  if (removed) return ctx.alert(removed, CODES.removed);
  const spec = PROXY_KEYWORDS[ctx.keyword];
  if (!spec) return unknownKeyword(ctx, px.kind, PROXY_KEYWORD_NAMES);
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

/** Where a keyword may go, in words: "a 'frontend', a 'backend' or a 'listen' section". */
function where(w: string): string {
  const places: string[] = [];
  if (w.includes('d')) places.push("a 'defaults'");
  if (w.includes('f') && !w.includes('b')) places.push("a 'frontend'");
  if (w.includes('b') && !w.includes('f')) places.push("a 'backend'");
  if (w.includes('f') && w.includes('b')) places.push("a 'frontend'", "a 'backend'");
  places.push("a 'listen' section");
  return places.length > 1 ? `${places.slice(0, -1).join(', ')} or ${places[places.length - 1]}` : places[0];
}

/**
 * A proxy's draft once every file is read: servers' `fastinter`/`downinter` default to their `inter`,
 * `errorfiles NAME` imports the http-errors section's files (sections may come after the proxy).
 */
export function finishProxy(
  px: ProxyScope,
  httpErrors: ReadonlyMap<string, HttpErrorsDraft>,
): ProxyToValidate {
  // The draft itself, not a copy without `defaultServer`: the model builder keeps only the model's keys.
  const draft: ProxyToValidate = px.draft;
  for (const s of draft.servers ?? []) {
    const inter = s.inter ?? 2000;
    if (s.fastinter === -1) s.fastinter = inter;
    if (s.downinter === -1) s.downinter = inter;
  }
  for (const ref of draft.errorfilesFrom ?? []) {
    const he = httpErrors.get(ref.name);
    if (!he) continue; // reported by validateReferences
    const codes = ref.codes.length > 0 ? ref.codes.map(String) : Object.keys(he.errorfiles);
    draft.errorfiles ??= {};
    for (const c of codes) {
      if (he.errorfiles[c] !== undefined) draft.errorfiles[c] = he.errorfiles[c];
    }
  }
  return draft;
}
