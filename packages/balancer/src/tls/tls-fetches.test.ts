import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TLS_FETCHES } from './tls-fetches.ts';
import { onelineDn, x509ErrorNumber } from './tls-info.ts';

const info = {
  sni: 'a.test',
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  alpn: 'http/1.1',
  certUsed: true,
  verify: 0,
  subjectDn: '/O=Test/CN=client1',
  resumed: false,
};

test('TLS fetches on a TLS connection and on clear text', () => {
  const v = (name: string, t: typeof info | null) => TLS_FETCHES.get(name)?.value(t);
  assert.equal(v('ssl_fc', info), true);
  assert.equal(v('ssl_fc', null), false);
  assert.equal(v('ssl_fc_sni', info), 'a.test');
  assert.equal(v('ssl_fc_sni', null), null);
  assert.equal(v('ssl_fc_protocol', info), 'TLSv1.3');
  assert.equal(v('ssl_fc_cipher', info), 'TLS_AES_256_GCM_SHA384');
  assert.equal(v('ssl_fc_alpn', info), 'http/1.1');
  assert.equal(v('ssl_c_used', info), true);
  assert.equal(v('ssl_c_used', null), false);
  assert.equal(v('ssl_c_verify', info), 0);
  assert.equal(v('ssl_c_s_dn', info), '/O=Test/CN=client1');
});

test("subject DNs in OpenSSL's one-line form, verify errors as X509_V_ERR numbers", () => {
  assert.equal(onelineDn('C=FR\nO=Example\nCN=client1'), '/C=FR/O=Example/CN=client1');
  assert.equal(x509ErrorNumber(undefined), 0);
  assert.equal(x509ErrorNumber('DEPTH_ZERO_SELF_SIGNED_CERT'), 18);
  assert.equal(x509ErrorNumber('CERT_HAS_EXPIRED'), 10);
  assert.equal(x509ErrorNumber('SOMETHING_NEW'), 1);
});
