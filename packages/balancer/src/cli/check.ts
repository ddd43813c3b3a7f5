/**
 * `balancer -c -f FILE…`: checks haproxy.cfg files and prints every diagnostic in HAProxy's shape.
 * Like `haproxy -c`: diagnostics go to stderr, "Configuration file is valid" to stdout; exit status 0
 * when there is no alert (warnings allowed), 1 otherwise.
 */
import {
  type Diagnostic,
  formatHaproxyDiagnostic,
  formatHaproxyLine,
  loadHaproxyConfig,
} from '@ha-lb/shared-config/haproxy';

export interface CheckIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  /** Shown in each line like HAProxy's PID; tests pass a placeholder. Default: process.pid. */
  pid?: number | string;
  /** Base directory for relative file names in the configuration (default: process.cwd()). */
  cwd?: string;
}

/** The lines `runCheck` prints to stderr for these diagnostics (exported for tests and the engine's start-up). */
export function checkReport(
  diagnostics: readonly Diagnostic[],
  pid: number | string,
): { stderr: string[]; valid: boolean } {
  const lines = diagnostics.map((d) => formatHaproxyDiagnostic(d, pid));
  const alerts = diagnostics.filter((d) => d.severity === 'alert');
  if (alerts.length > 0) {
    const files = [...new Set(alerts.filter((d) => d.line > 0).map((d) => d.file))];
    for (const f of files)
      lines.push(formatHaproxyLine('alert', `config : Error(s) found in configuration file : ${f}`, pid));
    lines.push(formatHaproxyLine('alert', 'config : Fatal errors found in configuration.', pid));
    return { stderr: lines, valid: false };
  }
  if (diagnostics.length > 0) lines.push('Warnings were found.');
  return { stderr: lines, valid: true };
}

export async function runCheck(paths: string[], io: CheckIo): Promise<number> {
  const pid = io.pid ?? process.pid;
  const result = loadHaproxyConfig(paths, { env: io.env ?? process.env, cwd: io.cwd });
  const report = checkReport(result.diagnostics, pid);
  for (const line of report.stderr) io.stderr.write(`${line}\n`);
  if (!report.valid || result.config === null) return 1;
  io.stdout.write('Configuration file is valid\n');
  return 0;
}
