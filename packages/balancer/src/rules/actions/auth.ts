/**
 * `http-request auth [realm REALM]`: answer 401 with `WWW-Authenticate: Basic realm="REALM"` (the
 * proxy's name when no realm is given), the 401 page (or the proxy's `errorfile 401`) as the body. The
 * client connection stays open unless the client asked otherwise, as HAProxy 2.6 does (recorded in
 * test/auth-expected.json).
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { authChallenge } from '../../http/error-pages.ts';
import { type ActionCompiler, DONE } from './action.ts';

export const compileAuth: ActionCompiler<Extract<HttpRule, { action: 'auth' }>> = (rule, env) => {
  const reply = authChallenge(rule.realm ?? env.proxy ?? '', env.errorfiles);
  return (c) => {
    c.reply = reply;
    c.replyStatus = 401;
    return DONE;
  };
};
