/**
 * `set-log-level LEVEL|silent`: the severity of this exchange's access line (http/http-log.ts reads
 * Transaction.logLevel), or no line at all with `silent`.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { LOG_LEVELS } from '@ha-lb/shared-config/haproxy';
import { LOG_SILENT } from '../../http/transaction.ts';
import { RuleError } from '../expression.ts';
import { type ActionCompiler, CONTINUE } from './action.ts';

export const compileSetLogLevel: ActionCompiler = (rule) => {
  const a = (rule as Extract<HttpRule, { action: 'other' }>).args;
  const level = a.length === 1 ? (a[0] === 'silent' ? LOG_SILENT : LOG_LEVELS.indexOf(a[0])) : -1;
  if (level === -1) throw new RuleError("expects exactly 1 argument (log level name or 'silent')");
  return (c) => {
    if (c.tx !== null) c.tx.logLevel = level;
    return CONTINUE;
  };
};
