/**
 * `http-request tarpit [deny_status N] [payload]`: hold the request for `timeout tarpit` (the proxy's
 * `timeout connect` when unset), then answer as `deny` would, with 500 by default (HAProxy's fake
 * server error). The session does the waiting (http-session.ts); the log says `PT`.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { type ActionCompiler, DONE } from './action.ts';
import { compileDeny } from './deny.ts';

export const compileTarpit: ActionCompiler<Extract<HttpRule, { action: 'deny' | 'tarpit' }>> = (
  rule,
  env,
) => {
  const deny = compileDeny({ ...rule, status: rule.status ?? 500 }, env);
  const ms = env.tarpitMs;
  return (c) => {
    deny(c);
    c.tarpit = true;
    c.tarpitMs = ms;
    // the connection stays open after the answer (recorded: a keep-alive client's next request is served)
    c.replyClose = false;
    return DONE;
  };
};
