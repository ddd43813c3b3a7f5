/**
 * A server written as a name (`server s1 localhost:PORT`) is resolved once, while the configuration is
 * loaded, as haproxy 2.6's srv_init_addr() (config/checks/server-addresses.ts; `-c`'s alerts for names
 * that do not resolve are in check-haproxy.json): requests reach it, and `show servers state` says what
 * haproxy's says — srv_addr the address, srv_fqdn the name. The same configuration runs through haproxy
 * and the balancer here; the rows are compared with the seconds since the last change masked.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS } from './support/config-lines.ts';
import { makeTempDir } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, type Managed, startBalancer, startHaproxy } from './support/proc.ts';
import { runtimeLine } from './support/runtime-api.ts';

function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(`${res.statusCode} ${b}`));
      })
      .on('error', reject);
  });
}

/** `show servers state`'s server rows, srv_time_since_last_change (the 10th field) masked. */
const rows = (text: string) =>
  text
    .split('\n')
    .filter((l) => /^\d+ /.test(l))
    .map((l) =>
      l
        .split(' ')
        .map((f, i) => (i === 9 ? 'T' : f))
        .join(' '),
    );

describe('server addresses written as names', {
  skip: haproxyPath() ? false : 'haproxy not installed',
}, () => {
  const tmp = makeTempDir('server-names');
  let up: http.Server;
  let upPort = 0;
  before(async () => {
    up = http.createServer((_req, res) => res.end('up'));
    await new Promise<void>((ok) => up.listen(0, '127.0.0.1', ok));
    upPort = (up.address() as { port: number }).port;
  });
  after(() => {
    up.close();
    tmp.remove();
  });

  const config = (port: number, sock: string) =>
    [
      'global',
      `    stats socket ${sock} level admin`,
      ...HTTP_DEFAULTS,
      'frontend fe',
      `    bind 127.0.0.1:${port}`,
      '    default_backend be',
      'backend be',
      '    balance first',
      `    server byname localhost:${upPort}`,
      `    server byaddr 127.0.0.1:${upPort}`,
      '',
    ].join('\n');

  it('are served, and show servers state reads as haproxy’s', async () => {
    const seen: Record<string, { state: string[]; answer: string }> = {};
    for (const kind of ['haproxy', 'balancer'] as const) {
      const port = await freePort();
      const sock = join(tmp.dir, `${kind}.sock`);
      const p: Managed = await (kind === 'haproxy' ? startHaproxy : startBalancer)(config(port, sock), [
        port,
      ]);
      try {
        seen[kind] = {
          answer: await get(port),
          state: rows(await runtimeLine(sock, 'show servers state be')),
        };
      } finally {
        await p.stop();
      }
    }
    assert.equal(seen.balancer.answer, '200 up');
    assert.equal(seen.haproxy.answer, '200 up');
    assert.equal(seen.haproxy.state.length, 2, 'two servers');
    assert.match(
      seen.haproxy.state[0],
      / byname 127\.0\.0\.1 .* localhost /,
      'haproxy: the address, then the name',
    );
    assert.deepEqual(seen.balancer.state, seen.haproxy.state);
  });
});
