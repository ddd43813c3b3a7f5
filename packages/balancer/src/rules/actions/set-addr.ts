/**
 * `set-src EXPR`, `set-src-port EXPR`, `set-dst EXPR`, `set-dst-port EXPR` (http-request): the
 * connection's addresses as the rest of the session sees them from then on — the src/dst fetches,
 * %ci/%fi in logs, `option forwardfor`, `balance source` — for this request (recorded from HAProxy
 * 2.6: the next request on the connection starts from the connection's own addresses again; HttpRules
 * restores them). set-src keeps the source port and set-dst the destination
 * port. A sample that is not an address (for the ports: not an integer) changes nothing.
 */
import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import { ipText, parseIp } from '../converters/ip.ts';
import { compileExpr, RuleError } from '../expression.ts';
import { toInt } from '../sample.ts';
import { type ActionCompiler, CONTINUE } from './action.ts';

/** The one sample expression of an `ACTION EXPR` rule, with HAProxy's messages for a missing or extra word. */
export function soleExpression(rule: Extract<HttpRule, { action: 'other' }>) {
  if (rule.args.length === 0) throw new RuleError('missing fetch method');
  if (rule.args.length > 1)
    throw new RuleError(
      `expects either 'if' or 'unless' followed by a condition but found '${rule.args[1]}'`,
    );
  const p = parseSampleExpression(rule.args[0]);
  if (!p.ok) throw new RuleError(p.error);
  return p.value;
}

/** HAProxy's cast of a sample to an address: an integer is an IPv4 address, a string is parsed. */
function addressOf(v: string | number | boolean): string | null {
  if (typeof v === 'number') return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  if (typeof v !== 'string') return null;
  const b = parseIp(v);
  return b === null ? null : ipText(b);
}

export function compileSetAddr(
  which: 'set-src' | 'set-src-port' | 'set-dst' | 'set-dst-port',
): ActionCompiler {
  return (rule, env) => {
    const e = soleExpression(rule as Extract<HttpRule, { action: 'other' }>);
    const one = compileExpr(e, env.place, env).one;
    if (which === 'set-src' || which === 'set-dst') {
      const src = which === 'set-src';
      return (c) => {
        const v = one(c);
        const a = v === null ? null : addressOf(v);
        if (a !== null) {
          if (src) c.src = a;
          else c.dst = a;
          c.addrSet = true;
        }
        return CONTINUE;
      };
    }
    const src = which === 'set-src-port';
    return (c) => {
      const n = toInt(one(c));
      if (n !== null) {
        if (src) c.srcPort = n & 0xffff;
        else c.dstPort = n & 0xffff;
        c.addrSet = true;
      }
      return CONTINUE;
    };
  };
}
