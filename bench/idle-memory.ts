/**
 * Memory per idle keep-alive client connection: N connections (default 10k) each make one request
 * and then sit idle in keep-alive; the proxy's VmRSS growth divided by N. HAProxy 2.6 for comparison.
 *
 *   node bench/idle-memory.ts [--conns 10000]
 *
 * `option http-server-close` on both so only client connections stay open (this isolates their cost).
 * HAProxy refuses to start when 2 × maxconn exceeds the fd hard limit, so on a box limited to 20000
 * fds it is measured with up to 9,900 connections (the per-connection figure is what compares).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { splitResponses } from '../packages/balancer/test/support/http1.ts';
import { freePort } from '../packages/balancer/test/support/ports.ts';
import { type Managed, type ProxyKind, rssBytes } from '../packages/balancer/test/support/proc.ts';
import { installSignalCleanup, startNginxBackends, startProxyFor, stopAll } from './lib/bench-procs.ts';

function config(port: number, backend: number, maxconn: number): string {
  return [
    'global',
    '    nbthread 1',
    `    maxconn ${maxconn}`,
    'defaults',
    '    mode http',
    '    option http-server-close',
    `    maxconn ${maxconn}`,
    '    timeout connect 10s',
    '    timeout client 5m',
    '    timeout server 1m',
    '    timeout http-request 1m',
    '    timeout http-keep-alive 5m',
    'frontend fe',
    `    bind 127.0.0.1:${port} backlog 4096`,
    '    default_backend be',
    'backend be',
    `    server web1 127.0.0.1:${backend}`,
    '',
  ].join('\n');
}

const REQ = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n';

/** Connects, makes one keep-alive request, resolves with the socket left open and idle. */
function oneRequest(port: number): Promise<Socket> {
  return new Promise((ok, ko) => {
    const s = connect({ port, host: '127.0.0.1' });
    let buf = '';
    const t = setTimeout(() => {
      s.destroy();
      ko(new Error('no response within 10 s'));
    }, 10_000);
    s.on('error', (e) => {
      clearTimeout(t);
      ko(e);
    });
    s.once('connect', () => s.write(REQ));
    const onData = (b: Buffer) => {
      buf += b.toString('latin1');
      const r = splitResponses(buf, false);
      if (r.length === 1 && r[0].complete) {
        clearTimeout(t);
        s.off('data', onData);
        if (r[0].status !== 200) ko(new Error(`status ${r[0].status}`));
        else ok(s);
      }
    };
    s.on('data', onData);
  });
}

function softFdLimit(): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? Number(m[1]) : 1024;
}
function hardFdLimit(): number {
  const m = /Max open files\s+\d+\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m ? (m[1] === 'unlimited' ? 1 << 20 : Number(m[1])) : 1024;
}

async function measure(
  kind: ProxyKind,
  backend: number,
  wanted: number,
): Promise<{ n: number; base: number; after: number; open: number }> {
  const port = await freePort();
  const hardLimit = hardFdLimit();
  const n = kind === 'haproxy' ? Math.min(wanted, Math.floor(hardLimit / 2) - 100) : wanted;
  const maxconn = kind === 'haproxy' ? Math.min(n + 500, Math.floor(hardLimit / 2) - 20) : n + 500;
  const proxy: Managed = await startProxyFor(kind, config(port, backend, maxconn), port);
  const socks: Socket[] = [];
  try {
    // Warm up so the baseline is the steady state (JIT, pools), not start-up.
    for (let i = 0; i < 20; i++) (await oneRequest(port)).destroy();
    await sleep(500);
    const base = rssBytes(proxy.pid) ?? 0;
    const deadline = Date.now() + 120_000;
    for (let i = 0; i < n && Date.now() < deadline; i += 250) {
      const batch = await Promise.all(Array.from({ length: Math.min(250, n - i) }, () => oneRequest(port)));
      socks.push(...batch);
    }
    await sleep(1000);
    const after = rssBytes(proxy.pid) ?? 0;
    const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
    return { n, base, after, open };
  } finally {
    for (const s of socks) s.destroy();
    await proxy.stop(5000);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { conns: { type: 'string', default: '10000' } } });
  const n = Math.min(15_000, Math.max(100, Number(values.conns)));
  if (softFdLimit() < n + 200)
    throw new Error(`open-files limit ${softFdLimit()} < ${n + 200}: run with ulimit -n ${n + 1000}`);
  installSignalCleanup();
  const { ports } = await startNginxBackends(1);
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  console.log(`idle keep-alive client connections (one request each), option http-server-close`);
  console.log('proxy      conns   RSS before  RSS after  growth   per connection  still open');
  for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
    const r = await measure(kind, ports[0], n);
    const per = (r.after - r.base) / r.n;
    console.log(
      `${kind.padEnd(10)} ${String(r.n).padStart(5)} ${mb(r.base).padStart(7)} MB ${mb(r.after).padStart(7)} MB ${mb(r.after - r.base).padStart(6)} MB ` +
        `${(per / 1024).toFixed(2).padStart(9)} KiB ${String(r.open).padStart(11)}`,
    );
  }
}

try {
  await main();
} finally {
  await stopAll();
}
