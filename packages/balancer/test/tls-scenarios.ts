/**
 * The TLS scenarios run against the real haproxy 2.6 (tls-record.ts → tls-expected.json) and against
 * the balancer (tls.test.ts): which certificate each SNI gets, ALPN results, accepted and refused
 * protocol versions, client certificates under verify none/optional/required, TLS to servers with a
 * good and a wrong CA, TLS health checks. Each probe is one TLS connection sending one request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import type { TestCerts } from './support/tls-certs.ts';

export interface Probe {
  sni?: string;
  alpn?: string[];
  min?: tls.SecureVersion;
  max?: tls.SecureVersion;
  client?: 'good' | 'bad' | 'revoked';
}

export interface Outcome {
  /** the CN of the certificate the server presented (null: no handshake) */
  cn: string | null;
  alpn: string | null;
  protocol: string | null;
  /** the HTTP status of the response (null: none) */
  status: number | null;
  /** the upstream's body (tells which server answered, and that the request went through) */
  body: string | null;
}

export interface Scenario {
  name: string;
  /** frontend/backend text; {{port}} {{crt}} {{ca}} {{otherCa}} {{crl}} {{up}} {{tlsup}} {{dir}} */
  cfg: string;
  /** files written into the certificate directory first (crt-lists) */
  files?: Record<string, string>;
  probes: Probe[];
}

export const DEFAULTS = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`;

const sniNames = [
  undefined,
  'a.test',
  'www.a.test',
  'A.TEST',
  'q.b.test',
  'x.b.test',
  'z.y.b.test',
  'b.test',
  'c.test',
  'd.test',
  'unknown.test',
];

const FE = (bindOpts: string) => `frontend fe
    bind 127.0.0.1:{{port}} ssl ${bindOpts}
    default_backend be
backend be
    server up 127.0.0.1:{{up}}
`;

export const SCENARIOS: Scenario[] = [
  { name: 'sni: crt directory', cfg: FE('crt {{crt}}'), probes: sniNames.map((sni) => ({ sni })) },
  {
    name: 'sni: strict-sni',
    cfg: FE('crt {{crt}} strict-sni'),
    probes: [undefined, 'a.test', 'q.b.test', 'unknown.test'].map((sni) => ({ sni })),
  },
  {
    name: 'sni: two crt files, the first is the default',
    cfg: FE('crt {{crt}}/30-multi.pem crt {{crt}}/10-a.pem'),
    probes: [undefined, 'a.test', 'd.test', 'unknown.test'].map((sni) => ({ sni })),
  },
  {
    name: 'sni: crt-list filters',
    cfg: FE('crt-list {{dir}}/list.txt'),
    files: {
      'list.txt':
        '# comment\n{{crt}}/10-a.pem\n{{crt}}/30-multi.pem f.test\n{{crt}}/20-wild.pem *.b.test !no.b.test\n',
    },
    probes: [undefined, 'a.test', 'c.test', 'f.test', 'q.b.test', 'no.b.test'].map((sni) => ({ sni })),
  },
  {
    name: 'alpn',
    cfg: FE('crt {{crt}} alpn http/1.1'),
    probes: [{}, { alpn: ['http/1.1'] }, { alpn: ['h2', 'http/1.1'] }],
  },
  {
    name: 'versions: default (TLSv1.2 minimum)',
    cfg: FE('crt {{crt}}'),
    probes: [{}, { max: 'TLSv1.2' }, { min: 'TLSv1.3' }, { max: 'TLSv1.1', min: 'TLSv1' }],
  },
  {
    name: 'versions: ssl-max-ver TLSv1.2',
    cfg: FE('crt {{crt}} ssl-max-ver TLSv1.2'),
    probes: [{}, { min: 'TLSv1.3' }],
  },
  {
    name: 'versions: ssl-min-ver TLSv1.3',
    cfg: FE('crt {{crt}} ssl-min-ver TLSv1.3'),
    probes: [{}, { max: 'TLSv1.2' }],
  },
  {
    name: 'versions: no-tlsv13',
    cfg: FE('crt {{crt}} no-tlsv13'),
    probes: [{}, { min: 'TLSv1.3' }],
  },
  ...(['none', 'optional', 'required'] as const).map(
    (v): Scenario => ({
      name: `client certificate: verify ${v}`,
      cfg: FE(`crt {{crt}} ca-file {{ca}} verify ${v}`),
      // with SNI too: a certificate chosen by name must verify clients against the same CA
      probes: [
        {},
        { client: 'good' },
        { client: 'bad' },
        { sni: 'a.test', client: 'good' },
        { sni: 'a.test', client: 'bad' },
      ],
    }),
  ),
  {
    name: 'client certificate: crl-file',
    cfg: FE('crt {{crt}} ca-file {{ca}} verify required crl-file {{crl}}'),
    probes: [{ client: 'good' }, { client: 'revoked' }],
  },
  {
    name: 'server: ssl verify required, the right CA',
    cfg: `frontend fe
    bind 127.0.0.1:{{port}} ssl crt {{crt}}
    default_backend be
