/** `set-var(SCOPE.NAME) EXPR` and `unset-var(SCOPE.NAME)`. */

import type { HttpRule } from '@ha-lb/shared-config/haproxy';
import { parseSampleExpression } from '@ha-lb/shared-config/haproxy';
import { compileExpr, RuleError } from '../expression.ts';
import { type ActionCompiler, CONTINUE } from './action.ts';

export const compileSetVar: ActionCompiler<Extract<HttpRule, { action: 'set-var' }>> = (rule, env) => {
  const p = parseSampleExpression(rule.expression);
  if (!p.ok) throw new RuleError(p.error);
  const one = compileExpr(p.value, env.place, env).one;
  const scope = rule.scope;
  const key = `${rule.scope}.${rule.variable}`;
  return (c) => {
    const v = one(c);
    if (v !== null) c.vars(scope).set(key, v);
    return CONTINUE;
  };
};

export function compileUnsetVar(name: string): ActionCompiler {
  const m = /^unset-var\(((proc|sess|txn|req|res)\.[A-Za-z0-9_.]+)\)$/.exec(name);
  if (!m) throw new RuleError(`'${name}': expects unset-var(scope.name)`);
  const key = m[1];
  const scope = m[2];
  return () => (c) => {
    c.vars(scope).delete(key);
    return CONTINUE;
  };
}
