/**
 * A reload (SIGHUP, as systemd's ExecReload sends) re-reads the certificates of the running TLS binds:
 * new handshakes get the new certificate, without a restart and without dropping the listener.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import tls from 'node:tls';
import { freePort } from './support/ports.ts';
import { startBalancer } from './support/proc.ts';
import { makeTestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';

const certs = makeTestCerts();
after(() => certs.remove());

function servedCn(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cn = /CN=([^\n]*)/.exec(s.getPeerX509Certificate()?.subject ?? '')?.[1] ?? null;
      s.destroy();
      resolve(cn);
    });
    s.on('error', () => resolve(null));
  });
}

test('SIGHUP reloads the certificate of a TLS bind', async () => {
  const site = join(certs.dir, 'site.pem');
  copyFileSync(join(certs.crtDir, '10-a.pem'), site);
  const port = await freePort();
  const cfg = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${port} ssl crt ${site}
    default_backend be
backend be
    server s 127.0.0.1:1
`;
  const bal = await startBalancer(cfg, [port]);
  try {
    assert.equal(await servedCn(port), 'a.test');
    copyFileSync(join(certs.crtDir, '30-multi.pem'), site);
    assert.equal(await servedCn(port), 'a.test', 'nothing changes before the reload');
    bal.child.kill('SIGHUP');
    assert.ok(await waitFor(() => bal.output().includes('TLS certificates reloaded'), 5000), bal.output());
    assert.equal(await servedCn(port), 'c.test');
    assert.equal(bal.alive(), true);
  } finally {
    await bal.stop();
  }
});
