/**
 * `nbthread 2` (src/workers/): a master and two worker processes that look like one balancer —
 * one health-check stream per server (probes counted at the server), the stats CSV's counters equal
 * the requests sent whichever worker served them, a `disable server` on the runtime socket takes the
 * server out of rotation in every worker, and a reload (SIGUSR2) keeps every request answered.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from './support/env.ts';
import { loadLoop } from './support/load-loop.ts';
import { freePorts } from './support/ports.ts';
import { childPids, type Managed, startBalancer } from './support/proc.ts';
import { openClient, type RawClient } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';
import { waitFor } from './support/wait-for.ts';

interface Counted {
  port: number;
  /** what GET /check and other requests answer */
  checkStatus: number;
  status: number;
  /** GET /check probes, with when they came */
  probes: number[];
  requests: number;
  close(): void;
}

async function counted(name: string): Promise<Counted> {
  const c: Counted = { port: 0, checkStatus: 200, status: 200, probes: [], requests: 0, close: () => {} };
  const srv = http.createServer((req, res) => {
    if (req.url === '/check') c.probes.push(Date.now());
    else c.requests++;
    res.statusCode = req.url === '/check' ? c.checkStatus : c.status;
    res.end(name);
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  c.port = (srv.address() as net.AddressInfo).port;
  c.close = () => {
    srv.closeAllConnections();
    srv.close();
  };
  return c;
}

/** One request on its own connection (so the kernel spreads them over the workers); its body. */
function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The CSV line of `px`/`sv` as a name → value map. */
function csvRow(csv: string, px: string, sv: string): Record<string, string> | null {
  const lines = csv.trim().split('\n');
  const names = lines[0].replace(/^# /, '').split(',');
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (f[0] === px && f[1] === sv) return Object.fromEntries(names.map((n, i) => [n, f[i]]));
  }
  return null;
}

const INTER_MS = 300;

describe('nbthread 2: one balancer made of a master and two workers', () => {
  let s1: Counted;
  let s2: Counted;
  let lb: Managed;
  let port: number;
  let statsPort: number;
  const tmp = makeTempDir('workers');
  const sock = join(tmp.dir, 'admin.sock');
  const stats = async () => (await get(statsPort, '/stats;csv')).body;

  before(async () => {
    s1 = await counted('s1');
    s2 = await counted('s2');
    [port, statsPort] = await freePorts(2);
    lb = await startBalancer(
      `global
    nbthread 2
    stats socket ${sock} level admin
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:${port}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /check
    server s1 127.0.0.1:${s1.port} check inter ${INTER_MS}
    server s2 127.0.0.1:${s2.port} check inter ${INTER_MS} observe layer7 error-limit 3 on-error mark-down
listen stats
    bind 127.0.0.1:${statsPort}
    stats enable
    stats uri /stats
    stats admin if TRUE
`,
      [port, statsPort],
    );
  });
  after(async () => {
    await lb?.stop();
    s1?.close();
    s2?.close();
    tmp.remove();
  });

  test('two worker processes serve the frontend', () => {
    assert.equal(childPids(lb.pid).length, 2, lb.output());
  });

  test('one health-check stream per server, not one per worker', async () => {
    const from = Date.now();
    const start = s1.probes.length;
    assert.ok(await waitFor(() => s1.probes.length - start >= 6, 10_000), lb.output());
    const n = s1.probes.length - start;
    const ms = Date.now() - from;
    // one stream: at most one probe per interval (+1 for the edges); two would give twice as many
    assert.ok(n <= ms / INTER_MS + 1, `${n} probes in ${ms} ms at inter ${INTER_MS}`);
    const gaps = s1.probes.slice(start + 1).map((t, i) => t - s1.probes[start + i]);
    assert.ok(Math.min(...gaps) >= INTER_MS / 2, `probe gaps ${gaps.join(',')} ms`);
  });

  test('the stats CSV counts every request, whichever worker served it', async () => {
    await statsCommand(sock, 'clear counters all');
    const N = 200;
    for (let i = 0; i < N; i += 20)
      await Promise.all([...Array(20)].map(() => get(port).then((r) => assert.equal(r.status, 200))));
    let last = '';
    const ok = await waitFor(
      async () => {
        last = await stats();
        const fe = csvRow(last, 'web', 'FRONTEND');
        const be = csvRow(last, 'app', 'BACKEND');
        return fe?.stot === String(N) && fe?.hrsp_2xx === String(N) && be?.hrsp_2xx === String(N);
      },
      5000,
      100,
    );
    assert.ok(ok, last);
    const srv = (n: string) => Number(csvRow(last, 'app', n)?.stot);
    assert.equal(srv('s1') + srv('s2'), N);
    // the runtime API's `show stat` reads the same counters, brought in before it answers
    const show = await statsCommand(sock, 'show stat');
    assert.equal(csvRow(show, 'web', 'FRONTEND')?.stot, String(N));
  });

  /** keep-alive connections spread over both workers (the kernel hashes them; ss says who owns each) */
  async function onBothWorkers(): Promise<RawClient[]> {
    const clients = [...Array(16)].map(() => openClient(port));
    await Promise.all(clients.map((c) => c.connected));
    // a connection the kernel completed but no worker has accepted yet has no owner in ss:
    // wait until every one of them is accepted (a worker that stopped accepting fails here)
    let owners: string[] = [];
    const accepted = await waitFor(
      () => {
        owners = [
          ...execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`], {
            encoding: 'utf8',
          }).matchAll(/pid=(\d+)/g),
        ].map((m) => m[1]);
        return owners.length >= clients.length;
      },
      5000,
      50,
    );
    assert.ok(accepted, `${owners.length} of ${clients.length} connections accepted`);
    assert.equal(new Set(owners).size, 2, `connections held by ${[...new Set(owners)].join(',')}`);
    return clients;
  }
  /** one request on a held connection: who answered */
  const ask = async (c: RawClient) => {
    const from = c.text().length;
    c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    assert.ok(await c.until((t) => /\r\n\r\ns[12]$/.test(t.slice(from)), 5000), c.text());
    return c.text().slice(-2);
  };

  test('disable server on the runtime socket takes it out of rotation in every worker', async () => {
    const clients = await onBothWorkers();
    try {
      assert.equal(await statsCommand(sock, 'disable server app/s1'), '\n');
      const before = s1.requests;
      const bodies = [];
      for (const c of clients) bodies.push(await ask(c), await ask(c));
      assert.deepEqual(new Set(bodies), new Set(['s2']));
      assert.equal(s1.requests, before);
      await statsCommand(sock, 'enable server app/s1');
      const back = [];
      for (const c of clients) back.push(await ask(c), await ask(c));
      assert.ok(back.includes('s1'), back.join(','));
    } finally {
      for (const c of clients) c.sock.destroy();
    }
  });

  test('SIGUSR2 reloads master and workers in place under load: no request lost, runtime changes kept', async (t) => {
    const workers = childPids(lb.pid).sort();
    await statsCommand(sock, 'disable server app/s1');
    const load = loadLoop(port, { connections: 8 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses > 200, 5000), 'load is flowing');
    const cfg = join(lb.dir, 'haproxy.cfg');
    for (let i = 1; i <= 3; i++) {
      writeFileSync(
        cfg,
        readFileSync(cfg, 'utf8').replace(/timeout client \d+s/, `timeout client ${10 + i}s`),
      );
      process.kill(lb.pid, 'SIGUSR2');
      assert.ok(
        await waitFor(() => lb.output().split('new configuration applied').length - 1 === i, 10_000),
        lb.output(),
      );
      const at = load.counts.responses;
      assert.ok(await waitFor(() => load.counts.responses > at + 100, 5000), `load flows after reload ${i}`);
    }
    const c = await load.stop();
    assert.equal(c.socketErrors, 0, c.errors.join('\n'));
    assert.equal(c.non2xx, 0, JSON.stringify(c.statuses));
    assert.equal(c.bodies.s1 ?? 0, 0, `s1 (disabled on the socket) stays out: ${JSON.stringify(c.bodies)}`);
    assert.deepEqual(childPids(lb.pid).sort(), workers, 'the same workers, reloaded in place');
    await statsCommand(sock, 'enable server app/s1');
  });

  test('the stats page admin form (served by the master) puts a server in maintenance in every worker', async () => {
    const clients = await onBothWorkers();
    try {
      const iid = csvRow(await stats(), 'app', 'BACKEND')?.iid;
      const body = `s=s1&action=maint&b=%23${iid}`;
      const r = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: statsPort,
            path: '/stats',
            method: 'POST',
            agent: false,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(r, 303);
      const before = s1.requests;
      const bodies = [];
      for (const c of clients) bodies.push(await ask(c), await ask(c));
      assert.deepEqual(new Set(bodies), new Set(['s2']));
      assert.equal(s1.requests, before);
    } finally {
      await statsCommand(sock, 'enable server app/s1');
      for (const c of clients) c.sock.destroy();
    }
  });

  test("the master's health checks take a DOWN server out of every worker", async () => {
    const clients = await onBothWorkers();
    try {
      s2.checkStatus = 503;
      assert.ok(
        await waitFor(
          async () => csvRow(await statsCommand(sock, 'show stat'), 'app', 's2')?.status === 'DOWN',
          10_000,
        ),
        await statsCommand(sock, 'show stat'),
      );
      const before = s2.requests;
      const bodies = [];
      for (const c of clients) bodies.push(await ask(c), await ask(c));
      assert.deepEqual(new Set(bodies), new Set(['s1']));
      assert.equal(s2.requests, before);
    } finally {
      s2.checkStatus = 200;
      for (const c of clients) c.sock.destroy();
    }
    assert.ok(
      await waitFor(
        async () => csvRow(await statsCommand(sock, 'show stat'), 'app', 's2')?.status === 'UP',
        10_000,
      ),
      'back UP',
    );
  });

  test("observe layer7: the errors the workers see reach the master's health counter", async () => {
    const clients = await onBothWorkers();
    try {
      s2.status = 500;
      // (each worker sees a few consecutive 500s of s2; the master marks it down: on-error mark-down)
      for (const c of clients) {
        c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\nhost: x\r\n\r\n');
      }
      assert.ok(
        await waitFor(() => /Server app\/s2 is DOWN, reason: Health analyze/.test(lb.output()), 10_000),
        lb.output(),
      );
    } finally {
      s2.status = 200;
      for (const c of clients) c.sock.destroy();
    }
    assert.ok(
      await waitFor(
        async () => csvRow(await statsCommand(sock, 'show stat'), 'app', 's2')?.status === 'UP',
        10_000,
      ),
      'back UP after its checks',
    );
  });

  test('the health API and show info speak for the whole balancer', async () => {
    const h = await new Promise<{
      listeners: { proxy: string; listening: boolean }[];
      backends: { name: string; up: number; total: number }[];
    }>((resolve, reject) =>
      http
        .get({ socketPath: join(lb.dir, 'health.sock'), path: '/health' }, (res) => {
          let b = '';
          res.on('data', (d) => {
            b += d;
          });
          res.on('end', () => resolve(JSON.parse(b)));
        })
        .on('error', reject),
    );
    assert.deepEqual(
      h.listeners.map((l) => [l.proxy, l.listening]),
      [
        ['web', true],
        ['stats', true],
      ],
    );
    assert.deepEqual(
      h.backends.find((b) => b.name === 'app'),
      { name: 'app', up: 2, total: 2 },
    );
    // `echo 'show info' | socat - SOCKET`: the client's FIN comes with the line, the answer after a tick
    const c = net.connect(sock);
    let info = '';
    c.on('data', (d) => {
      info += d;
    });
    c.end('show info\n');
    await new Promise((r) => c.on('close', r));
    assert.match(info, /^Nbthread: 2$/m);
  });

  test("a worker that dies stops the balancer with its status (137), as HAProxy's master does", async () => {
    const [w] = childPids(lb.pid);
    process.kill(w, 'SIGKILL');
    assert.ok(await waitFor(() => !lb.alive(), 10_000), lb.output());
    assert.equal(lb.child.exitCode, 137, lb.output());
    assert.match(lb.output(), /\[ALERT\].*Current worker \(\d+\) exited with code 137 \(Killed\)/);
    assert.deepEqual(childPids(lb.pid), []);
  });
});
