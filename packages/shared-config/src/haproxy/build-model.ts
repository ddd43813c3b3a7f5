/**
 * Once every line is read: resolve each proxy (section/proxy.ts finishProxy), run the whole-configuration
 * checks (validate.ts), and build the model with the zod schema (model.ts), deep-frozen.
 */
import { deepFreeze } from '../common/deep-freeze.ts';
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert, hasAlert } from '../common/diagnostic.ts';
import { CODES } from './codes.ts';
import type { HaproxyConfigInput } from './model.ts';
import { HaproxyConfigSchema } from './model.ts';
import type { HaproxyLoadResult, ParseState, Source } from './parse-state.ts';
import type { HttpErrorsDraft } from './section/http-errors.ts';
import { finishProxy } from './section/proxy.ts';
import { validateReferences, validateUserlists } from './validate.ts';

export function buildModel(state: ParseState, sources: readonly Source[]): HaproxyLoadResult {
  const { diagnostics, userlists, httpErrors } = state;
  const result = (config: HaproxyLoadResult['config']): HaproxyLoadResult => ({
    config,
    diagnostics: sortDiagnostics(diagnostics, sources),
    uses: state.uses,
    files: sources.map((x) => x.path),
  });
  // The first section of a name is the one `errorfiles NAME` uses.
  const httpErrorsByName = new Map<string, HttpErrorsDraft>();
  for (const he of httpErrors) if (!httpErrorsByName.has(he.name)) httpErrorsByName.set(he.name, he);
  const toValidate = state.proxies.map((px) => finishProxy(px, httpErrorsByName));
  // Like HAProxy, whole-configuration checks only run once every line parsed: their findings would
  // otherwise mostly echo the parse errors (a backend "missing" because its line was rejected).
  if (hasAlert(diagnostics)) return result(null);
  diagnostics.push(
    ...validateReferences({
      proxies: toValidate,
      userlists: userlists.map((u) => u.name),
      httpErrors: httpErrors.map((h) => h.name),
      globalLogTargets: state.global.draft.log?.length ?? 0,
    }),
    ...validateUserlists(userlists),
  );
  if (hasAlert(diagnostics)) return result(null);

  const input: HaproxyConfigInput = {
    global: state.global.draft,
    proxies: toValidate.map(({ defaultBackendAt: _at, ...p }) => p),
    userlists: userlists.map((u) => ({
      ...u,
      groups: u.groups.map(({ line: _l, ...g }) => g),
      users: u.users.map(({ line: _l, ...x }) => x),
    })),
    httpErrors,
    otherSections: state.others,
  };
  const parsed = HaproxyConfigSchema.safeParse(input);
  if (!parsed.success) {
    // The parser should never build an invalid model; say where, so it can be fixed.
    for (const issue of parsed.error.issues) {
      diagnostics.push(
        alert(
          sources[0]?.path ?? '',
          0,
          CODES.internal,
          `internal error: model rejected at ${issue.path.join('.')}: ${issue.message}`,
        ),
      );
    }
    return result(null);
  }
  return result(deepFreeze(parsed.data));
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
