import type { Writable } from 'node:stream';
import {
  formatKeepalivedDiagnostic,
  type KeepalivedLoadOptions,
  loadKeepalivedConfig,
} from '@ha-lb/shared-config/keepalived';

export interface ConfigTestOptions {
  /** keepalived's `-i`/`--config-id` (selects `@id` conditional lines) */
  readonly configId?: string;
  /** receives `Configuration file FILE is valid` */
  readonly stdout: Pick<Writable, 'write'>;
  /** receives the diagnostics, one per line, in keepalived's `(FILE: Line N) message` shape */
  readonly stderr: Pick<Writable, 'write'>;
  /** override the /sys/class/net interface lookup (tests) */
  readonly interfaceExists?: KeepalivedLoadOptions['interfaceExists'];
}

/**
 * `ha-agent -t -f FILE` (`--config-test`): checks keepalived.conf like `keepalived -t`. Prints every
 * diagnostic to stderr; exit status 0 when there is no error (warnings allowed — a missing interface is
 * one, unlike keepalived 2.2 which exits 5, so configurations can be checked off the target host), 1 otherwise.
 */
export async function runConfigTest(path: string, opts: ConfigTestOptions): Promise<number> {
  const result = loadKeepalivedConfig(path, {
    configId: opts.configId,
    interfaceExists: opts.interfaceExists,
  });
  for (const d of result.diagnostics) opts.stderr.write(`${formatKeepalivedDiagnostic(d)}\n`);
  const errors = result.diagnostics.filter((d) => d.severity === 'alert').length;
  const warnings = result.diagnostics.length - errors;
  if (errors > 0 || result.config === null) {
    opts.stderr.write(`Configuration file ${path} is invalid: ${errors} error(s), ${warnings} warning(s)\n`);
    return 1;
  }
  const tail = warnings > 0 ? ` (${warnings} warning(s))` : '';
  opts.stdout.write(`Configuration file ${path} is valid${tail}\n`);
  return 0;
}
