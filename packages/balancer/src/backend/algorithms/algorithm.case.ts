/**
 * The suite every load-balancing algorithm runs (each algorithm's own test calls `runAlgorithmSuite`).
 * It asserts what HAProxy users rely on whatever the algorithm: only eligible servers get traffic,
 * weight 0 takes none, a DOWN server is skipped and used again once UP (same instance: the round goes
 * on), backups serve only when no active server can (the first one, or all with `option allbackups`),
 * a retry avoids the server that failed when another exists (except where HAProxy's algorithm does
 * not: map-based hashing), weights are honoured over a long run and a weight change applies at once,
 * and for hashing algorithms, the same key keeps its server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverSpec as plainServerSpec } from '../../../test/support/server-spec.ts';
import type { Balance, HashType, ServerSpec } from '../../engine/engine-config.ts';
import { findHeadEnd, newHead, parseHead } from '../../http/head-parser.ts';
import { newServerState, type ServerState } from '../server.ts';
import type { AlgorithmFactory, AlgorithmOptions, LbAlgorithm, PickContext } from './algorithm.ts';

export interface SuiteOptions {
  balance: Balance;
  hashType?: HashType;
  /** the algorithm distributes by weight (roundrobin, static-rr, hashing over many keys, random…) */
  weighted: boolean;
  /** a context for request i (hash algorithms vary the key so that picks spread) */
  context?: (i: number) => Partial<PickContext>;
  /** a retry picks another server when one exists (false: HAProxy's map-based hashing keeps the key's) */
  avoidsExcluded?: boolean;
  /** the same request context always picks the same server (hashing) */
  sticky?: boolean;
  /** weights are honoured only statistically: tolerance of the share (default: exact for rr) */
  tolerance?: number;
  /** exchanges stay open (their servers' `served` grows), for algorithms that balance on load */
  hold?: boolean;
  /** every server gets this maxconn (`first` fills servers up to it; when all are full, the held exchanges end) */
  maxconn?: number;
}

/** A pick context for an HTTP request given as raw head text (what hashing algorithms read). */
export function requestContext(raw: string): Pick<PickContext, 'request'> {
  const buf = Buffer.from(raw, 'latin1');
  const end = findHeadEnd(buf, 0);
  const head = parseHead(newHead(101), buf, end, true, 101, null);
  return { request: { buf, head, bodyEnd: buf.length } };
}

export function serverSpec(name: string, o: Partial<ServerSpec> = {}): ServerSpec {
  return plainServerSpec({ ...o, name });
}

/** Changes a server the way backend.ts does: the field, then the algorithm is told. */
export function setUp(lb: LbAlgorithm, s: ServerState, up: boolean): void {
  s.up = up;
  lb.update(s);
}
export function setWeight(lb: LbAlgorithm, s: ServerState, weight: number): void {
  s.weight = weight;
  lb.update(s);
}

