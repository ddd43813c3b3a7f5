/**
 * The suite every load-balancing algorithm runs (roundrobin.test.ts and each algorithm's own test call
 * `runAlgorithmSuite`). It asserts what HAProxy users rely on whatever the algorithm: only eligible
 * servers get traffic, weight 0 takes none, a DOWN server is skipped and used again once UP, backups
 * serve only when no active server can, a retry avoids the server that failed when another exists.
 * `weighted` algorithms also honour weights over a long run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServerSpec } from '../../engine/engine-config.ts';
import { newServerState, type ServerState } from '../server.ts';
import type { AlgorithmFactory, PickContext } from './algorithm.ts';

export interface SuiteOptions {
  /** the algorithm distributes by weight (roundrobin, static-rr, random, leastconn under load…) */
  weighted: boolean;
  /** a context for request i (hash algorithms vary the key so that picks spread) */
  context?: (i: number) => Omit<PickContext, 'exclude'>;
}

function spec(name: string, o: Partial<ServerSpec> = {}): ServerSpec {
  return {
    name,
    host: '127.0.0.1',
    port: 1,
    path: null,
    weight: 1,
    maxconn: null,
    disabled: false,
    backup: false,
    ...o,
  };
}

export function runAlgorithmSuite(name: string, factory: AlgorithmFactory, opts: SuiteOptions): void {
  const ctx = (i: number): PickContext => ({
    clientAddress: `10.0.${i >> 8}.${i & 255}`,
    ...opts.context?.(i),
    exclude: null,
  });
  const counts = (servers: ServerState[], n: number, exclude: ServerState | null = null) => {
    const lb = factory(servers, []);
    const out = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = lb.pick({ ...ctx(i), exclude });
      const k = s?.spec.name ?? 'none';
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  };

  describe(`balance ${name} (shared algorithm suite)`, () => {
    test('no server: no pick', () => {
      assert.equal(factory([], []).pick(ctx(0)), null);
    });

    test('every eligible server gets traffic; weight 0 and disabled ones get none', () => {
      const servers = [
        spec('a'),
        spec('b'),
        spec('zero', { weight: 0 }),
        spec('off', { disabled: true }),
      ].map(newServerState);
      const c = counts(servers, 400);
      assert.ok((c.get('a') ?? 0) > 0 && (c.get('b') ?? 0) > 0, JSON.stringify([...c]));
      assert.equal(c.get('zero'), undefined);
      assert.equal(c.get('off'), undefined);
      assert.equal(c.get('none'), undefined);
    });

    test('a server going DOWN gets nothing; back UP it gets traffic again (same instance)', () => {
      const servers = [spec('a'), spec('b')].map(newServerState);
      const lb = factory(servers, []);
      servers[1].up = false;
      for (let i = 0; i < 50; i++) assert.equal(lb.pick(ctx(i))?.spec.name, 'a');
      servers[1].up = true;
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) seen.add(lb.pick(ctx(i))?.spec.name ?? 'none');
      assert.ok(seen.has('b'), 'b is used again once UP');
    });

    test('backups serve only when no active server can; all down: no pick', () => {
      const servers = [spec('a'), spec('bk', { backup: true })].map(newServerState);
      const lb = factory(servers, []);
      for (let i = 0; i < 50; i++) assert.equal(lb.pick(ctx(i))?.spec.name, 'a');
      servers[0].up = false;
      for (let i = 0; i < 50; i++) assert.equal(lb.pick(ctx(i))?.spec.name, 'bk');
      servers[1].up = false;
      assert.equal(lb.pick(ctx(0)), null);
    });

    test('a retry avoids the excluded server when another is eligible, and falls back to it when not', () => {
      const servers = [spec('a'), spec('b')].map(newServerState);
      const lb = factory(servers, []);
      for (let i = 0; i < 50; i++) assert.equal(lb.pick({ ...ctx(i), exclude: servers[0] })?.spec.name, 'b');
      servers[1].up = false;
      assert.equal(lb.pick({ ...ctx(0), exclude: servers[0] })?.spec.name, 'a');
    });

    if (opts.weighted)
      test('weights are honoured over a run (3:1), and a weight change applies without a new instance', () => {
        const servers = [spec('a', { weight: 3 }), spec('b', { weight: 1 })].map(newServerState);
        const lb = factory(servers, []);
        const run = (n: number) => {
          const c = { a: 0, b: 0 } as Record<string, number>;
          for (let i = 0; i < n; i++) c[lb.pick(ctx(i))!.spec.name]++;
          return c;
        };
        assert.deepEqual(run(400), { a: 300, b: 100 });
        (servers[1].spec as { weight: number }).weight = 3;
        const after = run(600);
        assert.ok(Math.abs(after.a - after.b) <= 6, JSON.stringify(after));
      });
  });
}
