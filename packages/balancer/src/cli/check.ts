/**
 * What `balancer -c` and start-up print about a configuration, in HAProxy 2.6's shape and on its
 * streams (checked against `haproxy -c` here):
 * - any diagnostic is preceded by two `[NOTICE]` lines (version, path to the executable);
 * - warnings and alerts go to stderr as `[WARNING]  (pid) : config : parsing [file:line] : …`;
 * - alerts end with "Error(s) found in configuration file : F" per file and "Fatal errors found in
 *   configuration." (exit 1);
 * - `-c` then prints to stdout "Warnings were found." (if any), and "Configuration file is valid" (exit 0)
 *   or, with no listener, "Configuration file has no error but will not start (no listener) => exit(2)."
 *   (exit 2);
 * - `-q` (or `quiet` in global) prints nothing at all, as `haproxy -c -q` does.
 */
import {
  type Diagnostic,
  formatHaproxyDiagnostic,
  formatHaproxyLine,
  stopsReading,
} from '@ha-lb/shared-config/haproxy';
import { RESOLVE_CODE } from '../config/checks/server-addresses.ts';
import { IN_EFFECT_CODES } from '../config/in-effect-report.ts';
import {
  type LoadedConfig,
  type LoadOptions,
  loadBalancerConfig,
  NO_LISTENER_CHECK,
  ZERO_WARNING_CODE,
} from '../config/load.ts';
import { BALANCER_VERSION } from '../version.ts';

export interface CheckIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  /** Shown in each line like HAProxy's PID; tests pass a placeholder. Default: process.pid. */
  pid?: number | string;
  /** Base directory for relative file names in the configuration (default: process.cwd()). */
  cwd?: string;
  /** `-q` */
  quiet?: boolean;
  /** `-dW` */
  zeroWarning?: boolean;
  /** Shown in the "path to executable" notice (default: the running script). */
  executable?: string;
  /** false: only what the configuration language finds, as `haproxy -c` (see LoadOptions.inEffect). */
  inEffect?: boolean;
}

/** What `[NOTICE] path to executable is …` names: the bin script when it started us (it sets the variable). */
export function executablePath(): string {
  return process.env.BALANCER_EXECUTABLE ?? process.argv[1] ?? process.execPath;
}

/**
 * The stderr lines for a loaded configuration's diagnostics (empty when there are none), in the order
 * and with the closing lines HAProxy 2.6's main() prints them (haproxy.c, the readcfgfile loop):
 * - each file's parsing findings, then `Error(s) found in configuration file : F` when one is an alert;
 * - an alert that stops HAProxy's reading (ERR_ABORT: a rule it cannot parse, a `-f` path that does
 *   not exist) ends the output there, without "Fatal errors found";
 * - after a parsing alert, "Fatal errors found in configuration." and nothing else: the
 *   whole-configuration checks (check_config_validity) are not run; the balancer's own refusals of
 *   what it does not implement (in-effect.ts) do not hide those checks' findings, though;
 * - otherwise those checks' findings, in their own order, and "Fatal errors found" if one is an alert;
 * - a server name that does not resolve (srv_init_addr, after every check) ends with HAProxy's
 *   "Failed to initialize server(s) addr.", without "Fatal errors found".
 */
export function diagnosticLines(loaded: LoadedConfig, pid: number | string, executable: string): string[] {
  const ds = loaded.diagnostics;
  if (ds.length === 0) return [];
  const lines = [
    formatHaproxyLine('notice', `balancer version is ${BALANCER_VERSION}`, pid),
    formatHaproxyLine('notice', `path to executable is ${executable}`, pid),
  ];
  const print = (d: Diagnostic) => lines.push(formatHaproxyDiagnostic(d, pid));
  const errorsIn = (file: string) =>
    lines.push(formatHaproxyLine('alert', `config : Error(s) found in configuration file : ${file}`, pid));
  const fatal = () =>
    lines.push(formatHaproxyLine('alert', 'config : Fatal errors found in configuration.', pid));

  const parsing = ds.filter((d) => d.postParse === undefined && d.code !== ZERO_WARNING_CODE);
  for (let i = 0; i < parsing.length; ) {
    const file = parsing[i].line > 0 ? parsing[i].file : null;
    let alertHere = false;
    for (; i < parsing.length && (parsing[i].line > 0 ? parsing[i].file : null) === file; i++) {
      const d = parsing[i];
      print(d);
      if (d.severity === 'alert') alertHere = true;
      if (stopsReading(d)) {
        if (file !== null) errorsIn(file);
        return lines;
      }
    }
    if (alertHere && file !== null) errorsIn(file);
  }
  const failed = parsing.some((d) => d.severity === 'alert' && d.code !== IN_EFFECT_CODES.notImplemented);
  if (failed) {
    fatal();
    return lines;
  }
  const post = ds
    .filter((d) => d.postParse !== undefined)
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.postParse ?? 0) - (b.d.postParse ?? 0) || a.i - b.i)
    .map((x) => x.d);
  for (const d of post) print(d);
  // srv_init_addr() failing ends HAProxy's start with its own last alert, no "Fatal errors" line
  if (post.some((d) => d.code === RESOLVE_CODE)) return lines;
  if (parsing.some((d) => d.severity === 'alert') || post.some((d) => d.severity === 'alert')) {
    fatal();
    return lines;
  }
  for (const d of ds) if (d.code === ZERO_WARNING_CODE) print(d);
  return lines;
}

/** Prints the `-c` report and returns its exit status. */
export function reportCheck(loaded: LoadedConfig, io: CheckIo): number {
  const quiet = io.quiet === true || loaded.quiet;
  const valid = loaded.engine !== null;
  const code = !valid ? 1 : loaded.hasListener ? 0 : 2;
  if (quiet) return code;
  for (const line of diagnosticLines(loaded, io.pid ?? process.pid, io.executable ?? executablePath()))
    io.stderr.write(`${line}\n`);
  if (!valid) return code;
  if (loaded.diagnostics.length > 0) io.stdout.write('Warnings were found.\n');
  io.stdout.write(code === 2 ? `${NO_LISTENER_CHECK}\n` : 'Configuration file is valid\n');
  return code;
}

export async function runCheck(paths: string[], io: CheckIo): Promise<number> {
  const opts: LoadOptions = {
    env: io.env ?? process.env,
    cwd: io.cwd,
    zeroWarning: io.zeroWarning,
    inEffect: io.inEffect,
  };
  return reportCheck(loadBalancerConfig(paths, opts), io);
}
