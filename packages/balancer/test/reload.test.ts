/**
 * Reload (SIGUSR2/SIGHUP) applies the new configuration in the running process without losing a
 * request: a real balancer under a keep-alive load (support/load-loop.ts, counted as wrk counts),
 * the configuration rewritten and the signal sent while the load runs.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadLoop } from './support/load-loop.ts';
import { freePorts } from './support/ports.ts';
import { type Managed, startBalancer } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

/** An upstream answering its name; `health` is what its check URI says: 200, 503, or no answer. */
interface Named {
  port: number;
  health: 'ok' | 'fail' | 'hang';
  close(): void;
}

async function named(name: string): Promise<Named> {
  const held: http.ServerResponse[] = [];
  const n: Named = { port: 0, health: 'ok', close: () => {} };
  const srv = http.createServer((req, res) => {
    if (req.url === '/check') {
      if (n.health === 'hang') return void held.push(res);
      res.statusCode = n.health === 'ok' ? 200 : 503;
      return void res.end('check\n');
    }
    res.end(name);
  });
  srv.keepAliveTimeout = 30_000;
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  n.port = (srv.address() as net.AddressInfo).port;
  n.close = () => {
    for (const r of held) r.destroy();
    srv.closeAllConnections();
    srv.close();
  };
  return n;
}

const count = (text: string, what: string) => text.split(what).length - 1;

function healthGet(path: string): Promise<{
  listeners: { address: string }[];
  backends: { name: string; up: number; total: number }[];
}> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: path, path: '/health' }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

