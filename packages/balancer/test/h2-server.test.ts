/**
 * HTTP/2 to servers against what the real haproxy 2.6 did (h2-server-expected.json, from
 * h2-server-record.ts): `server … proto h2` (clear text, prior knowledge) and `server … ssl alpn h2`;
 * for each request from an HTTP/1.1 client (and one from an HTTP/2 client) the header list the HTTP/2
 * server read — pseudo-headers and fields, in order — its body, and the response the client got; and,
 * per `http-reuse` mode, how many server connections three patterns opened (streams multiplexed on
 * shared connections).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { H2_SERVER_EXPECTED } from './h2-server-record.ts';
import { H2S_DEFAULTS, type H2sRecording, runH2sRecording } from './h2-server-scenarios.ts';
import { makeTempDir } from './support/env.ts';
import { startH2Origin } from './support/h2-origin.ts';
import { freePort } from './support/ports.ts';
import { startBalancer } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';

const expected = JSON.parse(readFileSync(H2_SERVER_EXPECTED, 'utf8')) as H2sRecording;

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs?.remove());

describe('HTTP/2 to servers as haproxy 2.6 speaks it', () => {
  let got: H2sRecording;
  before(async () => {
    got = await runH2sRecording(certs, async (cfg, ports) => {
      const b = await startBalancer(`${H2S_DEFAULTS}${cfg}`, ports);
      return () => b.stop();
    });
  });
  for (const name of Object.keys(expected.requests))
    test(`request: ${name}`, () => {
      assert.deepEqual(got.requests[name], expected.requests[name]);
    });
  test('an HTTP/1.1 WebSocket to an HTTP/2 server: an extended CONNECT, the 200 as a 101, the echo', () => {
    assert.deepEqual(got.websocket.connect, expected.websocket.connect);
  });
  test('an HTTP/1.1 WebSocket to an HTTP/2 server without SETTINGS_ENABLE_CONNECT_PROTOCOL: 502', () => {
    assert.deepEqual(got.websocket.plain, expected.websocket.plain);
  });
  for (const mode of Object.keys(expected.reuse))
    test(`http-reuse ${mode}: new server connections per pattern`, () => {
      assert.deepEqual(got.reuse[mode], expected.reuse[mode]);
    });
});

describe('health checks of HTTP/2 servers', () => {
  test('a TCP check and an SSL check keep `proto h2` and `ssl alpn h2` servers up, and traffic flows', async () => {
    const clear = await startH2Origin();
    const tls = await startH2Origin({ pem: certs.backend });
    const tmp = makeTempDir('h2-checks');
    const sock = `${tmp.dir}/stats.sock`;
    const port = await freePort();
    const b = await startBalancer(
      `global\n    stats socket ${sock} level admin\n${H2S_DEFAULTS}frontend fe\n    bind 127.0.0.1:${port}\n` +
        `    use_backend be_tls if { path_beg /tls }\n    default_backend be_clear\n` +
        `backend be_clear\n    server s1 127.0.0.1:${clear.port} proto h2 check inter 200 fall 1 rise 1\n` +
        `backend be_tls\n    server s2 127.0.0.1:${tls.port} ssl verify none alpn h2 check inter 200 fall 1 rise 1\n`,
      [port],
    );
    try {
      // each server's status and the result of its last check, read by the CSV header's names
      const status = async () => {
        const [head, ...rows] = (await statsCommand(sock, 'show stat')).split('\n');
        const names = head.replace(/^# /, '').split(',');
        const at = (row: string[], n: string) => row[names.indexOf(n)];
        return rows
          .map((l) => l.split(','))
          .filter((r) => (r[0] === 'be_clear' && r[1] === 's1') || (r[0] === 'be_tls' && r[1] === 's2'))
          .map((r) => `${at(r, 'status')} ${at(r, 'check_status')}`)
          .join(', ');
      };
      // (fall 1: a failed check would show DOWN; the TLS check completes its handshake: L6OK)
      assert.ok(await waitFor(async () => (await status()) === 'UP L4OK, UP L6OK', 5000), await status());
      for (const path of ['/x', '/tls/y']) {
        const ex = await exchange(
          port,
          `GET ${path} HTTP/1.1\r\nHost: h2.test\r\nConnection: close\r\n\r\n`,
          { ms: 4000 },
        );
        assert.equal(ex.responses[0]?.status, 200, path);
      }
    } finally {
      await b.stop();
      await clear.close();
      await tls.close();
      tmp.remove();
    }
  });
});

describe('failures on HTTP/2 server connections', () => {
  test('a stream the server does not answer within timeout server is a 504; a server that is gone, a 503', async () => {
    const origin = await startH2Origin();
    const port = await freePort();
    const b = await startBalancer(
      `${H2S_DEFAULTS.replace('timeout server 5s', 'timeout server 500ms')}frontend fe\n    bind 127.0.0.1:${port}\n` +
        `    default_backend be\nbackend be\n    server s1 127.0.0.1:${origin.port} proto h2\n`,
      [port],
    );
    const get = (path: string) =>
      exchange(port, `GET ${path} HTTP/1.1\r\nHost: h2.test\r\n\r\n`, {
        ms: 8000,
        idleMs: 200,
        slowIdleMs: 8000,
      });
    try {
      assert.equal((await get('/hold')).responses[0]?.status, 504, 'held by the server past timeout server');
      assert.equal((await get('/ok')).responses[0]?.status, 200, 'the next request is served');
      await origin.close();
      // connection refused: the retries (3, a second apart) run out
      assert.equal((await get('/gone')).responses[0]?.status, 503);
    } finally {
      await b.stop();
      await origin.close();
    }
  });
});
