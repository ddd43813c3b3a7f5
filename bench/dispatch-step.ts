/**
 * The cost of the dispatch step's bookkeeping per exchange, without sockets: pick a server, take a
 * slot (`Dispatch.begin`: maxconn/queue admission, beconn), free it (`Dispatch.end`: served, the queue
 * check). Seed-like backend (roundrobin, 2 servers) with and without `maxconn 5000`. Runs against the
 * sources of the checkout it lives in, so the same file copied into an older checkout measures "before".
 *
 *   node bench/dispatch-step.ts [--iterations 2000000]
 */
import { parseArgs } from 'node:util';
import { newBackendState } from '../packages/balancer/src/backend/backend.ts';
import { Dispatch } from '../packages/balancer/src/backend/dispatch.ts';
import { NO_TIMEOUTS } from '../packages/balancer/src/engine/engine-config.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '2000000' } } });
const n = Math.min(2e7, Math.max(1e4, Number(values.iterations)));

function backend(maxconn: number | null) {
  return newBackendState({
    name: 'dynamic',
    mode: 'http',
    servers: ['web1', 'web2'].map((name, i) => ({
      name,
      host: '127.0.0.1',
      port: 8001 + i,
      path: null,
      weight: 1,
      maxconn,
      disabled: false,
      backup: false,
    })),
    timeouts: { ...NO_TIMEOUTS, connect: 10_000, queue: 60_000 },
    retries: 3,
    httpReuse: 'safe',
    options: { httpServerClose: true, httpClose: false },
    forwardfor: null,
    balance: { algorithm: 'roundrobin' },
    errorfiles: new Map(),
    redispatch: -1,
  });
}

const owner = {} as never;
const ctx = { clientAddress: '10.0.0.1', exclude: null, request: null };
for (const maxconn of [null, 5000, null, 5000]) {
  const be = backend(maxconn);
  const d = new Dispatch(owner);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    d.begin(be, be.lb.pick(ctx)!, 3);
    d.end();
  }
  const ns = Number(process.hrtime.bigint() - t0) / n;
  console.log(`maxconn ${String(maxconn ?? 'none').padEnd(5)} pick + begin + end: ${ns.toFixed(1)} ns`);
}
