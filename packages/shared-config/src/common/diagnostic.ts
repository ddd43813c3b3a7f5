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
  /**
   * haproxy.cfg only: how `haproxy -c` prints the location (default `parsing`, see haproxy/format.ts):
   * `parsing [F:L] : `, `parsing [F:L]: `, `Parsing [F:L]: `, `[F:L] : ` or nothing.
   */
  readonly at?: HaproxyAt;
  /**
   * haproxy.cfg only: found by a whole-configuration check run after every file was read (HAProxy's
   * check_config_validity), in HAProxy's order (this number). Such findings get no "Error(s) found in
   * configuration file" line, and are only looked for when parsing found no alert.
   */
  readonly postParse?: number;
  /** haproxy.cfg only: HAProxy stops reading at this alert (ERR_ABORT): nothing after it is looked at. */
  readonly abort?: boolean;
}

export type HaproxyAt = 'parsing' | 'parsing:' | 'Parsing:' | 'bracket' | 'none';

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
