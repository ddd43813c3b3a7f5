/**
 * One finding about a configuration file. Shared by both configuration languages (haproxy.cfg and
 * keepalived.conf); each language has its own formatter that prints it in its upstream's shape.
 */
export type Severity = 'alert' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** The file as given by the user (not resolved), so messages match what the operator typed. */
  readonly file: string;
  /** 1-based line number; 0 when the finding is about the file as a whole. */
  readonly line: number;
  readonly message: string;
  /** Stable code (`CFG_ERR_…` for alerts, `CFG_WARN_…` for warnings) that tests and tools can match on. */
  readonly code: string;
}

export function alert(file: string, line: number, code: string, message: string): Diagnostic {
  return { severity: 'alert', file, line, message, code };
}

export function warning(file: string, line: number, code: string, message: string): Diagnostic {
  return { severity: 'warning', file, line, message, code };
}

/** True when one of `diagnostics[from…]` is an alert. */
export function hasAlert(diagnostics: readonly Diagnostic[], from = 0): boolean {
  for (let i = from; i < diagnostics.length; i++) if (diagnostics[i].severity === 'alert') return true;
  return false;
}
