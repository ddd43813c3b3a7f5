/**
 * A load-balancing algorithm (`balance …`): one instance per backend, owning its own state. The
 * dispatcher asks it for a server per request (or connection, in mode tcp); servers' weights and
 * states are read from the servers themselves, so an UP/DOWN change or a new weight takes effect on
 * the next pick without restarting anything. Each algorithm lives in its own file and runs the shared
 * suite in algorithm.case.ts.
 */
import type { ServerState } from '../server.ts';

/** What an algorithm may look at for one pick (hash-based ones read the request through it). */
export interface PickContext {
  clientAddress: string;
  /** a server already tried for this request (retries / redispatch pick another when they can) */
  exclude: ServerState | null;
}

export interface LbAlgorithm {
  readonly name: string;
  pick(ctx: PickContext): ServerState | null;
}

export type AlgorithmFactory = (servers: readonly ServerState[], args: readonly string[]) => LbAlgorithm;

/** Can take new traffic now: UP, and a weight above 0 (weight 0 keeps only persistent traffic). */
export function eligible(s: ServerState): boolean {
  return s.up && s.spec.weight > 0;
}

/**
 * HAProxy's rule for backups: backup servers take traffic only when no active server is usable, and
 * then only the first usable one unless `option allbackups` (not applied yet: every usable backup).
 */
export function usingBackups(servers: readonly ServerState[]): boolean {
  for (const s of servers) if (!s.spec.backup && eligible(s)) return false;
  return true;
}
