/**
 * `http-request capture EXPR len N | id N` and `http-response|http-after-response capture EXPR id N`: the sample's text,
 * cut to the slot's length, into a capture slot of the frontend (what `capture.req.hdr(N)` /
 * `capture.res.hdr(N)` and the log's `{…}` show). `len N` makes a new request slot (frontends only);
 * `id N` writes slot N of the frontend the request came through (declared by `declare capture`,
 * `capture request|response header` or a `capture … len` rule), and does nothing when it has none.
 * A sample that is not found leaves the slot as it was.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import { compileExpr, RuleError } from '../expression.ts';
import { toStr } from '../sample.ts';
import { type ActionCompiler, CONTINUE } from './action.ts';

/** `EXPR len N` / `EXPR id N`, checked with HAProxy's messages. */
export function captureArgs(rule: Extract<HttpRule, { action: 'other' }>, list: string) {
  const a = rule.args;
  const usage =
    list === 'http-request' ? "<expression> [ 'len' <length> | id <idx> ]" : '<expression> id <idx>';
  if (a.length < 3) throw new RuleError(`expects ${usage}`);
  if (a.length > 3)
    throw new RuleError(`expects either 'if' or 'unless' followed by a condition but found '${a[3]}'`);
  const kind = a[1];
  if (list === 'http-request' && kind !== 'len' && kind !== 'id')
    throw new RuleError(`expects 'len' or 'id', found '${kind}'`);
  if (list !== 'http-request' && kind !== 'id') throw new RuleError(`expects 'id', found '${kind}'`);
  const n = /^[0-9]+$/.test(a[2]) ? Number(a[2]) : Number.NaN;
  if (kind === 'len' && !(n > 0)) throw new RuleError('length must be > 0');
  if (kind === 'id' && Number.isNaN(n)) throw new RuleError(`cannot parse id '${a[2]}'`);
  return { expr: a[0], kind: kind as 'len' | 'id', n };
}

export const compileCapture: ActionCompiler = (rule, env) => {
  const r = rule as Extract<HttpRule, { action: 'other' }>;
  const { expr, kind, n } = captureArgs(r, env.list);
  const res = env.list !== 'http-request';
  let slot = n;
  if (kind === 'len') {
    const s = env.captures?.slotOf.get(rule);
    if (s === undefined) throw new RuleError(`proxy '${env.proxyName}' has no frontend capability`);
    slot = s;
  } else if (env.captures !== null && slot >= (res ? env.captures.resLen : env.captures.reqLen).length) {
    throw new RuleError(
      `unable to find capture id '${slot}' referenced by ${env.list} capture rule (declare it first: 'declare capture ${res ? 'response' : 'request'} len <length>')`,
    );
  }
  const p = parseSampleExpression(expr);
  if (!p.ok) throw new RuleError(p.error);
  const one = compileExpr(p.value, env.place, env).one;
  return (c) => {
    const len = (res ? c.resCapLen : c.reqCapLen)[slot];
    if (len === undefined) return CONTINUE;
    const s = toStr(one(c));
    if (s !== null) (res ? c.resCaptures : c.reqCaptures)[slot] = s.length > len ? s.slice(0, len) : s;
    return CONTINUE;
  };
};
