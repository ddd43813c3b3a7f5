/**
 * ACLs (configuration.txt §7.1): `FETCH[,conv…] [-i] [-m METHOD] [-f FILE] [-n] [-u ID] [--] VALUES…`
 * compiled into one predicate of the context. The match method is `-m`, else the fetch's suffix
 * (`path_beg`, `hdr_len`…, recorded by the parser), else the type of the sample (strings match
 * exactly, integers by ranges, addresses by networks, booleans by their value). An ACL is true when
 * any value of the sample matches any pattern; a missing sample never matches.
 */
import type { AclCriterion } from '@ha-lb/shared-config/haproxy';
import type { RuleContext } from './context.ts';
import type { ConvEnv } from './converters/table.ts';
import { compileExpr, fetchDef, type Place, RuleError, unusableHere } from './expression.ts';
import { compileMatcher, type MatchMethod, PatternError, patternLines } from './patterns.ts';
import type { Sample, SampleType } from './sample.ts';

export type Predicate = (c: RuleContext) => boolean;

export interface AclEnv extends ConvEnv {
  /** reads a `-f` pattern file (resolved as HAProxy does) */
  loadPatterns(file: string): string;
}

function defaultMethod(t: SampleType): MatchMethod {
  switch (t) {
    case 'int':
      return 'int';
    case 'ip':
      return 'ip';
    case 'bool':
      return 'bool';
    case 'bin':
      return 'bin';
    default:
      return 'str';
  }
}

export function compileCriterion(crit: AclCriterion, place: Place, env: AclEnv): Predicate {
  // HAProxy 2.6 accepts an ACL whose fetch has no value where it is used (a backend fetch in a
  // frontend's request rules), warns "will never match", and it never does
  const found = fetchDef(crit.fetch);
  if (found !== null && unusableHere(found.def, place, env) !== null) return () => false;
  const expr = compileExpr(crit, place, env);
  // a sample of no fixed type (var()) has no default matching method: HAProxy asks for one
  if (crit.match === null && expr.out === 'any')
    throw new RuleError(
      `matching method must be specified first (using '-m') when using a sample fetch of this type ('${crit.fetch}')`,
    );
  const method = (crit.match ?? defaultMethod(expr.out)) as MatchMethod;
  const patterns = [...crit.values];
  for (const f of crit.patternFiles) patterns.push(...patternLines(env.loadPatterns(f)));
  try {
    fetchDef(crit.fetch)?.def.patterns?.(crit.fetchArgs, env, patterns);
  } catch (e) {
    throw new RuleError(`${crit.fetch}(${crit.fetchArgs.join(',')}): ${(e as Error).message}`);
  }
  if (method === 'found') {
    const one = expr.one;
    return (c) => one(c) !== null;
  }
  if (patterns.length === 0 && method !== 'bool') return () => false;
  let match: (v: Sample) => number;
  try {
    match = compileMatcher(method, patterns, crit.ignoreCase);
  } catch (e) {
    if (e instanceof PatternError) throw new RuleError(e.message);
    throw e;
  }
  if (expr.single) {
    // one value at most: no visitor to go through (the common case: path, method, src, …)
    const one = expr.one;
    return (c) => {
      const v = one(c);
      return v !== null && match(v) >= 0;
    };
  }
  const each = expr.each;
  const visit = (v: Sample) => match(v) >= 0;
  return (c) => each(c, visit);
}
