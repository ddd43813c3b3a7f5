/**
 * HTTP/2 from clients against what the real haproxy 2.6 did (h2-expected.json, from h2-record.ts):
 * the same configuration (a TLS bind with `alpn h2,http/1.1`, a clear-text `proto h2` bind, rules
 * routing to two HTTP/1.1 backends, a persistence cookie), every probe a stream and all of them at
 * once on one connection — the status, the response fields and body (or RST_STREAM code) the client
 * got, the HTTP/1.1 request each server read, and the access lines.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { h2Connect, h2Get, withH2Proxy } from './h2-effects.ts';
import { H2_EXPECTED, type H2Recording, runH2Recording } from './h2-record.ts';
import { H2_DEFAULTS } from './h2-scenarios.ts';
import { which } from './support/env.ts';
import { okResponder, quiet, startUpstream } from './support/harness.ts';
import { freePort } from './support/ports.ts';
import { statsCommand } from './support/stats-socket.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';

const expected = JSON.parse(readFileSync(H2_EXPECTED, 'utf8')) as H2Recording;

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs?.remove());

async function serve(cfg: string): Promise<Engine> {
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text: `${H2_DEFAULTS}${cfg}` }], { env: {} });
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message);
  assert.deepEqual(alerts, [], 'the configuration must load');
  assert.ok(loaded.engine);
  return startEngine(loaded.engine, quiet);
}

/**
 * The differences, written down (packages/balancer/README.md, HTTP/2): fields a response's
 * `Connection` names are dropped (RFC 9110 §7.6.1; HAProxy 2.6 passes them to HTTP/2 clients), and a
 * stream whose DATA falls short of its content-length was already on its way to the server when
 * nghttp2 reset it (Node hands a stream over at its HEADERS frame), so its line names the server with
 * no status (`be1/s1 0 CH`) where haproxy, which read the whole stream first, logs `<NOSRV> -1 CR`.
 */
function withDifferences(bind: 'tls' | 'clear', name: string) {
  const want = structuredClone(expected[bind][name]);
  if (name === 'hop-by-hop-response') want.headers = want.headers.filter(([n]) => n !== 'x-hop');
  return want;
}
const CUT_SHORT = /^be1\/\S+ -?\d+ C. "POST https:\/\/h2.test\/a HTTP\/2.0"$/;

