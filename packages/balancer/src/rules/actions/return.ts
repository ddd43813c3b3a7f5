/** `return [status N] [content-type T] [string|lf-string|file|lf-file X] [hdr N V]…`: answer from the balancer. */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { type ActionCompiler, DONE } from './action.ts';
import { replySpec } from './payload.ts';
import { buildReply } from './reply.ts';

export const compileReturn: ActionCompiler<Extract<HttpRule, { action: 'return' }>> = (rule, env) => {
  const spec = replySpec(rule.status, rule.contentType, rule.body, rule.headers, env);
  return (c) => {
    c.reply = buildReply(spec, c);
    c.replyStatus = rule.status;
    return DONE;
  };
};