backend be
    server up 127.0.0.1:{{tlsup}} ssl verify required ca-file {{ca}} sni str(backend.test)
`,
    probes: [{}],
  },
  {
    name: 'server: ssl verify required, a wrong CA',
    cfg: `frontend fe
    bind 127.0.0.1:{{port}} ssl crt {{crt}}
    default_backend be
backend be
    retries 1
    server up 127.0.0.1:{{tlsup}} ssl verify required ca-file {{otherCa}}
`,
    probes: [{}],
  },
  {
    name: 'server: ssl verify none',
    cfg: `frontend fe
    bind 127.0.0.1:{{port}} ssl crt {{crt}}
    default_backend be
backend be
    server up 127.0.0.1:{{tlsup}} ssl verify none
`,
    probes: [{}],
  },
];

/** The check scenario: a server whose TLS check fails against the wrong CA (HAProxy's health line). */
export const CHECK_SCENARIO = `frontend fe
    bind 127.0.0.1:{{port}}
    default_backend be
backend be
    server up 127.0.0.1:{{tlsup}} check check-ssl verify required ca-file {{otherCa}} inter 500
`;

export function render(
  text: string,
  certs: TestCerts,
  ports: { port: number; up: number; tlsup: number },
): string {
  return text
    .replaceAll('{{port}}', String(ports.port))
    .replaceAll('{{up}}', String(ports.up))
    .replaceAll('{{tlsup}}', String(ports.tlsup))
    .replaceAll('{{crt}}', certs.crtDir)
    .replaceAll('{{dir}}', certs.dir)
    .replaceAll('{{ca}}', certs.ca)
    .replaceAll('{{otherCa}}', certs.otherCa)
    .replaceAll('{{crl}}', certs.crl);
}

export function writeFiles(
  s: Scenario,
  certs: TestCerts,
  ports: { port: number; up: number; tlsup: number },
): void {
  for (const [name, text] of Object.entries(s.files ?? {}))
    writeFileSync(join(certs.dir, name), render(text, certs, ports));
}

/** The upstreams: clear text and TLS (backend.test, signed by the CA); both answer their name. */
export async function startUpstreams(
  certs: TestCerts,
): Promise<{ up: number; tlsup: number; close(): void }> {
  const handler = (name: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('content-length', String(name.length));
    res.end(name);
  };
  const plain = http.createServer(handler('plain'));
  const pemText = readFileSync(certs.backend);
  const secure = https.createServer({ cert: pemText, key: pemText }, handler('tls'));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  return {
    up: (plain.address() as net.AddressInfo).port,
    tlsup: (secure.address() as net.AddressInfo).port,
    close() {
      plain.closeAllConnections();
      secure.closeAllConnections();
      plain.close();
      secure.close();
    },
  };
}

export function probeText(p: Probe): string {
  const parts = [`sni=${p.sni ?? '-'}`];
  if (p.alpn) parts.push(`alpn=${p.alpn.join(',')}`);
  if (p.min) parts.push(`min=${p.min}`);
  if (p.max) parts.push(`max=${p.max}`);
  if (p.client) parts.push(`client=${p.client}`);
  return parts.join(' ');
}

/** One TLS connection, one `GET /` with Connection: close; what the client saw. */
export function runProbe(port: number, p: Probe, certs: TestCerts): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = { cn: null, alpn: null, protocol: null, status: null, body: null };
    const client =
      p.client === 'good'
        ? certs.clientGood
        : p.client === 'bad'
          ? certs.clientBad
          : p.client === 'revoked'
            ? certs.clientRevoked
            : null;
    const sock = tls.connect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      ...(p.sni !== undefined ? { servername: p.sni } : {}),
      ...(p.alpn ? { ALPNProtocols: p.alpn } : {}),
      // TLS 1.0/1.1 need OpenSSL's security level 0 on the client to be offered at all
      ...(p.min === 'TLSv1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      minVersion: p.min ?? 'TLSv1.2',
      maxVersion: p.max ?? 'TLSv1.3',
      ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
    });
    let text = '';
    const timer = setTimeout(() => sock.destroy(), 4000);
    const done = () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m) {
        out.status = Number(m[1]);
        const i = text.indexOf('\r\n\r\n');
        out.body = i >= 0 ? text.slice(i + 4) : null;
      }
      resolve(out);
    };
    sock.on('secureConnect', () => {
      const cert = sock.getPeerX509Certificate();
      out.cn = /(?:^|\n)CN=([^\n]*)/.exec(cert?.subject ?? '')?.[1] ?? null;
      out.alpn = typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null;
      out.protocol = sock.getProtocol();
      sock.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    sock.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    sock.on('error', () => {});
    sock.on('close', done);
  });
}
