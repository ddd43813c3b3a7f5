/**
 * The server-connection step of `option http-server-close` alone: the balancer's ServerConn opens a
 * connection to nginx, sends one request, takes the response and closes — N of them in flight at a
 * time, for a fixed time. Prints this process's CPU time (user + system, process.cpuUsage) per
 * connection: the balancer's per-connection cost without the client side, HTTP parsing or logging.
 * This process runs on CPU 0, nginx on CPU 1 (taskset).
 *
 *   node bench/server-conn-step.ts [--seconds 3] [--rounds 5] [--inflight 20] [--baseline OTHER_CHECKOUT]
 *
 * --baseline: the ServerConn of another checkout (its root directory) measured in the same process,
 * rounds alternating, so before/after share the machine's conditions.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type {
  ConnTarget,
  ServerConn,
  ServerConnOwner,
} from '../packages/balancer/src/backend/server-conn.ts';
import { installSignalCleanup, pin, startNginxBackends, stopAll } from './lib/bench-procs.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    inflight: { type: 'string', default: '20' },
    baseline: { type: 'string' },
  },
});
const seconds = Math.min(30, Math.max(1, Number(values.seconds)));
const rounds = Math.min(20, Math.max(1, Number(values.rounds)));
const inflight = Math.min(500, Math.max(1, Number(values.inflight)));

type ConnClass = new (
  server: ConnTarget,
  t: { connect: number | null; server: number | null },
  owner: ServerConnOwner,
) => ServerConn;
const impls: [string, ConnClass][] = [
  ['this checkout', (await import('../packages/balancer/src/backend/server-conn.ts')).ServerConn],
];
if (values.baseline) {
  const file = join(resolve(values.baseline), 'packages/balancer/src/backend/server-conn.ts');
  impls.push(['baseline', (await import(file)).ServerConn]);
}

const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: bench\r\n\r\n');

/** Runs connections back to back, `inflight` at a time, until `ms` have passed; resolves with the count. */
function drive(Conn: ConnClass, port: number, ms: number): Promise<number> {
  const target: ConnTarget = { spec: { host: '127.0.0.1', port, path: null }, conns: 0, idle: [] };
  const timeouts = { connect: 10_000, server: 60_000 };
  const until = Date.now() + ms;
  let done = 0;
  let running = 0;
  return new Promise((ok, ko) => {
    const owner: ServerConnOwner = {
      onServerConnect: (c) => void c.socket.write(REQUEST),
      onServerConnectError: (_c, err) => ko(err),
      onServerData: (c, chunk) => {
        // nginx's whole answer comes in one read here (a small `return 200`)
        if (chunk.includes('\r\n\r\n')) {
          c.owner = null;
          c.socket.destroy();
          done++;
          running--;
          next();
        }
      },
      onServerEnd: () => {},
      onServerClose: () => {},
      onServerDrain: () => {},
      onServerTimeout: (c) => c.socket.destroy(),
    };
    const next = (): void => {
      if (Date.now() >= until) {
        if (running === 0) ok(done);
        return;
      }
      running++;
      new Conn(target, timeouts, owner);
    };
    for (let i = 0; i < inflight; i++) next();
  });
}

installSignalCleanup();
try {
  const { ports, procs } = await startNginxBackends(1);
  for (const p of procs) pin(p.pid, 1);
  pin(process.pid, 0);
  for (const [, Conn] of impls) await drive(Conn, ports[0], 1000); // warm-up (JIT)
  const per: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, Conn] of impls) {
      const t0 = process.cpuUsage();
      const n = await drive(Conn, ports[0], seconds * 1000);
      const d = process.cpuUsage(t0);
      const us = (d.user + d.system) / n;
      per[name] ??= [];
      per[name].push(us);
      console.log(
        `round ${r + 1} ${name.padEnd(14)} ${(n / seconds).toFixed(0).padStart(6)} conn/s  ${us.toFixed(1)} µs CPU/connection (user ${(d.user / n).toFixed(1)}, system ${(d.system / n).toFixed(1)})`,
      );
    }
  }
  for (const [name, xs] of Object.entries(per)) {
    const s = [...xs].sort((a, b) => a - b);
    console.log(
      `${name.padEnd(14)} median ${s[s.length >> 1].toFixed(1)} µs, min ${s[0].toFixed(1)} µs per connection`,
    );
  }
} finally {
  await stopAll();
}
