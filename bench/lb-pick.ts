/**
 * The cost of one load-balancing decision (pick, plus the served count going up and down as the
 * dispatcher does it) for 2, 10 and 100 servers: roundrobin (HAProxy's FWRR, O(log n)), uri on the
 * consistent-hash ring (O(log points)) and leastconn (O(log n)). In-process, no sockets.
 *
 *   node bench/lb-pick.ts
 */

import { requestContext, serverSpec } from '../packages/balancer/src/backend/algorithms/algorithm.case.ts';
import { leastConn } from '../packages/balancer/src/backend/algorithms/leastconn.ts';
import { roundRobin } from '../packages/balancer/src/backend/algorithms/roundrobin.ts';
import { uriHash } from '../packages/balancer/src/backend/algorithms/uri.ts';
import { newServerState } from '../packages/balancer/src/backend/server.ts';

for (const n of [2, 10, 100]) {
  const servers = Array.from({ length: n }, (_, i) =>
    newServerState(serverSpec(`s${i}`, { weight: 1 + (i % 7) })),
  );
  const opts = {
    balance: { algorithm: 'uri', whole: false, pathOnly: false, len: null, depth: null },
    hashType: { method: 'consistent', function: 'sdbm', avalanche: true },
    allBackups: false,
  } as const;
  const ctx = {
    clientAddress: '10.0.0.1',
    exclude: null,
    ...requestContext('GET /some/path/here.html?x=1 HTTP/1.1\r\nHost: x\r\n\r\n'),
  };
  for (const [name, f] of [
    ['roundrobin', roundRobin],
    ['uri consistent', uriHash],
    ['leastconn', leastConn],
  ] as const) {
    const lb = f(servers, opts as never);
    for (let i = 0; i < 1e5; i++) {
      const s = lb.pick(ctx)!;
      s.served++;
      lb.loadChanged?.(s);
      s.served--;
      lb.loadChanged?.(s);
    }
    const N = 1e6;
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) {
      const s = lb.pick(ctx)!;
      s.served++;
      lb.loadChanged?.(s);
      s.served--;
      lb.loadChanged?.(s);
    }
    console.log(`${n} servers ${name}: ${Number(process.hrtime.bigint() - t) / N} ns per pick+exchange`);
  }
}
