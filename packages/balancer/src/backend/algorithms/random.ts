/**
 * `balance random[(<draws>)]`: HAProxy's power of N choices (backend.c get_server_rnd): draw <draws>
 * (default 2) random points on the consistent-hash ring (so weights count) and keep the server with
 * the fewest exchanges in progress relative to its weight.
 */
import type { ServerState } from '../server.ts';
import type { AlgorithmFactory, LbAlgorithm, PickContext } from './algorithm.ts';
import { ConsistentRing } from './consistent-hash.ts';

export const randomDraws: AlgorithmFactory = (servers, opts): LbAlgorithm => {
  const ring = new ConsistentRing(servers, opts.allBackups);
  const draws = opts.balance.algorithm === 'random' ? opts.balance.draws : 2;
  return {
    name: 'random',
    pick(ctx: PickContext): ServerState | null {
      if (ring.totalWeight === 0) return null;
      let curr: ServerState | null = null;
      for (let d = draws; d > 0; d--) {
        const prev: ServerState | null = curr;
        curr = ring.byHash((Math.random() * 0x100000000) >>> 0, ctx.exclude);
        if (curr === null) break;
        if (prev !== null && prev !== curr && curr.served * prev.weight > prev.served * curr.weight)
          curr = prev;
      }
      return curr;
    },
    update: () => ring.rebuild(),
  };
};
