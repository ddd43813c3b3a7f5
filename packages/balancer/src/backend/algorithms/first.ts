/**
 * `balance first`: the first server (by id, i.e. declaration order unless `id` says otherwise) with a
 * free slot under its `maxconn` takes the exchange (HAProxy's lb_fas.c), so that the others can be
 * switched off while idle. Servers without `maxconn` are never full. When every server is full, the
 * pick is null and the exchange waits in the backend queue (queue.ts) until a slot frees.
 */
import { serverFull } from '../queue.ts';
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
      for (const s of order) {
        if (s.spec.backup !== backups || !eligible(s) || serverFull(s)) continue;
        if (s !== ctx.exclude) return s;
        avoided = s;
      }
      return avoided;
    },
    update: recount,
  };
};
