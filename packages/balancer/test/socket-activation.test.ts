/**
 * systemd socket activation: the balancer started as systemd starts it (support/socket-activate.ts:
 * sockets bound first, passed as fds 3… with LISTEN_FDS/LISTEN_FDNAMES/LISTEN_PID) serves a
 * `bind ADDRESS` line on the passed socket with that address instead of binding its own, warns about
 * a passed socket no bind uses, and keeps serving on it across a reload.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BALANCER_BIN, makeTempDir } from './support/env.ts';
import { freePorts } from './support/ports.ts';
import { childPids, type Managed } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { socketActivate } from './support/socket-activate.ts';
import { waitFor } from './support/wait-for.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('sockets passed with LISTEN_FDS serve the binds with their addresses; an unused one is a warning; a reload keeps them', async () => {
  const up = http.createServer((req, res) => res.end(`served ${req.url}`));
  await new Promise<void>((ok) => up.listen(0, '127.0.0.1', ok));
  cleanups.push(() => {
    up.closeAllConnections();
    up.close();
  });
  const [web, extra] = await freePorts(2);
  const tmp = makeTempDir('activate');
  cleanups.push(tmp.remove);
  const cfg = join(tmp.dir, 'haproxy.cfg');
  const text = (path: string) =>
    [
      'global',
      `    health-socket ${join(tmp.dir, 'health.sock')}`,
      'defaults',
      '    mode http',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      'frontend web',
      `    bind 127.0.0.1:${web}`,
      '    default_backend app',
      'backend app',
      `    server s1 127.0.0.1:${(up.address() as net.AddressInfo).port} # ${path}`,
      '',
    ].join('\n');
  writeFileSync(cfg, text('first'));
  const lb: Managed = await socketActivate(
    [
      { name: 'web', host: '127.0.0.1', port: web! },
      { name: 'extra', host: '127.0.0.1', port: extra! },
    ],
    process.execPath,
    [BALANCER_BIN, '-V', '-f', cfg],
    tmp.dir,
  );
  cleanups.push(() => lb.stop());
  assert.ok(
    await waitFor(
      () => new RegExp(`proxy web listening on 127\\.0\\.0\\.1:${web}`).test(lb.output()),
      10_000,
    ),
    lb.output(),
  );
  assert.match(lb.output(), /bind at .*haproxy\.cfg:9 serves on the socket systemd passed as fd@3/);
  assert.match(
    lb.output(),
    new RegExp(
      `\\[WARNING\\].*systemd passed fd@4 \\(extra, 127\\.0\\.0\\.1:${extra}\\), which no 'bind' line uses`,
    ),
  );
  // the balancer did not bind its own socket: it listens on the passed one (an own bind on the same
  // address would have failed with "Address already in use" while fd@4 is held open the same way)
  const r = await exchange(web!, ['GET /one HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
  assert.match(r.text, /served \/one/);

  writeFileSync(cfg, text('second'));
  lb.child.kill('SIGUSR2');
  assert.ok(
    await waitFor(() => /new configuration applied \(1 listeners taken over/.test(lb.output()), 10_000),
    lb.output(),
  );
  const r2 = await exchange(web!, ['GET /two HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
  assert.match(r2.text, /served \/two/);
});

test('with nbthread 2 the workers serve the socket systemd passed (the master holds it), across a reload', async () => {
  const up = http.createServer((req, res) => res.end(`served ${req.url}`));
  await new Promise<void>((ok) => up.listen(0, '127.0.0.1', ok));
  cleanups.push(() => {
    up.closeAllConnections();
    up.close();
  });
  const [web] = await freePorts(1);
  const tmp = makeTempDir('activate-workers');
  cleanups.push(tmp.remove);
  const cfg = join(tmp.dir, 'haproxy.cfg');
  const text = (n: number) =>
    [
      'global',
      '    nbthread 2',
      `    health-socket ${join(tmp.dir, 'health.sock')}`,
      'defaults',
      '    mode http',
      '    timeout connect 1s',
      `    timeout client ${n}s`,
      '    timeout server 5s',
      'frontend web',
      `    bind 127.0.0.1:${web}`,
      '    default_backend app',
      'backend app',
      `    server s1 127.0.0.1:${(up.address() as net.AddressInfo).port}`,
      '',
    ].join('\n');
  writeFileSync(cfg, text(5));
  const lb: Managed = await socketActivate(
    [{ name: 'web', host: '127.0.0.1', port: web! }],
    process.execPath,
    [BALANCER_BIN, '-V', '-f', cfg],
    tmp.dir,
  );
  cleanups.push(() => lb.stop());
  assert.ok(await waitFor(() => /2 worker processes serve/.test(lb.output()), 20_000), lb.output());
  assert.match(lb.output(), /bind at .*haproxy\.cfg:10 serves on the socket systemd passed as fd@3/);
  for (let i = 0; i < 6; i++) {
    const r = await exchange(web!, [`GET /w${i} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`]);
    assert.match(r.text, new RegExp(`served /w${i}`));
  }
  writeFileSync(cfg, text(6));
  lb.child.kill('SIGUSR2');
  assert.ok(
    await waitFor(() => /new configuration applied \(1 listeners taken over/.test(lb.output()), 10_000),
    lb.output(),
  );
  const r2 = await exchange(web!, ['GET /after HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
  assert.match(r2.text, /served \/after/);
});

test("the unit's -Ws: the master takes systemd's socket and its one worker serves on it", async () => {
  const up = http.createServer((req, res) => res.end(`served ${req.url}`));
  await new Promise<void>((ok) => up.listen(0, '127.0.0.1', ok));
  cleanups.push(() => {
    up.closeAllConnections();
    up.close();
  });
  const [web] = await freePorts(1);
  const tmp = makeTempDir('activate-ws');
  cleanups.push(tmp.remove);
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global\n    daemon\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend web\n    bind 127.0.0.1:${web}\n    default_backend app\nbackend app\n    server s1 127.0.0.1:${(up.address() as net.AddressInfo).port}\n`,
  );
  const lb: Managed = await socketActivate(
    [{ name: 'web', host: '127.0.0.1', port: web! }],
    process.execPath,
    [BALANCER_BIN, '-Ws', '-V', '-f', cfg],
    tmp.dir,
  );
  cleanups.push(() => lb.stop());
  assert.ok(await waitFor(() => /Loading success\./.test(lb.output()), 15_000), lb.output());
  assert.match(lb.output(), /serves on the socket systemd passed as fd@3/);
  // `daemon` is ignored under -Ws: the started process stays, with its worker
  assert.ok(lb.alive(), lb.output());
  assert.equal(childPids(lb.pid).length, 1, lb.output());
  const r = await exchange(web!, ['GET /ws HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n']);
  assert.match(r.text, /served \/ws/);
});
