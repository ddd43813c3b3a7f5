/**
 * The one way a configuration becomes an engine configuration, shared by `-c` and start-up so they
 * can never disagree: parse (shared-config), say what is not in effect (in-effect.ts), build the
 * engine's view (from-haproxy.ts), and find what would stop start-up (no listener, files the engine
 * reads). Nothing here binds a socket.
 */
import {
  type Diagnostic,
  type HaproxyConfig,
  type HaproxyLoadResult,
  type KeywordUse,
  loadHaproxyConfig,
  parseHaproxyConfig,
  type Source,
} from '@ha-lb/shared-config/haproxy';
import type { EngineConfig } from '../engine/engine-config.ts';
import { fromHaproxyConfig } from '../engine/from-haproxy.ts';
import { LbError, LineError } from '../errors.ts';
import { bindWarnings } from './bind-check.ts';
import { combineArgResolution } from './checks/arg-resolution.ts';
import { configChecks } from './checks/index.ts';
import { resolveServerAddresses } from './checks/server-addresses.ts';
import { inEffectReport } from './in-effect-report.ts';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory relative file names resolve against (HAProxy's `-C`; default: process.cwd()). */
  cwd?: string;
  /** `-dW`: any warning is fatal (as `zero-warning` in global). */
  zeroWarning?: boolean;
  /**
   * false: leave out what in-effect.ts says (not applied yet / refused), keeping only what the
   * configuration language finds — what `haproxy -c` would print; test/check-vs-haproxy.test.ts
   * compares that with the real one. Default true.
   */
  inEffect?: boolean;
}

export interface LoadedConfig {
  /** Everything to print, in source order. */
  diagnostics: Diagnostic[];
  model: HaproxyConfig | null;
  /** null iff `diagnostics` holds an alert */
  engine: EngineConfig | null;
  /** false when no enabled proxy has a `bind`: HAProxy refuses to start such a configuration */
  hasListener: boolean;
  /** `quiet` in global */
  quiet: boolean;
  /** The configuration files read, in order (HAProxy prints its "Error(s) found" lines per file). */
  files: readonly string[];
}

export const ZERO_WARNING_ALERT = "Some warnings were found and 'zero-warning' is set. Aborting.";
export const ZERO_WARNING_CODE = 'CFG_ERR_ZERO_WARNING';
/** Our own findings about the engine's view come after HAProxy's whole-configuration checks. */
const OURS_AFTER = 2_000_000_000;
export const NO_LISTENER_CHECK =
  'Configuration file has no error but will not start (no listener) => exit(2).';
export const NO_LISTENER_START =
  "[haproxy.main()] No enabled listener found (check for 'bind' directives) ! Exiting.";

export function loadBalancerConfig(paths: readonly string[], opts: LoadOptions = {}): LoadedConfig {
  return finish(loadHaproxyConfig(paths, { env: opts.env ?? process.env, cwd: opts.cwd }), opts);
}

/** The same for configuration text that is not in a file (the built-in demo). */
export function loadBalancerConfigText(sources: readonly Source[], opts: LoadOptions = {}): LoadedConfig {
  return finish(parseHaproxyConfig(sources, { env: opts.env ?? process.env, cwd: opts.cwd }), opts);
}

function finish(result: HaproxyLoadResult, opts: LoadOptions): LoadedConfig {
  const model = result.config;
  const files = result.files;
  const unsafe = model?.global.unsafeIgnoreUnimplemented ?? unsafeRequested(result.uses);
  const report = opts.inEffect === false ? [] : inEffectReport(result.uses, { unsafe });
  const checks = model === null ? [] : configChecks(model, result.uses, opts.cwd);
  // A line HAProxy refuses while reading says nothing more (no rule-order warning on it, for one).
  const refused = new Set(checks.filter((d) => d.severity === 'alert' && d.postParse === undefined).map(at));
  const parsed = result.diagnostics.filter(
    (d) => !(d.severity === 'warning' && d.postParse === undefined && refused.has(at(d))),
  );
  // HAProxy's findings first, then what the balancer adds about the same line
  const diagnostics = combineArgResolution(merge(parsed, [...checks, ...report], files));
  const quiet = model !== null && 'quiet' in model.global.settings;
  const hasListener = model?.proxies.some((p) => !p.disabled && p.binds.length > 0) === true;
  if (model === null || diagnostics.some((d) => d.severity === 'alert'))
    return { diagnostics, model, engine: null, hasListener, quiet, files };
  // a valid configuration's server names are resolved next, as HAProxy's srv_init_addr()
  const addresses = resolveServerAddresses(model);
  if (addresses.diagnostics.length > 0) {
    diagnostics.push(...addresses.diagnostics);
    return { diagnostics, model, engine: null, hasListener, quiet, files };
  }

  let engine: EngineConfig | null = null;
  try {
    engine = fromHaproxyConfig(model, {
      resolved: addresses.resolved,
      cwd: opts.cwd,
      bindText: (file, line) => bindTextAt(result.uses, file, line),
      rules: opts.inEffect !== false,
    });
  } catch (err) {
    if (!(err instanceof LbError)) throw err;
    diagnostics.push(
      err instanceof LineError
        ? {
            severity: 'alert',
            file: err.file,
            line: err.line,
            code: err.code,
            message: err.message,
            ...(err.abort ? { abort: true } : {}),
          }
        : {
            severity: 'alert',
            file: '',
            line: 0,
            code: err.code,
            message: err.message,
            postParse: OURS_AFTER,
          },
    );
  }
  if (engine !== null)
    diagnostics.push(...bindWarnings(engine).map((d, i) => ({ ...d, postParse: OURS_AFTER + 1 + i })));
  const zeroWarning = opts.zeroWarning === true || 'zero-warning' in model.global.settings;
  if (zeroWarning && diagnostics.some((d) => d.severity === 'warning')) {
    diagnostics.push({
      severity: 'alert',
      file: '',
      line: 0,
      code: ZERO_WARNING_CODE,
      message: ZERO_WARNING_ALERT,
    });
    engine = null;
  }
  return { diagnostics, model, engine, hasListener, quiet, files };
}

const at = (d: Diagnostic) => `${d.file}:${d.line}`;

/** A bind's address as written (`:8443`), from its keyword use's subject (`'bind :8443'`). */
function bindTextAt(uses: readonly KeywordUse[], file: string, line: number): string | undefined {
  const subject = uses.find(
    (u) => u.file === file && u.line === line && u.subject?.startsWith("'bind "),
  )?.subject;
  return subject?.slice("'bind ".length, -1);
}

/** When the model did not build, the unsafe switch is still honoured if the global section set it. */
function unsafeRequested(uses: readonly KeywordUse[]): boolean {
  return uses.some((u) => u.key === 'unsafe-ignore-unimplemented');
}

/**
 * The parser's diagnostics and ours: parsing findings in source order (files in the order read, then
 * lines; stable), then the whole-configuration ones (printed in their `postParse` order).
 */
function merge(
  parsed: readonly Diagnostic[],
  ours: readonly Diagnostic[],
  files: readonly string[],
): Diagnostic[] {
  if (ours.length === 0) return [...parsed];
  const order = new Map(files.map((f, i) => [f, i]));
  const rank = (d: Diagnostic) =>
    d.postParse !== undefined ? files.length : d.line > 0 ? (order.get(d.file) ?? -1) : -1; // file-less findings (a missing -f file) first
  return [...parsed, ...ours]
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) => rank(a.d) - rank(b.d) || (a.d.postParse === undefined ? a.d.line - b.d.line : 0) || a.i - b.i,
    )
    .map((x) => x.d);
}
