/**
 * HAProxy's diagnostic shape, so operators (and their log scrapers) see what they know:
 * `[ALERT]    (PID) : config : parsing [FILE:LINE] : message`.
 */
import type { Diagnostic } from '../common/diagnostic.ts';

const TAGS: Record<string, string> = {
  alert: '[ALERT]    ',
  warning: '[WARNING]  ',
  notice: '[NOTICE]   ',
};

export function formatHaproxyLine(
  severity: 'alert' | 'warning' | 'notice',
  message: string,
  pid: number | string = process.pid,
): string {
  return `${TAGS[severity]}(${pid}) : ${message}`;
}

export function formatHaproxyDiagnostic(d: Diagnostic, pid: number | string = process.pid): string {
  const where = d.line > 0 ? `parsing [${d.file}:${d.line}] : ` : '';
  return formatHaproxyLine(d.severity, `config : ${where}${d.message}`, pid);
}
