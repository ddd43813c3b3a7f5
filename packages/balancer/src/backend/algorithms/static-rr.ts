/**
 * `balance static-rr`: HAProxy's map-based round-robin (lb_map.c map_get_server_rr). Weights are fixed
 * for the round (HAProxy only lets `set weight` switch a static server between 0 and 100%); a server
 * going down or up rebuilds the map.
 */
import type { ServerState } from '../server.ts';
import type { AlgorithmFactory, LbAlgorithm, PickContext } from './algorithm.ts';
import { ServerMap } from './server-map.ts';

export const staticRoundRobin: AlgorithmFactory = (servers, opts): LbAlgorithm => {
  const map = new ServerMap(servers, opts.allBackups);
  return {
    name: 'static-rr',
    pick: (ctx: PickContext): ServerState | null => map.nextRoundRobin(ctx.exclude),
    update: () => map.rebuild(),
  };
};
