import type { AlgorithmFactory } from './algorithm.ts';
import { roundRobin } from './roundrobin.ts';

export type { AlgorithmFactory, LbAlgorithm, PickContext } from './algorithm.ts';

/** The algorithms the engine implements, by `balance` name (in-effect.ts marks the others as planned). */
export const ALGORITHMS: Readonly<Record<string, AlgorithmFactory>> = Object.freeze({
  roundrobin: roundRobin,
});

/** The factory for `balance NAME`; names not implemented yet fall back to round-robin (warned at -c). */
export function algorithmFor(name: string): AlgorithmFactory {
  return ALGORITHMS[name] ?? roundRobin;
}
