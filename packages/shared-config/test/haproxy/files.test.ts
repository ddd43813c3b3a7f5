import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expandConfigPaths, loadHaproxyConfig } from '../../src/haproxy/index.ts';
import { alerts, brief } from './helpers.ts';

describe('several -f files and directories', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haproxy-cfg-'));
    writeFileSync(
      join(dir, 'main.cfg'),
      'global\n    maxconn 100\ndefaults\n    mode http\n    timeout client 5s\n',
    );
    mkdirSync(join(dir, 'conf.d'));
    // Lexical order: 10-… before 20-…; the defaults section started in main.cfg continues in 10-…
    writeFileSync(join(dir, 'conf.d', '20-backend.cfg'), 'backend app\n    server a 10.0.0.1:80\n');
    writeFileSync(
      join(dir, 'conf.d', '10-front.cfg'),
      '    timeout server 5s\n    timeout connect 1s\nfrontend www\n    bind :80\n    default_backend app\n',
    );
    writeFileSync(join(dir, 'conf.d', '.hidden.cfg'), 'this would not parse\n');
    writeFileSync(join(dir, 'conf.d', 'notes.txt'), 'neither would this\n');
    mkdirSync(join(dir, 'conf.d', 'sub.cfg'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a directory contributes its non-hidden *.cfg files in lexical order', () => {
    const { files } = expandConfigPaths([join(dir, 'main.cfg'), join(dir, 'conf.d')]);
    assert.deepEqual(files, [
      join(dir, 'main.cfg'),
      join(dir, 'conf.d', '10-front.cfg'),
      join(dir, 'conf.d', '20-backend.cfg'),
    ]);
  });

  test('files are merged in order and sections continue across files', () => {
    const r = loadHaproxyConfig([join(dir, 'main.cfg'), join(dir, 'conf.d')], { env: {} });
    assert.deepEqual(brief(r.diagnostics), []);
    const [www, app] = r.config!.proxies;
    assert.equal(r.config!.global.maxconn, 100);
    assert.deepEqual(
      [www.name, www.mode, www.timeouts.client, www.file, www.line],
      ['www', 'http', 5000, join(dir, 'conf.d', '10-front.cfg'), 3],
    );
    assert.deepEqual(
      [app.timeouts.server, app.timeouts.connect, app.file],
      [5000, 1000, join(dir, 'conf.d', '20-backend.cfg')],
    );
  });

  test('diagnostics name the file and line where the problem is', () => {
    writeFileSync(join(dir, 'bad.cfg'), 'backend x\n    sever a 1.2.3.4:80\n');
    const r = loadHaproxyConfig([join(dir, 'main.cfg'), join(dir, 'bad.cfg')], { env: {} });
    assert.deepEqual(alerts(r.diagnostics), [
      `${join(dir, 'bad.cfg')}:2 unknown keyword 'sever' in 'backend' section; did you mean 'server' maybe ?`,
    ]);
    assert.equal(r.config, null);
  });

  test('a missing file is an alert', () => {
    const r = loadHaproxyConfig([join(dir, 'nope.cfg')], { env: {} });
    assert.deepEqual(brief(r.diagnostics), [
      `alert ${join(dir, 'nope.cfg')}:0 Cannot open configuration file/directory ${join(dir, 'nope.cfg')} : No such file or directory`,
    ]);
    assert.equal(r.config, null);
  });
});

/** `<repo>/packages/shared-config/test/haproxy/` → the fixtures copy of the seed. */
const SEED_COPY = fileURLToPath(new URL('../fixtures/seed/haproxy.cfg', import.meta.url));

describe('the seed haproxy.cfg', () => {
  test('parses with only the legacy-bind warning (what is not in effect is the balancer’s to say)', () => {
    const r = loadHaproxyConfig([SEED_COPY], { env: {} });
    assert.ok(r.config, 'the seed must produce a model');
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line]),
      [['CFG_WARN_LEGACY', 33]],
    );
  });

  test('produces the model the engine needs', () => {
    const c = loadHaproxyConfig([SEED_COPY], { env: {} }).config!;
    assert.deepEqual(
      [c.global.maxconn, c.global.daemon, c.global.pidfile, c.global.chroot],
      [20000, true, '/var/run/haproxy.pid', '/var/lib/haproxy'],
    );
    const [proxy, dynamic, statistics] = c.proxies;
    assert.deepEqual(
      [proxy.name, proxy.kind, proxy.mode, proxy.defaultBackend, proxy.maxconn, proxy.retries],
      ['proxy', 'frontend', 'http', 'dynamic', 5000, 3],
    );
    assert.deepEqual(
      proxy.binds.map((b) => [b.address, b.legacy]),
      [[{ kind: 'inet', family: null, host: '', hostname: false, portMin: 80, portMax: 80 }, true]],
    );
    assert.deepEqual(proxy.timeouts, {
      client: 60000,
      server: 60000,
      connect: 10000,
      httpRequest: 10000,
      httpKeepAlive: 10000,
      queue: 60000,
      tunnel: null,
      clientFin: null,
      serverFin: null,
      check: 10000,
      tarpit: null,
    });
    assert.deepEqual(proxy.options.forwardfor, {
      except: { family: 4, address: '127.0.0.0', prefix: 8 },
      header: 'x-forwarded-for',
      ifNone: false,
    });
    assert.equal(proxy.options.httpServerClose, true);
    assert.deepEqual(
      dynamic.servers.map((s) => [s.name, s.address, s.check, s.inter, s.rise, s.fall, s.maxconn, s.cookie]),
      [
        [
          'web1',
          { kind: 'inet', family: 4, host: '172.18.218.149', hostname: false, portMin: 80, portMax: 80 },
          true,
          3000,
          2,
          3,
          5000,
          'A',
        ],
        [
          'web2',
          { kind: 'inet', family: 4, host: '172.18.216.107', hostname: false, portMin: 80, portMax: 80 },
          true,
          3000,
          2,
          3,
          5000,
          'B',
        ],
      ],
    );
    assert.deepEqual(
      [dynamic.cookie?.name, dynamic.cookie?.mode, dynamic.cookie?.indirect, dynamic.cookie?.nocache],
      ['SESSION_ID', 'insert', true, true],
    );
    assert.deepEqual(
      [
        statistics.kind,
        statistics.stats?.enabled,
        statistics.stats?.uri,
        statistics.stats?.auth,
        statistics.stats?.refresh,
        statistics.stats?.hideVersion,
      ],
      ['listen', true, '/admin?stats', [{ user: 'admin', password: 'admin' }], 5000, true],
    );
  });
});
