import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { compileSchemaBuilder } from './schema-build.ts';

const shared: string[] = Object.freeze(['conn-failure']) as string[];
const Item = z.strictObject({ name: z.string(), weight: z.int().default(1) });
const Schema = z.strictObject({
  name: z.string(),
  mode: z.enum(['http', 'tcp']).default('tcp'),
  port: z.int().nullable().default(null),
  flags: z.record(z.string(), z.union([z.string(), z.boolean()])).default(() => Object.freeze({})),
  retryOn: z.array(z.string()).default(() => shared),
  items: z.array(Item),
  owner: Item.nullable(),
  rule: z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('allow') }),
    z.strictObject({ action: z.enum(['deny', 'tarpit']), status: z.int().default(403) }),
  ]),
});

const inputs: z.input<typeof Schema>[] = [
  { name: 'a', items: [], owner: null, rule: { action: 'allow' } },
  {
    rule: { status: 500, action: 'tarpit' },
    owner: { weight: 3, name: 'o' },
    items: [{ name: 'x' }, { name: 'y', weight: 0 }],
    flags: { b: true, a: 'x' },
    retryOn: ['all-retryable-errors'],
    port: 80,
    mode: 'http',
    name: 'b',
  },
  {
    name: 'c',
    items: [{ name: 'z', weight: undefined }],
    owner: null,
    rule: { action: 'deny' },
    mode: undefined,
  },
];

test("the builder returns what the schema's parse returns: defaults, key order (JSON text), nested values", () => {
  const build = compileSchemaBuilder(Schema);
  for (const input of inputs) {
    const ours = build(input);
    assert.deepEqual(ours, Schema.parse(input));
    assert.equal(JSON.stringify(ours), JSON.stringify(Schema.parse(input)));
  }
});

test('the result is deep-frozen; a function default is used as is (shared), the input is not changed', () => {
  const build = compileSchemaBuilder(Schema);
  const input = {
    name: 'a',
    items: [{ name: 'x' }],
    owner: { name: 'o' },
    rule: { action: 'allow' as const },
  };
  const ours = build(input);
  for (const o of [ours, ours.items, ours.items[0], ours.owner, ours.rule, ours.flags])
    assert.ok(Object.isFrozen(o));
  assert.equal(ours.retryOn, shared);
  assert.ok(!Object.isFrozen(input) && !Object.isFrozen(input.items));
  assert.deepEqual(input.items, [{ name: 'x' }]);
});

test('a schema construct the builder does not know fails when compiled, not silently later', () => {
  assert.throws(() => compileSchemaBuilder(z.strictObject({ n: z.string().transform((s) => s.length) })));
  assert.throws(() => compileSchemaBuilder(z.union([z.strictObject({ a: z.string() }), z.string()])));
});

test('an unknown discriminator is an error, not a value missing its defaults', () => {
  const build = compileSchemaBuilder(Schema);
  assert.throws(
    () => build({ name: 'a', items: [], owner: null, rule: { action: 'other' } } as never),
    /action/,
  );
});
