/**
 * Conditions (configuration.txt §7.2): `if|unless` over OR-ed groups of AND-ed ACL terms, each
 * possibly negated, named (every `acl` line of that name, OR-ed, or a predefined ACL) or anonymous
 * (`{ … }`). Compiled once into a predicate; evaluation stops at the first false term of a group
 * and the first true group.
 */
import { type Acl, type AclCriterion, type Condition, parseCriterion } from '@ha-lb/shared-config/haproxy';
import { type AclEnv, compileCriterion, type Predicate } from './acl.ts';
import type { RuleContext } from './context.ts';
import type { Place } from './expression.ts';
import { RuleError } from './expression.ts';

/** §7.4: the predefined ACLs we evaluate (the others are refused when used). */
const PREDEFINED: Record<string, string[]> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  HTTP: ['req.proto_http'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  'HTTP_2.0': ['req.ver', '2.0'],
  HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  REQ_CONTENT: ['req.len', 'gt', '0'],
  WAIT_END: ['wait_end'],
};

/** Compiles the named ACLs of a proxy lazily (a name is compiled once per place, when first used). */
export class AclSet {
  private readonly byName = new Map<string, Acl[]>();
  private readonly compiled = new Map<string, Predicate>();
  private readonly env: AclEnv;

  constructor(acls: readonly Acl[], env: AclEnv) {
    for (const a of acls) {
      const list = this.byName.get(a.name);
      if (list) list.push(a);
      else this.byName.set(a.name, [a]);
    }
    this.env = env;
  }

  /** The `acl` lines of names no condition used (HAProxy checks them all the same). */
  unused(): Acl[] {
    const out: Acl[] = [];
    for (const [name, list] of this.byName) if (!this.used.has(name)) out.push(...list);
    return out;
  }

  private readonly used = new Set<string>();

  get(name: string, place: Place): Predicate {
    this.used.add(name);
    const key = `${place}:${name}`;
    const done = this.compiled.get(key);
    if (done) return done;
    const list = this.byName.get(name);
    let p: Predicate;
    if (list === undefined) {
      const def = PREDEFINED[name];
      if (def === undefined) throw new RuleError(`predefined ACL '${name}' is not implemented yet`);
      const crit = parseCriterion(def);
      if (!crit.ok) throw new RuleError(crit.error);
      p = compileCriterion(crit.value, place === 'res' ? 'any' : place, this.env);
    } else {
      const preds = list.map((a) => {
        try {
          return compileCriterion(a as AclCriterion, place, this.env);
        } catch (e) {
          if (e instanceof RuleError)
            throw new RuleError(`ACL '${name}' (${a.file}:${a.line}): ${e.message}`);
          throw e;
        }
      });
      p =
        preds.length === 1
          ? preds[0]
          : (c) => {
              for (let i = 0; i < preds.length; i++) if (preds[i](c)) return true;
              return false;
            };
    }
    this.compiled.set(key, p);
    return p;
  }
}

/** HAProxy's three-valued ACL results (acl.h): FAIL, MISS (data may still come), PASS. */
export const FAIL = 0;
export const MISS = 1;
export const PASS = 3;
export type TriPredicate = (c: RuleContext) => number;

/**
 * A condition evaluated as HAProxy's acl_exec_cond does while content may still arrive: a term
 * that did not match but whose fetch said its bytes are incomplete (c.mayChange) is MISS unless
 * `c.final`; `!MISS` is MISS, a group is the least of its terms, the condition the most of its
 * groups (`unless` swaps PASS and FAIL). The caller waits for more data on MISS.
 */
export function compileTriCondition(
  cond: Condition | null,
  acls: AclSet,
  place: Place,
  env: AclEnv,
): TriPredicate | null {
  if (cond === null) return null;
  const groups: TriPredicate[][] = cond.anyOf.map((g) =>
    g.map((t) => {
      const p = t.kind === 'named' ? acls.get(t.name, place) : compileCriterion(t.criterion, place, env);
      const term: TriPredicate = (c) => {
        c.mayChange = false;
        if (p(c)) return PASS;
        return c.mayChange && !c.final ? MISS : FAIL;
      };
      if (!t.negate) return term;
      return (c) => {
        const r = term(c);
        return r === MISS ? MISS : PASS - r;
      };
    }),
  );
  const unless = cond.polarity === 'unless';
  return (c) => {
    let res = FAIL;
    for (let i = 0; i < groups.length && res !== PASS; i++) {
      const g = groups[i];
      let suite = PASS;
      for (let j = 0; j < g.length && suite !== FAIL; j++) suite &= g[j](c);
      res |= suite;
    }
    if (unless && res !== MISS) return res === PASS ? FAIL : PASS;
    return res;
  };
}

export function compileCondition(
  cond: Condition | null,
  acls: AclSet,
  place: Place,
  env: AclEnv,
): Predicate | null {
  if (cond === null) return null;
  const groups: Predicate[][] = cond.anyOf.map((g) =>
    g.map((t) => {
      const p = t.kind === 'named' ? acls.get(t.name, place) : compileCriterion(t.criterion, place, env);
      return t.negate ? (c) => !p(c) : p;
    }),
  );
  const and = (g: Predicate[]): Predicate => {
    if (g.length === 1) return g[0];
    return (c) => {
      for (let i = 0; i < g.length; i++) if (!g[i](c)) return false;
      return true;
    };
  };
  const ands = groups.map(and);
  const or: Predicate =
    ands.length === 1
      ? ands[0]
      : (c) => {
          for (let i = 0; i < ands.length; i++) if (ands[i](c)) return true;
          return false;
        };
  if (cond.polarity === 'unless') return (c) => !or(c);
  return or;
}
