/** `set-status N [reason TEXT]` (http-response, http-after-response): the status line the client gets. */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { type ActionCompiler, CONTINUE } from './action.ts';
import { reasonOf } from './reply.ts';

export const compileSetStatus: ActionCompiler<Extract<HttpRule, { action: 'set-status' }>> = (rule) => {
  const line = `HTTP/1.1 ${rule.status} ${rule.reason ?? reasonOf(rule.status)}\r\n`;
  return (c) => {
    c.status = rule.status;
    c.res.ed?.setStartLine(line);
    return CONTINUE;
  };
};
