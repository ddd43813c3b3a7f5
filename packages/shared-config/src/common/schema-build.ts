/**
 * What a zod schema's `parse` returns for input that is already valid — defaults filled in, every object
 * rebuilt with its keys in the schema's order, unknown keys dropped — deep-frozen, without validating.
 * For data our own parser made (trusted: the schema is its contract, and a test runs the real schema over
 * the same input and compares, test/haproxy/model-builder.test.ts); never for data from outside.
 *
 * Why: on a generated configuration of 122 000 proxies, zod's validation, its per-value bookkeeping and
 * the garbage it leaves cost about half of the load, and freezing the result afterwards another tenth.
 * Here each object schema is compiled once into one function that builds the object as a single literal.
 */
import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.ts';

type Build = (value: unknown) => unknown;
/** The parts of zod's internal definition read here (zod 4's `schema._zod.def`). */
type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
  readonly defaultValue?: unknown;
};

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Empty lists and records are one shared frozen value: equal in every way but identity to the fresh
 * ones zod makes, and a configuration of 100 000 proxies has millions of them.
 */
const EMPTY_ARRAY = Object.freeze([]);
const EMPTY_RECORD = Object.freeze({});

/** Types whose parsed value is the input itself. */
const PASS_THROUGH = new Set(['string', 'number', 'int', 'boolean', 'literal', 'enum', 'null', 'bigint']);

/**
 * Compiles `schema` into a builder. Throws at compile time for a schema construct it does not know (a
 * transform, a union of objects without a discriminator…), so a schema change cannot silently diverge.
 */
export function compileSchemaBuilder<S extends z.ZodType>(schema: S): (input: z.input<S>) => z.output<S> {
  const cache = new Map<z.ZodType, Build | null>();
  return (builderOf(schema, cache) ?? ((v: unknown) => v)) as (input: z.input<S>) => z.output<S>;
}

/** null = the value passes through unchanged (a primitive). */
function builderOf(schema: z.ZodType, cache: Map<z.ZodType, Build | null>): Build | null {
  if (cache.has(schema)) return cache.get(schema) as Build | null;
  const b = compile(schema, cache);
  cache.set(schema, b);
  return b;
}

function compile(schema: z.ZodType, cache: Map<z.ZodType, Build | null>): Build | null {
  const def = defOf(schema);
  if (PASS_THROUGH.has(def.type)) return null;
  switch (def.type) {
    case 'nullable': {
      const inner = builderOf(def.innerType as z.ZodType, cache);
      return inner === null ? null : (v) => (v === null ? null : inner(v));
    }
    case 'default': {
      const inner = builderOf(def.innerType as z.ZodType, cache);
      const fallback = defaultOf(def);
      if (inner === null) return (v) => (v === undefined ? fallback() : v);
      return (v) => (v === undefined ? fallback() : inner(v));
    }
    case 'array': {
      const el = builderOf(def.element as z.ZodType, cache);
      if (el === null)
        return (v) => ((v as unknown[]).length === 0 ? EMPTY_ARRAY : Object.freeze((v as unknown[]).slice()));
      return (v) => {
        const a = v as unknown[];
        if (a.length === 0) return EMPTY_ARRAY;
        const out = new Array(a.length);
        for (let i = 0; i < a.length; i++) out[i] = el(a[i]);
        return Object.freeze(out);
      };
    }
    case 'record': {
      const val = builderOf(def.valueType as z.ZodType, cache);
      return (v) => {
        const r = v as Record<string, unknown>;
        const keys = Object.keys(r);
        if (keys.length === 0) return EMPTY_RECORD;
        const out: Record<string, unknown> = {};
        for (const k of keys) out[k] = val === null ? r[k] : val(r[k]);
        return Object.freeze(out);
      };
    }
    case 'union':
      return def.discriminator === undefined ? primitiveUnion(def) : discriminated(def, cache);
    case 'object':
      return objectBuilder(def, cache);
    default:
      throw new Error(`schema-build: zod type '${def.type}' is not supported`);
  }
}

/** zod's default: a function is called per use, a value is copied per use (shallowly, as zod does). */
function defaultOf(def: Def): () => unknown {
  const a = def.defaultValue;
  if (typeof a !== 'object' || a === null) return () => a;
  // The same object twice: a function returning one shared (frozen) value, as model.ts's `shared()`.
  if (def.defaultValue === a) return () => deepFreeze(a);
  return () => deepFreeze(def.defaultValue);
}

function primitiveUnion(def: Def): null {
  for (const o of def.options ?? []) {
    const t = defOf(o).type;
    if (!PASS_THROUGH.has(t)) throw new Error(`schema-build: a union of '${t}' needs a discriminator`);
  }
  return null;
}

function discriminated(def: Def, cache: Map<z.ZodType, Build | null>): Build {
  const key = def.discriminator as string;
  const byValue = new Map<unknown, Build>();
  for (const o of def.options ?? []) {
    const tag = defOf((defOf(o).shape as Record<string, z.ZodType>)[key]);
    const values = tag.type === 'literal' ? (tag.values ?? []) : Object.values(tag.entries ?? {});
    const build = builderOf(o, cache) as Build;
    for (const v of values) byValue.set(v, build);
  }
  return (v) => {
    const build = byValue.get((v as Record<string, unknown>)[key]);
    if (build === undefined)
      throw new Error(`schema-build: no variant for ${key} = ${String((v as Record<string, unknown>)[key])}`);
    return build(v);
  };
}

/**
 * One generated function per object schema: `Object.freeze({ k0: <k0's value>, k1: … })`, keys in the
 * schema's order, so every built object of a schema shares one shape. Nested schemas are called through `h`.
 */
function objectBuilder(def: Def, cache: Map<z.ZodType, Build | null>): Build {
  const shape = def.shape as Record<string, z.ZodType>;
  const helpers: unknown[] = [];
  const fields: string[] = [];
  for (const key of Object.keys(shape)) {
    if (key === '__proto__') continue;
    const k = JSON.stringify(key);
    fields.push(`${k}: ${valueCode(shape[key], `i[${k}]`, helpers, cache)}`);
  }
  const source = `return function build(i) { return Object.freeze({ ${fields.join(', ')} }); };`;
  const build = new Function('h', source)(helpers) as Build;
  // An empty input (all defaults: a proxy's `options` when none is written) always builds the same
  // value, so it is built once and shared.
  let ofEmpty: unknown = null;
  return (v) => {
    for (const _ in v as object) return build(v);
    ofEmpty ??= build(v);
    return ofEmpty;
  };
}

/** The expression for one field's value, given `v` the expression of its input. */
function valueCode(
  schema: z.ZodType,
  v: string,
  helpers: unknown[],
  cache: Map<z.ZodType, Build | null>,
): string {
  const def = defOf(schema);
  const ref = (x: unknown) => {
    helpers.push(x);
    return `h[${helpers.length - 1}]`;
  };
  if (def.type === 'default') {
    const inner = builderOf(def.innerType as z.ZodType, cache);
    const a = def.defaultValue;
    const fallback =
      typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean' || a === null
        ? JSON.stringify(a)
        : `${ref(defaultOf(def))}()`;
    return inner === null
      ? `(${v} === undefined ? ${fallback} : ${v})`
      : `(${v} === undefined ? ${fallback} : ${ref(inner)}(${v}))`;
  }
  const b = builderOf(schema, cache);
  return b === null ? v : `${ref(b)}(${v})`;
}
