import type { Balance } from '../../engine/engine-config.ts';
import { newServerState, type ServerState } from '../server.ts';
import type { AlgorithmFactory, LbAlgorithm } from './algorithm.ts';
import { firstAvailable } from './first.ts';
import { headerHash } from './hdr.ts';
import { leastConn } from './leastconn.ts';
import { randomDraws } from './random.ts';
import { roundRobin } from './roundrobin.ts';
import { sourceHash } from './source.ts';
import { staticRoundRobin } from './static-rr.ts';
import { uriHash } from './uri.ts';
import { urlParamHash } from './url-param.ts';

export type {
  AlgorithmFactory,
  AlgorithmOptions,
  LbAlgorithm,
  PickContext,
  RequestView,
} from './algorithm.ts';

/** The algorithms the engine implements, by `balance` name (in-effect.ts refuses the others). */
export const ALGORITHMS: Readonly<Partial<Record<Balance['algorithm'], AlgorithmFactory>>> = Object.freeze({
  roundrobin: roundRobin,
  'static-rr': staticRoundRobin,
  leastconn: leastConn,
  first: firstAvailable,
  source: sourceHash,
  uri: uriHash,
  url_param: urlParamHash,
  hdr: headerHash,
  random: randomDraws,
});

/**
 * The factory for `balance …`. `-c` and start-up refuse the algorithms not implemented (in-effect.ts),
 * so reaching one here is a programming error, not a silent round-robin.
 */
export function algorithmFor(balance: Balance): AlgorithmFactory {
  const f = ALGORITHMS[balance.algorithm];
  if (f === undefined) throw new Error(`balance ${balance.algorithm} is not implemented`);
  return f;
}

/** `dispatch ADDR:PORT` (a backend without `balance`): every exchange goes to that one address. */
export function dispatchTo(addr: { host: string; port: number }): LbAlgorithm {
  const server: ServerState = newServerState({
    name: `${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`,
    host: addr.host,
    port: addr.port,
    path: null,
    weight: 1,
    maxconn: null,
    disabled: false,
    backup: false,
  });
  return { name: 'dispatch', pick: () => server, update() {} };
}
