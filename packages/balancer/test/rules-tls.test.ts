/**
 * The rule engine sees a connection's TLS: `ssl_fc` is true on a `bind … ssl` listener and false in
 * clear text (so the usual `redirect scheme https unless { ssl_fc }` neither loops nor lets clear text
 * through), and the other ssl_fc_* fetches come from tls/tls-fetches.ts.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import tls from 'node:tls';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { quiet } from './support/harness.ts';
import { freePortSync } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';

const CERT = new URL('../../shared-config/test/fixtures/haproxy/certs/site.pem', import.meta.url).pathname;
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tlsGet(port: number, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false }, () => {
      s.write('GET /p HTTP/1.1\r\nHost: ex.com\r\nConnection: close\r\n\r\n');
    });
    let text = '';
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('error', reject);
    s.on('close', () => resolve(text));
    s.setTimeout(4000, () => s.destroy());
  });
}

test('ssl_fc and ssl_fc_sni in rules: https answered, clear text redirected', async () => {
  const [plain, secure] = [freePortSync(), freePortSync()];
  const text = `defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${plain}\n    bind 127.0.0.1:${secure} ssl crt ${CERT}\n    http-request redirect scheme https unless { ssl_fc }\n    http-request return status 200 hdr x-tls "%[ssl_fc] %[ssl_fc_sni]"\n    default_backend b\nbackend b\n`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'alert'),
    [],
  );
  const engine = await startEngine(loaded.engine!, quiet);
  cleanups.push(() => engine.stop(0));
  const clear = await exchange(plain, 'GET /p HTTP/1.1\r\nHost: ex.com\r\nConnection: close\r\n\r\n', {
    ms: 4000,
  });
  assert.match(clear.text, /^HTTP\/1\.1 302 Found\r\n[\s\S]*location: https:\/\/ex\.com\/p\r\n/);
  const https = await tlsGet(secure, 'www.example.test');
  assert.match(https, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(https, /\r\nx-tls: 1 www\.example\.test\r\n/);
});
