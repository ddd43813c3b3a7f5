/**
 * `-sf PID` / `-st PID`: a second balancer process takes over from a running one under load (both
 * bind the port with SO_REUSEPORT; the old one is told SIGUSR1 or SIGTERM once the new one serves).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BALANCER_BIN } from './support/env.ts';
import { loadLoop } from './support/load-loop.ts';
import { freePort } from './support/ports.ts';
import { childPids, type Managed, spawnManaged, startBalancer } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

describe('-sf / -st hand-over between two processes', () => {
  let up: http.Server;
  let port = 0;
  const procs: Managed[] = [];
  let cfgText = '';
  before(async () => {
    up = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((ok) => up.listen(0, '127.0.0.1', ok));
    port = await freePort();
    cfgText = [
      'global',
      '    hard-stop-after 5s',
      'defaults',
      '    mode http',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      'frontend web',
      `    bind 127.0.0.1:${port}`,
      '    default_backend app',
      'backend app',
      `    server s1 127.0.0.1:${(up.address() as net.AddressInfo).port}`,
      '',
    ].join('\n');
  });
  after(async () => {
    for (const p of procs) await p.stop();
    up.closeAllConnections();
    up.close();
  });

  const next = (old: Managed, flag: '-sf' | '-st') => {
    const m = spawnManaged(
      process.execPath,
      [BALANCER_BIN, '-V', '-f', join(old.dir, 'haproxy.cfg'), flag, String(old.pid)],
      old.dir,
    );
    procs.push(m);
    return m;
  };

  test('-sf under load: the new process serves, the old one finishes and exits; no request lost', async (t) => {
    const a = await startBalancer(cfgText, [port]);
    procs.push(a);
    const load = loadLoop(port, { connections: 8 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses > 200, 5000));
    const b = next(a, '-sf');
    await waitFor(() => a.output().includes('SIGUSR1'), 8000);
    const t1 = Date.now();
    assert.ok(await waitFor(() => !a.alive(), 8000), `the old process exits:\n${a.output()}\n${b.output()}`);
    assert.match(a.output(), /SIGUSR1 received: soft stop/);
    // its keep-alive clients left after their next response, long before hard-stop-after (5 s) cut them
    assert.ok(Date.now() - t1 < 4000, `the old process took ${Date.now() - t1} ms to finish`);
    const at = load.counts.responses;
    assert.ok(await waitFor(() => load.counts.responses > at + 200, 5000), 'the new process serves');
    const c = await load.stop();
    assert.equal(c.socketErrors, 0, `socket errors: ${c.errors.join(', ')}`);
    assert.equal(c.non2xx, 0, JSON.stringify(c.statuses));
    assert.ok(b.alive(), b.output());
    // -st: the next one terminates it at once
    const d = next(b, '-st');
    assert.ok(await waitFor(() => !b.alive(), 5000), b.output());
    assert.match(b.output(), /SIGTERM received: stopping now/);
    assert.ok(await waitFor(() => /health API on unix@/.test(d.output()), 5000), d.output());
  });

  test('-sf to a balancer with worker processes (nbthread 2) under load: no request lost', async (t) => {
    const a = await startBalancer(cfgText, [port]);
    procs.push(a);
    const cfg2 = join(a.dir, 'workers.cfg');
    writeFileSync(
      cfg2,
      cfgText.replace('global\n', `global\n    nbthread 2\n    health-socket ${join(a.dir, 'h2.sock')}\n`),
    );
    const load = loadLoop(port, { connections: 8 });
    t.after(() => load.stop());
    assert.ok(await waitFor(() => load.counts.responses > 200, 5000));
    const b = spawnManaged(process.execPath, [BALANCER_BIN, '-V', '-f', cfg2, '-sf', String(a.pid)], a.dir);
    procs.push(b);
    assert.ok(
      await waitFor(() => !a.alive(), 20_000),
      `the old process exits:\n${a.output()}\n${b.output()}`,
    );
    assert.equal(childPids(b.pid).length, 2, b.output());
    const at = load.counts.responses;
    assert.ok(await waitFor(() => load.counts.responses > at + 200, 5000), 'the workers serve');
    const c = await load.stop();
    assert.equal(c.socketErrors, 0, `socket errors: ${c.errors.join(', ')}`);
    assert.equal(c.non2xx, 0, JSON.stringify(c.statuses));
    await b.stop();
  });
});
