/**
 * A load generator of new TLS connections (run pinned on its own core by bench/tls-vs-haproxy.ts):
 *   node bench/lib/tls-handshake-load.ts PORT SECONDS CONCURRENCY
 * Each connection makes a full handshake (no session is offered, so nothing is resumed), sends one
 * `GET /` with `Connection: close`, reads the response to the end. Prints JSON: completed
 * connections, failures, handshakes per second and the key-exchange groups negotiated.
 *
 * The client offers X25519 only: this Node's OpenSSL (3.5) would otherwise offer the hybrid
 * X25519MLKEM768 first, which the balancer (the same OpenSSL) takes and HAProxy 2.6 (Debian's
 * OpenSSL 3.0, no ML-KEM) cannot, so the two proxies would not do the same work per handshake; wrk
 * and h2load (Debian's OpenSSL 3.0) offer X25519 to both anyway.
 */
import tls from 'node:tls';

const [port, seconds, conc] = process.argv.slice(2).map(Number);
const end = Date.now() + seconds * 1000;
let ok = 0;
let failed = 0;
let resumed = 0;
const groups: Record<string, number> = {};

function one(): Promise<void> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      servername: 'bench.test',
      ecdhCurve: 'X25519',
    });
    let got = '';
    s.on('secureConnect', () => {
      if (s.isSessionReused()) resumed++;
      const g = s.getEphemeralKeyInfo();
      const name = g && 'name' in g ? String(g.name) : '?';
      groups[name] = (groups[name] ?? 0) + 1;
      s.write('GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n');
    });
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => {
      if (got.startsWith('HTTP/1.1 200')) ok++;
      else failed++;
      resolve();
    });
  });
}

async function worker(): Promise<void> {
  while (Date.now() < end) await one();
}

const started = Date.now();
await Promise.all(Array.from({ length: conc }, worker));
const elapsed = (Date.now() - started) / 1000;
console.log(JSON.stringify({ ok, failed, resumed, groups, perSecond: ok / elapsed }));
