/**
 * A load-balancing algorithm (`balance …`): one instance per backend, owning its own state. The
 * dispatcher asks it for a server per request (or connection, in mode tcp). Like HAProxy's LB modules,
 * an algorithm keeps its own view of the servers (trees, maps, rings) and is told when one changes:
 * `update(s)` after `s.up` or `s.weight` changed (HAProxy's set_server_status_up/down and
 * update_server_eweight), `loadChanged(s)` after `s.served` changed. Both take effect on the next pick
 * without restarting the round. Each algorithm lives in its own file and runs the shared suite in
 * algorithm.case.ts.
 */
import type { Balance, HashType } from '../../engine/engine-config.ts';
import type { HttpHead } from '../../http/head-parser.ts';
import type { ServerState } from '../server.ts';

/** The HTTP request being balanced, as parsed (valid only during the synchronous pick). */
export interface RequestView {
  /** the bytes the head was parsed from (and the body bytes that came with it) */
  buf: Buffer;
  head: HttpHead;
  /** the request body bytes already received: buf[head.headEnd, bodyEnd) */
  bodyEnd: number;
}

/** What an algorithm may look at for one pick (hash-based ones read the request through it). */
export interface PickContext {
  /** the client's address as its socket reports it (an IPv4 client of a dual-stack socket as ::ffff:a.b.c.d) */
  clientAddress: string;
  /** a server already tried for this request (retries / redispatch pick another when they can) */
  exclude: ServerState | null;
  /** mode http: the request; mode tcp: null */
  request: RequestView | null;
}

export interface LbAlgorithm {
  readonly name: string;
  pick(ctx: PickContext): ServerState | null;
  /** `s.up` or `s.weight` changed */
  update(s: ServerState): void;
  /** `s.served` changed (only algorithms that balance on load need it) */
  loadChanged?(s: ServerState): void;
}

export interface AlgorithmOptions {
  balance: Balance;
  hashType: HashType;
  /** `option allbackups` */
  allBackups: boolean;
}

export type AlgorithmFactory = (servers: readonly ServerState[], opts: AlgorithmOptions) => LbAlgorithm;

/** Can take new traffic now: UP, and a weight above 0 (weight 0 keeps only persistent traffic). */
export function eligible(s: ServerState): boolean {
  return s.up && s.weight > 0;
}

/** HAProxy's server id (the consistent-hash ring and `first` order by it). */
export function serverId(s: ServerState, index: number): number {
  return s.spec.id ?? index + 1;
}
