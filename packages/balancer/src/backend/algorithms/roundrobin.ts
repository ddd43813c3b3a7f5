/**
 * `balance roundrobin`: weighted round-robin, smooth variant — every eligible server's credit grows by
 * its weight, the richest is picked and pays the total, so weights 3:1 give a a b a (never a a a b).
 * Weights and states are read at each pick, so changes apply at once.
 */
import type { ServerState } from '../server.ts';
import {
  type AlgorithmFactory,
  eligible,
  type LbAlgorithm,
  type PickContext,
  usingBackups,
} from './algorithm.ts';

export const roundRobin: AlgorithmFactory = (servers: readonly ServerState[]): LbAlgorithm => {
  const credits = new Array<number>(servers.length).fill(0);
  return {
    name: 'roundrobin',
    pick(ctx: PickContext): ServerState | null {
      const backups = usingBackups(servers);
      let best = -1;
      let total = 0;
      for (let i = 0; i < servers.length; i++) {
        const s = servers[i];
        if (!eligible(s) || s.spec.backup !== backups || s === ctx.exclude) continue;
        credits[i] += s.spec.weight;
        total += s.spec.weight;
        if (best < 0 || credits[i] > credits[best]) best = i;
      }
      if (best < 0) return ctx.exclude !== null && eligible(ctx.exclude) ? ctx.exclude : null;
      credits[best] -= total;
      return servers[best];
    },
  };
};
