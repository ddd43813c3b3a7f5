/**
 * WebSocket over HTTP/2 (RFC 8441) to an HTTP/1.1 WebSocket server, against what the real haproxy 2.6
 * did (h2-ws-expected.json, from h2-ws-record.ts): SETTINGS_ENABLE_CONNECT_PROTOCOL on both binds; per
 * extended CONNECT stream the status and fields the client got (200 for the server's 101, its
 * Sec-WebSocket-Accept passed on), the echo of a text frame through the tunnel, and the HTTP/1.1
 * Upgrade the server read (`upgrade`/`connection` after the request's fields, a made-up
 * `Sec-Websocket-Key` last when the client sent none, whose accept is checked: 502 when wrong).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { H2_WS_EXPECTED, runWsRecording } from './h2-ws-record.ts';
import { WS_DEFAULTS, type WsRecording } from './h2-ws-scenarios.ts';
import { startBalancer } from './support/proc.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';

const expected = JSON.parse(readFileSync(H2_WS_EXPECTED, 'utf8')) as WsRecording & { haproxy: string };

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs?.remove());

describe('WebSocket over HTTP/2 as haproxy 2.6 bridges it', () => {
  let got: WsRecording;
  before(async () => {
    got = await runWsRecording(certs, async (cfg, ports) => {
      const b = await startBalancer(`${WS_DEFAULTS}${cfg}`, ports);
      return () => b.stop();
    });
  });

  test('both binds advertise SETTINGS_ENABLE_CONNECT_PROTOCOL', () => {
    assert.deepEqual(got.enableConnectProtocol, expected.enableConnectProtocol);
  });

  for (const bind of ['clear', 'tls'] as const)
    for (const name of Object.keys(expected[bind]))
      test(`${bind}: ${name}`, () => {
        assert.deepEqual(got[bind][name], expected[bind][name]);
      });

  test('the echo came back through the tunnel', () => {
    assert.equal(got.clear.echo.body, 'hello over h2');
    assert.equal(got.tls.echo.body, 'hello over h2');
  });
});