export function runAlgorithmSuite(name: string, factory: AlgorithmFactory, opts: SuiteOptions): void {
  const options = (allBackups = false): AlgorithmOptions => ({
    balance: opts.balance,
    hashType: opts.hashType ?? { method: 'map-based', function: 'sdbm', avalanche: false },
    allBackups,
  });
  const lbServers = new Map<LbAlgorithm, readonly ServerState[]>();
  const make = (servers: readonly ServerState[], allBackups = false) => {
    const lb = factory(servers, options(allBackups));
    lbServers.set(lb, servers);
    return lb;
  };
  const ctx = (i: number, exclude: ServerState | null = null): PickContext => ({
    clientAddress: `10.0.${(i >> 8) & 255}.${i & 255}`,
    request: null,
    ...opts.context?.(i),
    exclude,
  });
  /** one exchange on the server picked, as the dispatcher counts it (backend/dispatch.ts) */
  const exchange = (lb: LbAlgorithm, s: ServerState | null) => {
    if (s === null) return;
    s.served++;
    lb.loadChanged?.(s);
    if (opts.hold) return;
    s.served--;
    lb.loadChanged?.(s);
  };
  const count = (lb: LbAlgorithm, n: number, from = 0) => {
    const out = new Map<string, number>();
    for (let i = from; i < from + n; i++) {
      let s = lb.pick(ctx(i));
      if (s === null && opts.maxconn) {
        // every server is at its maxconn: the exchange would wait in the backend queue until the held
        // exchanges end (queue.ts); end them all and pick again
        for (const srv of lbServers.get(lb) ?? []) {
          srv.served = 0;
          lb.loadChanged?.(srv);
        }
        s = lb.pick(ctx(i));
      }
      exchange(lb, s);
      const k = s?.spec.name ?? 'none';
      out.set(k, (out.get(k) ?? 0) + 1);
    }
    return out;
  };
  const spec = (name: string, o: Partial<ServerSpec> = {}) =>
    serverSpec(name, { ...(opts.maxconn ? { maxconn: opts.maxconn } : {}), ...o });
  const avoids = opts.avoidsExcluded !== false;
  const tol = opts.tolerance ?? 0;

  describe(`balance ${name} (shared algorithm suite)`, () => {
    test('no server: no pick', () => {
      assert.equal(make([]).pick(ctx(0)), null);
    });

    test('every eligible server gets traffic; weight 0 and disabled ones get none', () => {
      const servers = [
        spec('a'),
        spec('b'),
        spec('zero', { weight: 0 }),
        spec('off', { disabled: true }),
      ].map(newServerState);
      const c = count(make(servers), 400);
      assert.ok((c.get('a') ?? 0) > 0 && (c.get('b') ?? 0) > 0, JSON.stringify([...c]));
      assert.equal(c.get('zero'), undefined);
      assert.equal(c.get('off'), undefined);
      assert.equal(c.get('none'), undefined);
    });

    test('a server going DOWN gets nothing; back UP it gets traffic again (same instance)', () => {
      const servers = [spec('a'), spec('b'), spec('c')].map(newServerState);
      const lb = make(servers);
      count(lb, 7);
      setUp(lb, servers[1], false);
      const down = count(lb, 300, 1000);
      assert.equal(down.get('b'), undefined);
      assert.ok((down.get('a') ?? 0) > 0 && (down.get('c') ?? 0) > 0, JSON.stringify([...down]));
      setUp(lb, servers[1], true);
      const back = count(lb, 300, 2000);
      assert.ok((back.get('b') ?? 0) > 0, 'b is used again once UP');
      assert.equal(back.get('none'), undefined);
    });

    test('backups serve only when no active server can: the first usable one, or all with allbackups', () => {
      const servers = [spec('a'), spec('bk1', { backup: true }), spec('bk2', { backup: true })].map(
        newServerState,
      );
      const lb = make(servers);
      assert.deepEqual([...count(lb, 50).keys()], ['a']);
      setUp(lb, servers[0], false);
      assert.deepEqual([...count(lb, 50).keys()], ['bk1']);
      setUp(lb, servers[1], false);
      assert.deepEqual([...count(lb, 50).keys()], ['bk2']);
      setUp(lb, servers[1], true);
      assert.deepEqual([...count(lb, 50).keys()], ['bk1'], 'the first backup is the first declared');
      setUp(lb, servers[0], true);
      assert.deepEqual([...count(lb, 50).keys()], ['a']);
      setUp(lb, servers[0], false);
      setUp(lb, servers[1], false);
      setUp(lb, servers[2], false);
      assert.equal(lb.pick(ctx(0)), null);

      const all = [spec('a'), spec('bk1', { backup: true }), spec('bk2', { backup: true })].map(
        newServerState,
      );
      const lbAll = make(all, true);
      setUp(lbAll, all[0], false);
      const c = count(lbAll, 400);
      assert.ok((c.get('bk1') ?? 0) > 0 && (c.get('bk2') ?? 0) > 0, `allbackups: ${JSON.stringify([...c])}`);
    });

    test(
      avoids
        ? 'a retry avoids the excluded server when another is eligible, and falls back to it when not'
        : 'a retry keeps the key’s server (HAProxy’s map-based hashing does not avoid)',
      () => {
        const servers = [spec('a'), spec('b')].map(newServerState);
        const lb = make(servers);
        for (let i = 0; i < 50; i++) {
          const s = lb.pick(ctx(i, servers[0]))?.spec.name;
          if (avoids) assert.equal(s, 'b');
          else assert.equal(s, lb.pick(ctx(i))?.spec.name);
        }
        setUp(lb, servers[1], false);
        assert.equal(lb.pick(ctx(0, servers[0]))?.spec.name, 'a');
      },
    );

    if (opts.sticky)
      test('the same key keeps its server while the servers stay the same', () => {
        const servers = [spec('a'), spec('b'), spec('c')].map(newServerState);
        const lb = make(servers);
        const first = Array.from({ length: 100 }, (_, i) => lb.pick(ctx(i))?.spec.name);
        count(lb, 50, 5000);
        const again = Array.from({ length: 100 }, (_, i) => lb.pick(ctx(i))?.spec.name);
        assert.deepEqual(again, first);
      });

    if (opts.weighted)
      test('weights are honoured over a run (3:1), and a weight change applies without a new instance', () => {
        const servers = [spec('a', { weight: 3 }), spec('b', { weight: 1 })].map(newServerState);
        const lb = make(servers);
        // held exchanges: the load each server carries is what the weights share out
        const run = (n: number, from: number) => {
          const c = count(lb, n, from);
          if (opts.hold) return { a: servers[0].served, b: servers[1].served };
          return { a: c.get('a') ?? 0, b: c.get('b') ?? 0 };
        };
        const r1 = run(4000, 0);
        assert.ok(Math.abs(r1.a / (r1.a + r1.b) - 0.75) <= tol + 0.001, JSON.stringify(r1));
        setWeight(lb, servers[1], 3);
        const r2 = run(6000, 10000);
        assert.ok(Math.abs(r2.a / (r2.a + r2.b) - 0.5) <= tol + 0.01, JSON.stringify(r2));
        setWeight(lb, servers[0], 0);
        const r3 = run(100, 20000);
        if (opts.hold) assert.deepEqual(r3, { a: r2.a, b: r2.b + 100 }, 'weight 0 takes no new traffic');
        else assert.deepEqual(r3, { a: 0, b: 100 }, 'weight 0 takes no new traffic');
      });
  });
}
