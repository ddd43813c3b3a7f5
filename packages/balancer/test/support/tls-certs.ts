/**
 * Test certificates, made with openssl at test time in a temporary directory (no private key is
 * committed): a CA, server certificates with the names the SNI tests need, a client certificate the CA
 * signed, a self-signed one it did not, a backend certificate and a second CA that did not sign it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './env.ts';

export interface TestCerts {
  dir: string;
  /** crt directory: 00-default.pem (default.test), 10-a.pem (a.test, www.a.test), 20-wild.pem
   * (*.b.test), 30-multi.pem (c.test, d.test), 40-xb.pem (x.b.test) */
  crtDir: string;
  ca: string;
  otherCa: string;
  clientGood: { cert: string; key: string };
  clientBad: { cert: string; key: string };
  /** signed by `ca` and revoked in `crl` */
  clientRevoked: { cert: string; key: string };
  /** the CA's CRL (revokes `clientRevoked`) */
  crl: string;
  /** backend.test, signed by `ca` (certificate and key in one PEM) */
  backend: string;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(cwd: string, name: string, cn: string, sans: string[], ca: string | null): void {
  const ext = join(cwd, `${name}.ext`);
  writeFileSync(
    ext,
    sans.length ? `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}\n` : 'basicConstraints=CA:FALSE\n',
  );
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/O=Test/CN=${cn}`,
    ],
    cwd,
  );
  const signer =
    ca === null
      ? ['-signkey', `${name}.key`]
      : ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, ...signer, '-out', `${name}.crt`, '-days', '2', '-extfile', ext],
    cwd,
  );
}

function makeCa(cwd: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
    ],
    cwd,
  );
}

const pem = (cwd: string, name: string) =>
  readFileSync(join(cwd, `${name}.crt`), 'latin1') + readFileSync(join(cwd, `${name}.key`), 'latin1');

export function makeTestCerts(): TestCerts {
  const tmp = makeTempDir('tls-certs');
  const d = tmp.dir;
  makeCa(d, 'ca');
  makeCa(d, 'other-ca');
  const crtDir = join(d, 'crt');
  mkdirSync(crtDir);
  const servers: [string, string, string[]][] = [
    ['00-default', 'default.test', []],
    ['10-a', 'a.test', ['a.test', 'www.a.test']],
    ['20-wild', '*.b.test', ['*.b.test']],
    ['30-multi', 'c.test', ['c.test', 'd.test']],
    ['40-xb', 'x.b.test', ['x.b.test']],
  ];
  for (const [file, cn, sans] of servers) {
    issue(d, file, cn, sans, 'ca');
    writeFileSync(join(crtDir, `${file}.pem`), pem(d, file));
  }
  issue(d, 'client', 'client1', [], 'ca');
  issue(d, 'rogue', 'rogue', [], null);
  issue(d, 'revoked', 'revoked1', [], 'ca');
  writeFileSync(
    join(d, 'ca.cnf'),
    '[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\n' +
      'default_md = sha256\ndefault_crl_days = 2\nprivate_key = ca.key\ncertificate = ca.crt\n',
  );
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'crlnumber'), '1000\n');
  openssl(['ca', '-config', 'ca.cnf', '-revoke', 'revoked.crt'], d);
  openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem'], d);
  issue(d, 'backend', 'backend.test', ['backend.test'], 'ca');
  writeFileSync(join(d, 'backend.pem'), pem(d, 'backend'));
  writeFileSync(join(d, 'client.pem'), pem(d, 'client'));
  return {
    dir: d,
    crtDir,
    ca: join(d, 'ca.crt'),
    otherCa: join(d, 'other-ca.crt'),
    clientGood: { cert: join(d, 'client.crt'), key: join(d, 'client.key') },
    clientBad: { cert: join(d, 'rogue.crt'), key: join(d, 'rogue.key') },
    clientRevoked: { cert: join(d, 'revoked.crt'), key: join(d, 'revoked.key') },
    crl: join(d, 'crl.pem'),
    backend: join(d, 'backend.pem'),
    remove: tmp.remove,
  };
}