describe('reload applies the new configuration without losing a request', () => {
  let s1: Named;
  let s2: Named;
  let s3: Named;
  let lb: Managed;
  let cfg = '';
  let health = '';
  let p1 = 0;
  let p2 = 0;

  const config = (o: { w1?: number; extra?: boolean; p1?: boolean; check2?: boolean; cli?: boolean } = {}) =>
    [
      'global',
      `    health-socket ${health}`,
      o.cli ? `    stats socket ${join(lb.dir, 'admin.sock')} level admin` : '',
      '    hard-stop-after 20s',
      'defaults',
      '    mode http',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      '    timeout http-keep-alive 2s',
      'frontend web',
      o.p1 === false ? '' : `    bind 127.0.0.1:${p1}`,
      o.extra ? `    bind 127.0.0.1:${p2}` : '',
      '    default_backend app',
      'backend app',
      o.check2 ? '    option httpchk GET /check\n    timeout check 3s' : '',
      `    server s1 127.0.0.1:${s1.port} weight ${o.w1 ?? 1}`,
      `    server s2 127.0.0.1:${s2.port}${o.check2 ? ' check inter 500 fall 1 rise 1' : ''}`,
      o.extra ? `backend other\n    server s3 127.0.0.1:${s3.port}` : '',
      '',
    ].join('\n');

  /** Rewrites the file, sends SIGUSR2 and waits for the reload's verdict line. */
  async function reload(
    text: string,
    verdict = 'SIGUSR2 received: new configuration applied',
  ): Promise<void> {
    writeFileSync(cfg, text);
    const before = count(lb.output(), verdict);
    lb.child.kill('SIGUSR2');
    assert.ok(await waitFor(() => count(lb.output(), verdict) > before, 10_000), lb.output());
  }

  before(async () => {
    [s1, s2, s3] = await Promise.all([named('s1'), named('s2'), named('s3')]);
    [p1, p2] = await freePorts(2);
    // startBalancer writes the file; its directory gives the health socket's path
    lb = await startBalancer(config().replace(/^ {4}health-socket .*\n/m, ''), [p1]);
    cfg = join(lb.dir, 'haproxy.cfg');
    health = join(lb.dir, 'health.sock');
  });
  after(async () => {
    await lb?.stop();
    for (const s of [s1, s2, s3]) s?.close();
  });

  test('10 reloads under load (half of them changing weights and adding a backend): 0 socket errors, 0 non-2xx', async (t) => {
    const load = loadLoop(p1, { connections: 8 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses > 200, 5000), 'load is flowing');
    for (let i = 0; i < 10; i++) {
      const changed = i % 2 === 1;
      await reload(changed ? config({ w1: 1 + i, extra: i >= 5 }) : config());
      const at = load.counts.responses;
      assert.ok(
        await waitFor(() => load.counts.responses > at + 100, 5000),
        `load flows after reload ${i + 1}`,
      );
      await new Promise((r) => setTimeout(r, 200)); // pacing: the reloads spread over a few seconds of load
    }
    // the keep-alive connections left each old engine between two requests, long before hard-stop-after
    assert.ok(
      await waitFor(
        () => count(lb.output(), 'previous configuration: all its connections finished') >= 10,
        4000,
      ),
      lb.output(),
    );
    const c = await load.stop();
    assert.equal(c.socketErrors, 0, `socket errors: ${c.errors.join(', ')}`);
    assert.equal(c.non2xx, 0, `statuses: ${JSON.stringify(c.statuses)}`);
    assert.ok(c.responses > 1000, `responses: ${c.responses}`);
    assert.ok(c.bodies.s1! > 0 && c.bodies.s2! > 0, JSON.stringify(c.bodies));
  });

  test('a broken configuration on reload keeps the running one serving, with the diagnostics logged', async () => {
    await reload(config());
    await reload(
      `${config()}frontend broken\n    bind\n`,
      'SIGUSR2 received: the new configuration has errors; still serving the running one.',
    );
    assert.match(lb.output(), /\[ALERT\].*haproxy\.cfg:\d+/);
    const r = await exchange(p1, ['GET /still HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
    assert.match(r.text, /^HTTP\/1\.1 200/);
  });

  test('an address removed by the reload stops being served, one added starts; the health API reports the new engine', async () => {
    await reload(config({ extra: true }));
    assert.match(
      (await exchange(p2, ['GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'])).text,
      /^HTTP\/1\.1 200/,
    );
    let h = await healthGet(health);
    assert.deepEqual(
      h.listeners.map((l) => l.address),
      [`127.0.0.1:${p1}`, `127.0.0.1:${p2}`],
    );
    assert.deepEqual(
      h.backends.map((b) => b.name),
      ['app', 'other'],
    );
    await reload(config({ extra: true, p1: false }));
    assert.ok(await waitFor(() => connectRefused(p1), 7000), 'the removed address refuses');
    assert.match(
      (await exchange(p2, ['GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'])).text,
      /^HTTP\/1\.1 200/,
    );
    h = await healthGet(health);
    assert.deepEqual(
      h.listeners.map((l) => l.address),
      [`127.0.0.1:${p2}`],
    );
    await reload(config());
    assert.ok(await waitFor(() => connectRefused(p2), 7000));
  });

  test('health state survives a reload: a DOWN server stays DOWN without a new check', async (t) => {
    s2.health = 'fail';
    await reload(config({ check2: true }));
    assert.ok(
      await waitFor(async () => (await healthGet(health)).backends[0]!.up === 1, 5000),
      'the failing check takes s2 DOWN',
    );
    // from now on a check would take 3 s (timeout check) to say anything: only the carried-over
    // state can keep s2 out of rotation right after the reload
    s2.health = 'hang';
    await reload(config({ check2: true, w1: 2 }));
    assert.equal((await healthGet(health)).backends[0]!.up, 1, 'still one server up after the reload');
    const load = loadLoop(p1, { connections: 2 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses >= 100, 5000));
    const c = await load.stop();
    assert.equal(c.bodies.s2 ?? 0, 0, `s2 got no traffic: ${JSON.stringify(c.bodies)}`);
    s2.health = 'ok';
  });

  test('the runtime API answers across reloads, and a server disabled on it stays disabled', async (t) => {
    await reload(config({ cli: true }));
    const cli = (cmd: string) =>
      new Promise<string>((resolve, reject) => {
        const c = net.createConnection(join(lb.dir, 'admin.sock'));
        let out = '';
        c.on('connect', () => c.write(`${cmd}\n`));
        c.on('data', (d) => {
          out += d;
        });
        c.on('end', () => resolve(out));
        c.on('error', reject);
      });
    assert.match(await cli('show info'), /^Name: /m);
    await cli('disable server app/s2');
    for (let i = 0; i < 2; i++) {
      await reload(config({ cli: true, w1: 2 + i }));
      // the socket is there for the new engine (not unlinked by the old one closing its own)
      assert.match(await cli('show info'), /^Pid: /m, `show info after reload ${i + 1}`);
    }
    assert.match(await cli('show servers state app'), /\bs2\b/);
    const load = loadLoop(p1, { connections: 2 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses >= 100, 5000));
    const c = await load.stop();
    assert.equal(
      c.bodies.s2 ?? 0,
      0,
      `s2 (disabled on the socket) got no traffic: ${JSON.stringify(c.bodies)}`,
    );
    await cli('enable server app/s2');
  });
});
