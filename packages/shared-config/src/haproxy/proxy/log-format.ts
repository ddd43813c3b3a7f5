/**
 * The proxy's log format: `option httplog [clf]`, `option httpslog`, `option tcplog` and `log-format`
 * all set the one format a proxy logs with (HAProxy's `logformat_string`); the last one written wins.
 * In a defaults section HAProxy warns when one replaces another (cfgparse-listen.c).
 */
import type { LineContext, ProxyDraft } from '../context.ts';
import { CODES } from '../context.ts';
import { type ProxyKeyword, simple, usage } from './scope.ts';

export type LogFormatSource =
  | 'option httplog'
  | 'option httplog clf'
  | 'option httpslog'
  | 'option tcplog'
  | 'log-format';

/** What set the draft's current log format, named as HAProxy names it; null when none was set. */
export function logFormatSource(d: ProxyDraft): LogFormatSource | null {
  const o = d.options;
  if (o.httplog) return o.httplogClf ? 'option httplog clf' : 'option httplog';
  if (o.httpslog) return 'option httpslog';
  if (o.tcplog) return 'option tcplog';
  if (d.logFormat != null) return 'log-format';
  return null;
}

/**
 * Sets the draft's log format to `next`, after HAProxy's warning when a defaults section already had
 * one. HAProxy 2.6 names `option httpslog` 'option httplog' in that warning (a copy of the httplog
 * branch): the message keeps its words, so that output compares equal to HAProxy's.
 */
export function setLogFormat(
  ctx: LineContext,
  d: ProxyDraft,
  kind: string,
  next: LogFormatSource,
  text?: string,
) {
  const previous = logFormatSource(d);
  if (previous !== null && kind === 'defaults') {
    const named = next === 'option httpslog' ? 'option httplog' : next;
    ctx.warn(`'${named}' overrides previous '${previous}' in 'defaults' section.`, CODES.ignored);
  }
  const o = d.options;
  o.httplog = next === 'option httplog' || next === 'option httplog clf';
  o.httplogClf = next === 'option httplog clf';
  o.httpslog = next === 'option httpslog';
  o.tcplog = next === 'option tcplog';
  d.logFormat = next === 'log-format' ? (text ?? '') : null;
  d.logFormatAt = { file: ctx.file, line: ctx.line };
}

export const logFormatKeyword: ProxyKeyword = simple('df', (ctx, px) => {
  if (ctx.args.length === 0) return usage(ctx, 'a log-format string');
  setLogFormat(ctx, px.draft, px.kind, 'log-format', ctx.args.join(' '));
});
