/**
 * Once every line is read: resolve each proxy (section/proxy.ts finishProxy), run the whole-configuration
 * checks (validate.ts), and build the model the zod schema (model.ts) describes, deep-frozen. The input is
 * the parser's own drafts, so the schema's defaults are applied without zod validating every value
 * (common/schema-build.ts); `checkModel` (tests) also runs the schema itself and compares.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Diagnostic } from '../common/diagnostic.ts';
import { alert, hasAlert } from '../common/diagnostic.ts';
import { compileSchemaBuilder } from '../common/schema-build.ts';
import { CODES } from './codes.ts';
import type { HaproxyConfig, HaproxyConfigInput } from './model.ts';
import { HaproxyConfigSchema } from './model.ts';
import type { HaproxyLoadResult, ParseState, Source } from './parse-state.ts';
import type { HttpErrorsDraft } from './section/http-errors.ts';
import { finishProxy } from './section/proxy.ts';
import { type ProxyToValidate, validateReferences, validateUserlists } from './validate.ts';

/** Compiled on first use: a `-c` that stops at a parse error never needs it. */
let buildConfig: ((input: HaproxyConfigInput) => HaproxyConfig) | null = null;

export function buildModel(
  state: ParseState,
  sources: readonly Source[],
  checkModel = false,
): HaproxyLoadResult {
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
    // As drafts are: the builder keeps only the model's keys (`defaultServer`, `defaultBackendAt` go).
    proxies: toValidate,
    userlists: userlists.map((u) => ({
      ...u,
      groups: u.groups.map(({ line: _l, ...g }) => g),
      users: u.users.map(({ line: _l, ...x }) => x),
    })),
    httpErrors,
    otherSections: state.others,
  };
  buildConfig ??= compileSchemaBuilder(HaproxyConfigSchema);
  const model = buildConfig(input);
  if (checkModel) {
    const problems = schemaProblems(input, model);
    if (problems.length > 0) {
      for (const p of problems) diagnostics.push(alert(sources[0]?.path ?? '', 0, CODES.internal, p));
      return result(null);
    }
  }
  return result(model);
}

/**
 * What the zod schema says about the parser's output: its issues, or that the model built without it
 * differs from the schema's own result. The parser should never build an invalid model; say where.
 */
function schemaProblems(input: HaproxyConfigInput, model: HaproxyConfig): string[] {
  const proxies = (input.proxies as ProxyToValidate[]).map(
    ({ defaultBackendAt: _at, defaultServer: _ds, ...p }: ProxyToValidate & { defaultServer?: unknown }) => p,
  );
  const parsed = HaproxyConfigSchema.safeParse({ ...input, proxies });
  if (!parsed.success)
    return parsed.error.issues.map(
      (issue) => `internal error: model rejected at ${issue.path.join('.')}: ${issue.message}`,
    );
  if (!isDeepStrictEqual(parsed.data, model))
    return ['internal error: the model built differs from what its schema makes of the same input'];
  return [];
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
