/**
 * `deny [status N] [content-type T string|lf-string|file|lf-file X] [hdr N V]…`: answer with the
 * status (403 for http-request, 502 for http-response) and end the transaction. Without a payload the
 * answer is the proxy's error page for that status.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { ERROR_CODES, errorResponse } from '../../http/error-pages.ts';
import { RuleError } from '../expression.ts';
import { type ActionCompiler, DONE } from './action.ts';
import { replySpec } from './payload.ts';
import { buildReply } from './reply.ts';

export const compileDeny: ActionCompiler<Extract<HttpRule, { action: 'deny' | 'tarpit' }>> = (rule, env) => {
  const status = rule.status ?? (env.list === 'http-request' ? 403 : 502);
  if (rule.body === null && rule.headers.length === 0 && rule.contentType === null) {
    if (!ERROR_CODES.includes(status))
      throw new RuleError(
        `status code '${status}' not handled by default with 'default-errorfiles' argument.`,
      );
    return (c) => {
      c.reply = errorResponse(status, false, env.errorfiles);
      c.replyStatus = status;
      c.replyCause = 'P';
      c.replyClose = true;
      c.denied = true;
      return DONE;
    };
  }
  const spec = replySpec(status, rule.contentType, rule.body, rule.headers, env);
  return (c) => {
    c.reply = buildReply(spec, c);
    c.replyStatus = status;
    c.replyCause = 'P';
    c.replyClose = true;
    c.denied = true;
    return DONE;
  };
};
