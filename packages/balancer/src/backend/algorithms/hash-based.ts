/**
 * What every hashing `balance` (source, uri, url_param, hdr) shares, as HAProxy's backend.c does it:
 * the key's hash (by `hash-type`'s function, then `avalanche` if asked) selects a server in the map
 * (`map-based`: slot hash % total weight) or on the ring (`consistent`). With one server in use
 * nothing is hashed; a request without the key (no such parameter or header) falls back to
 * round-robin over the same map or ring. Map-based lookups ignore a server to avoid (HAProxy's do too:
 * a retry of a hashed request goes to the same server); the ring skips it.
 */
import type { ServerState } from '../server.ts';
import type { AlgorithmFactory, AlgorithmOptions, LbAlgorithm, PickContext } from './algorithm.ts';
import { ConsistentRing } from './consistent-hash.ts';
import { fullHash, HASH_FUNCTIONS, type HashFunction, sdbm } from './hash-functions.ts';
import { ServerMap } from './server-map.ts';

/** The hash of this request's key, or null when it has none (then round-robin). */
export type KeyHash = (ctx: PickContext, hash: HashFunction) => number | null;

export function hashAlgorithm(
  name: string,
  makeKey: (opts: AlgorithmOptions) => KeyHash,
  /** false for url_param: HAProxy hashes it even with one server left */
  skipWithOneServer = true,
): AlgorithmFactory {
  return (servers: readonly ServerState[], opts: AlgorithmOptions): LbAlgorithm => {
    const key = makeKey(opts);
    const fn = HASH_FUNCTIONS[opts.hashType.function] ?? sdbm;
    const avalanche = opts.hashType.avalanche;
    if (opts.hashType.method === 'consistent') {
      const ring = new ConsistentRing(servers, opts.allBackups);
      return {
        name,
        pick(ctx) {
          if (ring.totalWeight === 0) return null;
          let h: number | null = 0;
          if (!skipWithOneServer || ring.used !== 1) {
            h = key(ctx, fn);
            if (h !== null && avalanche) h = fullHash(h);
          }
          return (h === null ? null : ring.byHash(h, ctx.exclude)) ?? ring.nextRoundRobin(ctx.exclude);
        },
        update: () => ring.rebuild(),
      };
    }
    const map = new ServerMap(servers, opts.allBackups);
    return {
      name,
      pick(ctx) {
        if (map.totalWeight === 0) return null;
        let h: number | null = 0;
        if (!skipWithOneServer || map.used !== 1) {
          h = key(ctx, fn);
          if (h !== null && avalanche) h = fullHash(h);
        }
        return (h === null ? null : map.byHash(h)) ?? map.nextRoundRobin(ctx.exclude);
      },
      update: () => map.rebuild(),
    };
  };
}
