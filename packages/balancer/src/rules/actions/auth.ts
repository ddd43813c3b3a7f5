/**
 * `http-request auth [realm REALM]`: answer 401 with `WWW-Authenticate: Basic realm="REALM"` (the
 * proxy's name when no realm is given), the 401 page (or the proxy's `errorfile 401`) as the body. The
 * client connection stays open unless the client asked otherwise, as HAProxy 2.6 does (recorded in
 * test/auth-expected.json).
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { errorResponse } from '../../http/error-pages.ts';
import { type ActionCompiler, DONE } from './action.ts';

/** A 401 page with the challenge for `realm` as its last header line. */
export function challenge(realm: string, errorfiles?: Map<number, Buffer>): Buffer {
  const page = errorResponse(401, false, errorfiles);
  const end = page.indexOf('\r\n\r\n');
  if (end < 0) return page;
  return Buffer.concat([
    page.subarray(0, end + 2),
    Buffer.from(`www-authenticate: Basic realm="${realm}"\r\n`, 'latin1'),
    page.subarray(end + 2),
  ]);
}

export const compileAuth: ActionCompiler<Extract<HttpRule, { action: 'auth' }>> = (rule, env) => {
  const reply = challenge(rule.realm ?? env.proxy ?? '', env.errorfiles);
  return (c) => {
    c.reply = reply;
    c.replyStatus = 401;
    return DONE;
  };
};
