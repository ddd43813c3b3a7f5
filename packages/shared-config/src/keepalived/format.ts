import type { Diagnostic } from '../common/diagnostic.ts';

/**
 * keepalived's shape: `(FILE: Line N) message`; `(FILE) message` for findings about the whole file.
 * Warnings say so (`WARNING - …`) unless the message already does, since keepalived itself mixes both
 * in one stream and the exit status alone does not tell which line failed the check.
 */
export function formatKeepalivedDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `(${d.file}: Line ${d.line})` : `(${d.file})`;
  const text =
    d.severity === 'warning' && !/^(\(\S+\) )?WARNING\b/i.test(d.message)
      ? `WARNING - ${d.message}`
      : d.message;
  return `${where} ${text}`;
}
