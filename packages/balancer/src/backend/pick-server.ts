import type { BackendState } from './backend.ts';
import type { ServerState } from './server.ts';

/**
 * What a picker may look at. The next issue adds source/uri/hdr/cookie based algorithms; they read the
 * request through this context.
 */
export interface PickContext {
  clientAddress: string;
  /** servers already tried for this request (retries / redispatch) */
  exclude: ServerState | null;
}

export type ServerPicker = (backend: BackendState, ctx: PickContext) => ServerState | null;

/**
 * Weighted round-robin (HAProxy `balance roundrobin`), smooth variant: every server's credit grows by its
 * weight, the richest is picked and pays the total. Equal weights give plain rotation.
 */
export const roundRobin: ServerPicker = (backend, ctx) => {
  const servers = backend.servers;
  const n = servers.length;
  if (n === 0) return null;
  let anyActive = false;
  for (let i = 0; i < n; i++) if (servers[i].up && !servers[i].spec.backup) anyActive = true;
  let best: ServerState | null = null;
  let bestIdx = -1;
  let total = 0;
  const credits = creditsOf(backend);
  for (let i = 0; i < n; i++) {
    const s = servers[i];
    if (!s.up || s.spec.backup === anyActive || s === ctx.exclude || s.spec.weight <= 0) continue;
    credits[i] += s.spec.weight;
    total += s.spec.weight;
    if (best === null || credits[i] > credits[bestIdx]) {
      best = s;
      bestIdx = i;
    }
  }
  if (best === null) {
    // the excluded server may be the only one left
    if (ctx.exclude?.up) return ctx.exclude;
    return null;
  }
  credits[bestIdx] -= total;
  return best;
};

const CREDITS = new WeakMap<BackendState, number[]>();
function creditsOf(b: BackendState): number[] {
  let c = CREDITS.get(b);
  if (!c || c.length !== b.servers.length) {
    c = new Array(b.servers.length).fill(0);
    CREDITS.set(b, c);
  }
  return c;
}

const PICKERS: Record<string, ServerPicker> = { roundrobin: roundRobin };

/** The picker for `balance ALGO`; algorithms not implemented yet fall back to round-robin. */
export function pickerFor(algorithm: string): { picker: ServerPicker; implemented: boolean } {
  const p = PICKERS[algorithm];
  return p ? { picker: p, implemented: true } : { picker: roundRobin, implemented: false };
}

export function pickServer(backend: BackendState, ctx: PickContext): ServerState | null {
  return roundRobin(backend, ctx);
}
