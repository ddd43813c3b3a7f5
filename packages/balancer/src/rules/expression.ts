/**
 * A sample expression `fetch(args),conv(args),…` compiled once into functions of the context: `one`
 * (the expression's value) and `each` (every value, for ACLs). Unknown or unimplemented names, wrong
 * argument counts and fetches used where their data does not exist are compile errors (RuleError).
 */

import type { RuleContext } from './context.ts';
import { CONVERTERS, type ConvEnv, type ConvFn } from './converters/table.ts';
import { type EachFn, FETCHES, type FetchDef, type OneFn } from './fetches/table.ts';
import type { Sample, SampleType } from './sample.ts';

/**
 * Where an expression runs: request rules, response rules, both (log-format), or `l4`: when a
 * connection is accepted (tcp-request rules: only what is known then).
 */
export type Place = 'req' | 'res' | 'any' | 'l4';

export class RuleError extends Error {}

export interface ExprModel {
  fetch: string;
  fetchArgs: readonly string[];
  converters: readonly { name: string; args: readonly string[] }[];
}

export interface CompiledExpr {
  out: SampleType;
  /** the fetch's own output type (before converters) */
  fetchOut: SampleType;
  one: OneFn;
  each: EachFn;
  /** the expression has one value at most (`each` only visits `one`'s): a matcher may call `one` directly */
  single: boolean;
}

const SUFFIX = /^(.+)_(beg|end|sub|reg|dir|dom|len|ip|found|int|str|bin)$/;

/** The table entry of `name`, or of its base when `name` is a derived ACL form (`path_beg` → `path`). */
export function fetchDef(name: string): { def: FetchDef; base: string } | null {
  const d = FETCHES.get(name);
  if (d) return { def: d, base: name };
  const m = SUFFIX.exec(name);
  if (m) {
    const b = FETCHES.get(m[1]);
    if (b) return { def: b, base: m[1] };
  }
  return null;
}

const PLACE_TEXT = { req: 'HTTP request headers', res: 'HTTP response headers' } as const;

/**
 * Why `def` has no value in request rules here (HAProxy 2.6: "sample fetch <be_name> may not be
 * reliably used here because it needs 'backend' which is not available here"), or null.
 */
export function unusableHere(def: FetchDef, place: Place, env: ConvEnv): string | null {
  if (place !== 'req' || def.needs === undefined) return null;
  if (def.needs === 'backend' && env.frontendOnly !== true) return null;
  return `it needs '${def.needs}' which is not available here`;
}

export function compileExpr(e: ExprModel, place: Place, env: ConvEnv): CompiledExpr {
  const found = fetchDef(e.fetch);
  if (found === null) throw new RuleError(`sample fetch '${e.fetch}' is not implemented yet`);
  const { def } = found;
  const unusable = unusableHere(def, place, env);
  if (unusable !== null)
    throw new RuleError(`sample fetch '${e.fetch}' may not be reliably used here because ${unusable}`);
  if (place === 'l4') {
    if (def.l4 !== true)
      throw new RuleError(
        `fetch method '${e.fetch}' needs the connection's content; waiting for it (tcp-request inspect-delay) is not implemented yet, only layer-4 fetches (src, dst, src_port, dst_port, …) are`,
      );
  } else if (place !== 'any' && def.where !== 'any' && def.where !== place) {
    throw new RuleError(
      `fetch method '${e.fetch}' extracts information from '${PLACE_TEXT[def.where]}', none of which is available here`,
    );
  }
  if (e.fetchArgs.length < def.minArgs || e.fetchArgs.length > def.maxArgs) {
    throw new RuleError(
      `fetch method '${e.fetch}' expects ${def.minArgs === def.maxArgs ? def.minArgs : `${def.minArgs} to ${def.maxArgs}`} argument(s), got ${e.fetchArgs.length}`,
    );
  }
  let one: OneFn;
  let each: EachFn | null;
  try {
    one = def.one(e.fetchArgs, env);
    each = def.each ? def.each(e.fetchArgs, env) : null;
  } catch (err) {
    throw new RuleError(`fetch method '${e.fetch}': ${(err as Error).message}`);
  }
  let out = def.out;
  const convs: ConvFn[] = [];
  for (const c of e.converters) {
    const cd = CONVERTERS.get(c.name);
    if (cd === undefined) throw new RuleError(`converter '${c.name}' is not implemented yet`);
    if (c.args.length < cd.minArgs || c.args.length > cd.maxArgs) {
      throw new RuleError(
        `converter '${c.name}' expects ${cd.minArgs} to ${cd.maxArgs} argument(s), got ${c.args.length}`,
      );
    }
    try {
      convs.push(cd.compile(c.args, env));
    } catch (err) {
      throw new RuleError(`converter '${c.name}': ${(err as Error).message}`);
    }
    out = cd.out;
  }
  if (convs.length > 0) {
    const chain = chainOf(convs);
    const f = one;
    one = (c) => chain(f(c), c);
    if (each !== null) {
      const g = each;
      // the visitor of the converted values is handed per call; keep one adapter per expression
      let target: ((v: Sample) => boolean) | null = null;
      let ctx: RuleContext | null = null;
      const adapt = (v: Sample) => {
        const x = chain(v, ctx!);
        return x !== null && target!(x);
      };
      each = (c, visit) => {
        target = visit;
        ctx = c;
        return g(c, adapt);
      };
    }
  }
  const o = one;
  return {
    out,
    fetchOut: def.out,
    one,
    single: each === null,
    each:
      each ??
      ((c, visit) => {
        const v = o(c);
        return v !== null && visit(v);
      }),
  };
}

function chainOf(convs: ConvFn[]): ConvFn {
  if (convs.length === 1) {
    const a = convs[0];
    return (v, c) => (v === null ? null : a(v, c));
  }
  return (v, c) => {
    let x = v;
    for (let i = 0; i < convs.length && x !== null; i++) x = convs[i](x, c);
    return x;
  };
}
