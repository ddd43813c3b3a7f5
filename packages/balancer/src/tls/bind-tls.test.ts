/**
 * BindTls on its own: a session starts on the decrypted socket only after the handshake, carrying the
 * facts the ssl_fc / ssl_c fetches read; a failed handshake gives the gate's slot back.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { makeTestCerts, type TestCerts } from '../../test/support/tls-certs.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { BindTls } from './bind-tls.ts';
import { certificateNames } from './from-model.ts';
import { type ClientTls, clientTlsOf } from './tls-info.ts';
import type { BindTlsSpec } from './tls-spec.ts';

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs.remove());

function spec(over: Partial<BindTlsSpec> = {}): BindTlsSpec {
  const entry = (file: string) => {
    const pem = readFileSync(`${certs.crtDir}/${file}`);
    return {
      file,
      where: 't.cfg:1',
      cert: pem,
      key: pem,
      names: certificateNames(new X509Certificate(pem)),
      negative: [],
      alpn: null,
    };
  };
  return {
    certs: [entry('00-default.pem'), entry('10-a.pem')],
    alpn: ['http/1.1'],
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: null,
    ciphersuites: null,
    curves: null,
    noTickets: false,
    preferClientCiphers: false,
    strictSni: false,
    verify: 'optional',
    ca: readFileSync(certs.ca),
    crl: null,
    ...over,
  };
}

async function listen(b: BindTls, started: ClientTls[], released: { n: number }) {
  const start = b.accept((s: net.Socket) => {
    started.push(clientTlsOf(s)!);
    s.end();
  }, 2000);
  const srv = net.createServer({ pauseOnConnect: true }, (s) => start(s, { release: () => released.n++ }));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

test('the session gets the handshake facts: SNI, protocol, cipher, ALPN, client certificate', async () => {
  const started: ClientTls[] = [];
  const released = { n: 0 };
  const srv = await listen(new BindTls(spec(), 't.cfg:1'), started, released);
  const port = (srv.address() as net.AddressInfo).port;
  const c = tls.connect({
    port,
    host: '127.0.0.1',
    servername: 'www.a.test',
    ALPNProtocols: ['http/1.1'],
    rejectUnauthorized: false,
    cert: readFileSync(certs.clientGood.cert),
    key: readFileSync(certs.clientGood.key),
  });
  c.on('error', () => {});
  c.resume();
  assert.ok(await waitFor(() => started.length === 1, 3000));
  c.destroy();
  srv.close();
  const t = started[0];
  assert.equal(t.sni, 'www.a.test');
  assert.equal(t.protocol, 'TLSv1.3');
  assert.equal(t.cipher, 'TLS_AES_256_GCM_SHA384');
  assert.equal(t.alpn, 'http/1.1');
  assert.equal(t.certUsed, true);
  assert.equal(t.verify, 0);
  assert.equal(t.subjectDn, '/O=Test/CN=client1');
  assert.equal(released.n, 0);
});

test('a failed handshake starts no session and gives the slot back', async () => {
  const started: ClientTls[] = [];
  const released = { n: 0 };
  const srv = await listen(new BindTls(spec({ minVersion: 'TLSv1.3' }), 't.cfg:1'), started, released);
  const port = (srv.address() as net.AddressInfo).port;
  const c = tls.connect({ port, host: '127.0.0.1', maxVersion: 'TLSv1.2', rejectUnauthorized: false });
  c.on('error', () => {});
  assert.ok(await waitFor(() => released.n === 1, 3000));
  srv.close();
  assert.equal(started.length, 0);
});
