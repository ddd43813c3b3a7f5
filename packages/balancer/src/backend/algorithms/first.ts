/**
 * `balance first`: the first server (by id, i.e. declaration order unless `id` says otherwise) with a
 * free slot under its `maxconn` takes the exchange (HAProxy's lb_fas.c), so that the others can be
 * switched off while idle. Servers without `maxconn` are never full. When every server is full,
 * HAProxy queues the exchange until a slot frees; queues are not built yet, so it goes to the server
 * with the most room relative to its maxconn instead (over its maxconn).
 */
import type { ServerState } from '../server.ts';
import {
  type AlgorithmFactory,
  eligible,
  type LbAlgorithm,
  type PickContext,
  serverId,
} from './algorithm.ts';
import { ServerGroups } from './server-groups.ts';

export const firstAvailable: AlgorithmFactory = (servers, opts): LbAlgorithm => {
  const groups = new ServerGroups();
  // the servers in id order (fixed: ids do not change at run time)
  const order = servers
    .map((s, i) => ({ s, id: serverId(s, i) }))
    .sort((a, b) => a.id - b.id)
    .map((e) => e.s);
  const recount = () => groups.recount(servers, (s) => s.weight, opts.allBackups);
  recount();
  return {
    name: 'first',
    pick(ctx: PickContext): ServerState | null {
      if (groups.active === 0 && groups.firstBackup >= 0) return servers[groups.firstBackup];
      const backups = groups.active === 0;
      let avoided: ServerState | null = null;
      // when every server is full: the one with the most room left (relative to its maxconn)
      let overflow: ServerState | null = null;
      for (const s of order) {
        if (s.spec.backup !== backups || !eligible(s)) continue;
        const max = s.spec.maxconn;
        if (max !== null && max > 0 && s.served >= max) {
          if (overflow === null || s.served * overflow.spec.maxconn! < overflow.served * max) overflow = s;
          continue;
        }
        if (s !== ctx.exclude) return s;
        avoided = s;
      }
      return avoided ?? overflow;
    },
    update: recount,
  };
};
