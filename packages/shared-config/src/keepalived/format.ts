import type { Diagnostic } from '../common/diagnostic.ts';

/**
 * keepalived's shape: `(FILE: Line N) message`; `(FILE) message` for findings about the whole file.
 * Warnings start with `WARNING - ` (keepalived's own prefix for them) unless the message already does:
 * keepalived mixes both in one stream, and the exit status alone does not tell which line failed.
 */
export function formatKeepalivedDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `(${d.file}: Line ${d.line})` : `(${d.file})`;
  const text =
    d.severity === 'warning' && !d.message.startsWith('WARNING - ') ? `WARNING - ${d.message}` : d.message;
  return `${where} ${text}`;
}
