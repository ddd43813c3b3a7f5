/**
 * TLS passthrough routed by SNI (`tcp-request inspect-delay` + `req.ssl_sni`) against plain mode tcp,
 * HAProxy 2.6 (nbthread 1) vs the balancer, CPU time per connection of the proxy.
 *
 *   node bench/tcp-content-vs-haproxy.ts [--conns 2000] [--concurrency 20]
 *
 * Each connection sends one ClientHello, waits for the server's first byte and closes. The proxy is
 * pinned to CPU 0, this script (client and servers) to CPU 1. CPU per connection is read from
 * /proc/PID/stat (utime + stime) before and after each run, so a busy machine shows less than in
 * req/s. Everything it starts is stopped at the end and on Ctrl-C.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { clientHello } from '../packages/balancer/test/support/client-hello.ts';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { haproxyPath, type ProxyKind } from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, pin, startProxyFor, stopAll } from './lib/bench-procs.ts';
import { cpuMicros } from './lib/proc-cpu.ts';

const { values } = parseArgs({
  options: { conns: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '20' } },
});
const CONNS = Number(values.conns);
const CONCURRENCY = Number(values.concurrency);

type Workload = 'plain' | 'sni';

function config(w: Workload, port: number, a: number, b: number): string {
  return [
    'global',
    '    nbthread 1',
    '    maxconn 8000',
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 30s',
    '    timeout server 30s',
    'frontend tls',
    `    bind 127.0.0.1:${port}`,
    ...(w === 'sni'
      ? [
          '    tcp-request inspect-delay 5s',
          '    tcp-request content accept if { req.ssl_hello_type 1 }',
          '    use_backend be_a if { req.ssl_sni -i a.example.com }',
        ]
      : []),
    '    default_backend be_b',
    'backend be_a',
    `    server a 127.0.0.1:${a}`,
    'backend be_b',
    `    server b 127.0.0.1:${b}`,
    '',
  ].join('\n');
}

/** Servers that write one byte (their name) on each connection. */
async function greeters(): Promise<{ ports: number[]; close(): void }> {
  const servers = ['a', 'b'].map((n) =>
    net.createServer((s) => {
      s.on('error', () => {});
      s.end(n);
    }),
  );
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()))));
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    close: () => {
      for (const s of servers) s.close();
    },
  };
}

const HELLO = clientHello({ sni: 'a.example.com', alpn: ['h2', 'http/1.1'], ec: true });

function oneConnection(port: number, want: string): Promise<void> {
  return new Promise((ok, ko) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(HELLO));
    s.once('data', (d) => {
      if (d.toString('latin1')[0] !== want) ko(new Error(`server ${d.toString('latin1')} answered`));
      s.destroy();
      ok();
    });
    s.on('error', ko);
    s.on('close', () => ko(new Error('closed before the server answered')));
  });
}

async function load(port: number, want: string): Promise<number> {
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < CONNS) {
      next++;
      await oneConnection(port, want);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Date.now() - t0;
}

installSignalCleanup();
pin(process.pid, 1);
try {
  if (!haproxyPath()) throw new Error('haproxy not found');
  const g = await greeters();
  const rows: string[] = [];
  for (const w of ['plain', 'sni'] as Workload[]) {
    const perConn: Record<ProxyKind, number> = { haproxy: 0, balancer: 0 };
    for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
      const port = await freePort();
      const m = await startProxyFor(kind, config(w, port, g.ports[0], g.ports[1]), port, { cpu: 0 });
      const want = w === 'sni' ? 'a' : 'b';
      await load(port, want); // warm-up: the same number of connections, not counted
      const c0 = cpuMicros(m.pid);
      const ms = await load(port, want);
      const us = (cpuMicros(m.pid) - c0) / CONNS;
      perConn[kind] = us;
      console.error(`${w} ${kind}: ${us.toFixed(1)} µs`);
      rows.push(
        `${w.padEnd(6)} ${kind.padEnd(9)} ${us.toFixed(1).padStart(7)} µs CPU/conn  ${Math.round((CONNS * 1000) / ms)} conn/s`,
      );
      await m.stop();
    }
    rows.push(
      `${w.padEnd(6)} balancer/haproxy CPU per connection: ${(perConn.balancer / perConn.haproxy).toFixed(2)}×`,
    );
  }
  g.close();
  console.log(
    `${CONNS} connections, ${CONCURRENCY} at a time (a loaded, shared machine: compare ratios, not absolutes)`,
  );
  for (const r of rows) console.log(r);
} finally {
  await stopAll();
}
