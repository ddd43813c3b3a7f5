/**
 * `redirect location|prefix|scheme X [code N] [drop-query] [append-slash] [set-cookie N[=V]]
 * [clear-cookie N]` (and the `redirect` keyword; `http-response redirect location …` too): the response as HAProxy 2.6 writes it (recorded):
 * `content-length: 0`, `location`, `cache-control: no-cache` for the temporary codes, then the cookie.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import type { RuleContext } from '../context.ts';
import { RuleError } from '../expression.ts';
import { HeaderCursor } from '../fetches/headers.ts';
import { currentUri, pathOf, pathqOf } from '../fetches/uri.ts';
import { compileFormat } from '../log-format.ts';
import { type ActionCompiler, DONE } from './action.ts';
import { reasonOf } from './reply.ts';

type Redirect = Extract<HttpRule, { action: 'redirect' }>;

export const compileRedirect: ActionCompiler<Redirect> = (rule, env) => {
  // http-response redirect: the server's response is replaced (the request's URI no longer matters)
  if (env.place === 'res' && rule.type !== 'location')
    throw new RuleError("response only supports redirect type 'location'");
  const value = compileFormat(rule.value, env.place, env);
  const code = rule.code;
  const noCache = code === 302 || code === 303 || code === 307;
  const cookie =
    rule.setCookie !== null
      ? `${rule.setCookie}; path=/;`
      : rule.clearCookie !== null
        ? `${rule.clearCookie}; path=/; Max-Age=0;`
        : null;
  const tail = `${noCache ? 'cache-control: no-cache\r\n' : ''}${cookie !== null ? `set-cookie: ${cookie}\r\n` : ''}\r\n`;
  const start = `HTTP/1.1 ${code} ${reasonOf(code)}\r\ncontent-length: 0\r\nlocation: `;
  const cur = new HeaderCursor();
  const target = (c: RuleContext): string => {
    const uri = currentUri(c);
    let p = rule.dropQuery ? pathOf(uri) : pathqOf(uri);
    if (rule.dropQuery && rule.appendSlash && !p.endsWith('/')) p += '/';
    return p;
  };
  let location: (c: RuleContext) => string;
  if (rule.type === 'location') location = value;
  else if (rule.type === 'prefix')
    location = (c) => {
      const pfx = value(c);
      return pfx === '/' ? target(c) : pfx + target(c);
    };
  else
    location = (c) => {
      const host = cur.occ(c.req, 'host', false, 1) ?? '';
      return `${value(c)}://${host}${target(c)}`;
    };
  return (c) => {
    c.reply = Buffer.from(`${start}${location(c)}\r\n${tail}`, 'latin1');
    c.replyStatus = code;
    return DONE;
  };
};