describe('HTTP/2 clients as haproxy 2.6 serves them', () => {
  let got: H2Recording;
  before(async () => {
    got = await runH2Recording(certs, async (cfg) => {
      const engine = await serve(cfg);
      return () => engine.stop(0);
    });
  });
  for (const bind of ['tls', 'clear'] as const)
    for (const name of Object.keys(expected.tls))
      test(`${bind === 'tls' ? 'TLS, ALPN h2' : 'clear text, proto h2'}: ${name}`, () => {
        assert.deepEqual(got[bind][name], withDifferences(bind, name));
      });
  for (const name of Object.keys(expected.upgrade))
    test(`HTTP/1 bind, upgraded by the HTTP/2 preface: ${name}`, () => {
      assert.deepEqual(got.upgrade[name], expected.upgrade[name]);
    });
  test('one access line per stream, as haproxy logs them', () => {
    const short = (l: string) => l.includes('CRNN') || l.includes('CHNN');
    assert.deepEqual(
      got.logs.filter((l) => !short(l)),
      expected.logs.filter((l) => !short(l)),
    );
    const cut = got.logs.filter(short).map((l) => l.replace(/NN "/, ' "'));
    assert.equal(cut.length, 2, 'the two streams cut short are logged');
    for (const l of cut) assert.match(l, CUT_SHORT);
  });
});

/** An upstream: `/slow` answers after 300 ms, `/die` closes without answering, others `ok PATH`. */
async function slowUpstream() {
  return startUpstream((req, socket, up, conn) => {
    const path = req.split(' ')[1];
    if (path === '/die') socket.destroy();
    else if (path === '/slow') setTimeout(() => okResponder(req, socket, up, conn), 300);
    else okResponder(req, socket, up, conn);
  });
}

const ONE_BACKEND = (up: number) =>
  `frontend fe\n    bind 127.0.0.1:{{port}} proto h2\n    default_backend be\nbackend be\n    server s 127.0.0.1:${up}\n`;

describe('HTTP/2 streams are independent exchanges', () => {
  test('a stream that fails or is reset does not touch its siblings', async () => {
    const up = await slowUpstream();
    try {
      await withH2Proxy(ONE_BACKEND(up.port), async (port) => {
        const s = await h2Connect(port);
        const slow = h2Get(s, '/slow');
        const dies = h2Get(s, '/die');
        // a stream the client gives up on while its server is still thinking
        const cancelled = s.request({ ':path': '/slow', ':authority': 'h2.test' });
        cancelled.on('error', () => {});
        await waitFor(() => up.requests.filter((r) => r.startsWith('GET /slow ')).length === 2, 3000);
        cancelled.close(http2.constants.NGHTTP2_CANCEL);
        const fine = await h2Get(s, '/fine');
        assert.deepEqual(fine, { status: 200, body: 'ok /fine', rst: 0 });
        assert.equal((await dies).status, 502, 'the server that closed: 502 on that stream only');
        assert.deepEqual(await slow, { status: 200, body: 'ok /slow', rst: 0 });
        assert.deepEqual(await h2Get(s, '/after'), { status: 200, body: 'ok /after', rst: 0 });
        await new Promise<void>((r) => s.close(() => r()));
      });
    } finally {
      await up.close();
    }
  });

  test('a graceful stop sends GOAWAY and lets the stream in flight finish', async () => {
    const up = await slowUpstream();
    try {
      await withH2Proxy(ONE_BACKEND(up.port), async (port, engine) => {
        const s = await h2Connect(port);
        let goaway: number | null = null;
        s.on('goaway', (code) => {
          goaway = code;
        });
        const slow = h2Get(s, '/slow');
        await waitFor(() => up.requests.length === 1, 3000);
        const stopped = engine.stop(5000);
        assert.deepEqual(await slow, { status: 200, body: 'ok /slow', rst: 0 });
        assert.ok(await waitFor(() => goaway !== null, 3000), 'GOAWAY received');
        assert.equal(goaway, http2.constants.NGHTTP2_NO_ERROR);
        await stopped;
        assert.ok(await waitFor(() => s.closed || s.destroyed, 3000), 'the connection ends');
      });
    } finally {
      await up.close();
    }
  });

  test('a reload retires the engine: GOAWAY at once, the stream in flight finishes', async () => {
    const up = await slowUpstream();
    try {
      await withH2Proxy(ONE_BACKEND(up.port), async (port, engine) => {
        const s = await h2Connect(port);
        let goaway = false;
        s.on('goaway', () => {
          goaway = true;
        });
        const slow = h2Get(s, '/slow');
        await waitFor(() => up.requests.length === 1, 3000);
        const retired = engine.retire(5000);
        assert.ok(await waitFor(() => goaway, 3000), 'GOAWAY before the response');
        assert.deepEqual(await slow, { status: 200, body: 'ok /slow', rst: 0 });
        assert.equal(await retired, 0, 'nothing left to cut');
      });
    } finally {
      await up.close();
    }
  });

  test('timeout client on a stream whose body never comes: that stream is reset, not its siblings', async () => {
    const up = await slowUpstream();
    try {
      await withH2Proxy(
        `frontend fe\n    timeout client 300\n    bind 127.0.0.1:{{port}} proto h2\n    default_backend be\nbackend be\n    server s 127.0.0.1:${up.port}\n`,
        async (port) => {
          const s = await h2Connect(port);
          const stalled = s.request(
            { ':method': 'POST', ':path': '/stall', ':authority': 'h2.test' },
            { endStream: false },
          );
          stalled.on('error', () => {});
          stalled.write('part'); // and nothing more
          const ended = new Promise<number>((r) => stalled.on('close', () => r(stalled.rstCode ?? 0)));
          const slow = await h2Get(s, '/slow');
          assert.deepEqual(slow, { status: 200, body: 'ok /slow', rst: 0 });
          assert.notEqual(await ended, 0, 'the stalled stream was reset');
          assert.deepEqual(await h2Get(s, '/after'), { status: 200, body: 'ok /after', rst: 0 });
          await new Promise<void>((r) => s.close(() => r()));
        },
      );
    } finally {
      await up.close();
    }
  });

  test("timeout client on a GET whose response the client's window does not take: that stream is reset", async () => {
    const big = Buffer.alloc(256 * 1024, 0x61);
    const up = await startUpstream((req, socket, u, conn) => {
      if (req.split(' ')[1] !== '/big') return okResponder(req, socket, u, conn);
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
      socket.write(big);
    });
    try {
      // timeout client 300 resets it; without that timer only timeout server (5 s) would
      await withH2Proxy(
        `frontend fe\n    timeout client 300\n    bind 127.0.0.1:{{port}} proto h2\n    default_backend be\nbackend be\n    server s 127.0.0.1:${up.port}\n`,
        async (port) => {
          const s = await h2Connect(port);
          const stalled = s.request({ ':path': '/big', ':authority': 'h2.test' });
          stalled.on('error', () => {});
          stalled.pause(); // the body is not read: no WINDOW_UPDATE, the proxy's writes back up
          let rst: number | null = null;
          stalled.on('close', () => {
            rst = stalled.rstCode ?? 0;
          });
          assert.ok(
            await waitFor(() => rst !== null, 3000),
            'the stalled stream is closed by timeout client',
          );
          assert.notEqual(rst, 0, 'the stalled stream was reset');
          s.destroy();
        },
      );
    } finally {
      await up.close();
    }
  });

  test('shutdown sessions server: only the streams on that server are cut', async () => {
    const [a, b] = [await slowUpstream(), await slowUpstream()];
    const sock = join(mkdtempSync(join(tmpdir(), 'h2-stats-')), 'stats.sock');
    try {
      await withH2Proxy(
        `global\n    stats socket ${sock} level admin\nfrontend fe\n    bind 127.0.0.1:{{port}} proto h2\n    use_backend bb if { path_beg /b }\n    default_backend ba\nbackend ba\n    server sa 127.0.0.1:${a.port}\nbackend bb\n    server sb 127.0.0.1:${b.port}\n`,
        async (port) => {
          const s = await h2Connect(port);
          const onA = h2Get(s, '/slow');
          const onB = h2Get(s, '/b/slow');
          await waitFor(() => a.requests.length === 1 && b.requests.length === 1, 3000);
          await statsCommand(sock, 'shutdown sessions server ba/sa');
          assert.equal((await onA).status, null, 'the stream on ba/sa is cut');
          assert.deepEqual(await onB, { status: 200, body: 'ok /b/slow', rst: 0 });
          await new Promise<void>((r) => s.close(() => r()));
        },
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('timeout http-keep-alive: an idle HTTP/2 connection gets GOAWAY', async () => {
    await withH2Proxy(
      'frontend fe\n    timeout http-keep-alive 200\n    bind 127.0.0.1:{{port}} proto h2\n    default_backend be\nbackend be\n    server s 127.0.0.1:{{up}}\n',
      async (port) => {
        const s = await h2Connect(port);
        let goaway = false;
        s.on('goaway', () => {
          goaway = true;
        });
        assert.equal((await h2Get(s, '/x')).status, 200);
        assert.ok(await waitFor(() => goaway && (s.closed || s.destroyed), 3000), 'GOAWAY, then closed');
      },
    );
  });
});

describe('curl speaks HTTP/2 to the balancer', () => {
  const curl = which('curl');
  const hasH2 = curl !== null && /\bHTTP2\b/.test(execFileSync(curl, ['--version'], { encoding: 'latin1' }));
  test('--http2 (ALPN h2), --http2-prior-knowledge (proto h2 and an HTTP/1 bind), --http1.1', {
    skip: !hasH2 && 'curl without HTTP/2',
  }, async () => {
    const up = await startUpstream();
    const [tlsPort, clearPort, plainPort] = [await freePort(), await freePort(), await freePort()];
    const engine = await serve(
      `frontend fe\n    bind 127.0.0.1:${tlsPort} ssl crt ${certs.crtDir} alpn h2,http/1.1\n    bind 127.0.0.1:${clearPort} proto h2\n    bind 127.0.0.1:${plainPort}\n    default_backend be\nbackend be\n    server s 127.0.0.1:${up.port}\n`,
    );
    // -w: the protocol version curl spoke, then the status
    const get = (args: string[], url: string) =>
      new Promise<string>((resolve) => {
        const fixed = ['-s', '-o', '/dev/null', '-w', '%{http_version} %{http_code}', '--cacert', certs.ca];
        execFile(curl!, [...fixed, ...args, url], (_e, out) => resolve(out));
      });
    try {
      const https = `https://default.test:${tlsPort}/a`;
      const resolve = ['--resolve', `default.test:${tlsPort}:127.0.0.1`];
      assert.equal(await get(['--http2', ...resolve], https), '2 200');
      assert.equal(await get(['--http1.1', ...resolve], https), '1.1 200');
      assert.equal(await get(['--http2-prior-knowledge'], `http://127.0.0.1:${clearPort}/b`), '2 200');
      assert.equal(await get(['--http2-prior-knowledge'], `http://127.0.0.1:${plainPort}/c`), '2 200');
      assert.equal(await get(['--http1.1'], `http://127.0.0.1:${plainPort}/d`), '1.1 200');
      assert.deepEqual(
        up.requests.map((r) => r.split('\r\n')[0]),
        ['GET /a HTTP/1.1', 'GET /a HTTP/1.1', 'GET /b HTTP/1.1', 'GET /c HTTP/1.1', 'GET /d HTTP/1.1'],
      );
    } finally {
      await engine.stop(0);
      await up.close();
    }
  });
});
