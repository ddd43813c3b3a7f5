/**
 * The behaviour tests of the TLS keywords marked `applied` in src/config/in-effect.ts (in-effect.test.ts
 * runs them with its other EFFECTS): each writes the keyword in haproxy.cfg text, loads it as start-up
 * does, runs the engine and observes the keyword's effect from a TLS client or at a TLS server.
 * Certificates are made with openssl once per run (support/tls-certs.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { freePort } from './support/ports.ts';
import { startSyslogListener } from './support/syslog-listener.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';

let certsMade: TestCerts | null = null;
function certs(): TestCerts {
  if (certsMade === null) {
    certsMade = makeTestCerts();
    process.once('exit', () => certsMade?.remove());
  }
  return certsMade;
}

const HEAD = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`;

/** An HTTPS upstream (backend.test) answering what it saw of the balancer's TLS connection, as JSON. */
async function echoUpstream(opts: https.ServerOptions = {}): Promise<{ port: number; close(): void }> {
  const pem = readFileSync(certs().backend);
  const srv = https.createServer({ cert: pem, key: pem, ...opts }, (req, res) => {
    const s = req.socket as tls.TLSSocket;
    const body = JSON.stringify({
      sni: (s as { servername?: string | false }).servername || null,
      alpn: s.alpnProtocol || null,
      protocol: s.getProtocol(),
      cipher: s.getCipher().name,
      resumed: s.isSessionReused(),
      peer: /CN=([^\n]*)/.exec(s.getPeerX509Certificate()?.subject ?? '')?.[1] ?? null,
    });
    res.setHeader('content-length', String(Buffer.byteLength(body)));
    res.end(body);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close() {
      srv.closeAllConnections();
      srv.close();
    },
  };
}

/**
 * Runs `cfg` ({{port}} the TLS bind, {{up}} the upstream, {{crt}} {{ca}} {{otherCa}} {{dir}}) and
 * calls `body` with the port; everything is stopped afterwards.
 */
async function run(
  cfg: string,
  body: (port: number, lines: string[]) => Promise<void>,
  upstream: https.ServerOptions | 'plain' = 'plain',
  global = '',
): Promise<void> {
  const c = certs();
  const up =
    upstream === 'plain'
      ? await echoUpstream().then((u) => ({ ...u, plain: true }))
      : await echoUpstream(upstream).then((u) => ({ ...u, plain: false }));
  const port = await freePort();
  const text = cfg
    .replaceAll('{{port}}', String(port))
    .replaceAll('{{up}}', String(up.port))
    .replaceAll('{{crt}}', c.crtDir)
    .replaceAll('{{ca}}', c.ca)
    .replaceAll('{{otherCa}}', c.otherCa)
    .replaceAll('{{crl}}', c.crl)
    .replaceAll('{{dir}}', c.dir);
  const loaded = loadBalancerConfigText(
    [{ path: 't.cfg', text: `${global ? `global\n${global}\n` : ''}${HEAD}${text}` }],
    {
      env: {},
    },
  );
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message);
  assert.deepEqual(alerts, [], 'the configuration must load');
  assert.ok(loaded.engine);
  const lines: string[] = [];
  const sink = { alert: (s: string) => lines.push(s), warning: (s: string) => lines.push(s), notice() {} };
  let engine: Engine | null = null;
  try {
    engine = await startEngine(loaded.engine, sink);
    await body(port, lines);
  } finally {
    await engine?.stop(0);
    up.close();
  }
}

interface Hello {
  ok: boolean;
  cn: string | null;
  alpn: string | null;
  protocol: string | null;
  cipher: string | null;
  resumed: boolean;
  status: number | null;
  body: string;
  session: Buffer | null;
}

/** One TLS connection to the balancer and one request; what the client saw. */
function hello(port: number, o: tls.ConnectionOptions = {}): Promise<Hello> {
  return new Promise((resolve) => {
    const out: Hello = {
      ok: false,
      cn: null,
      alpn: null,
      protocol: null,
      cipher: null,
      resumed: false,
      status: null,
      body: '',
      session: null,
    };
    const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o });
    let text = '';
    const timer = setTimeout(() => sock.destroy(), 4000);
    sock.on('secureConnect', () => {
      out.ok = true;
      out.cn = /CN=([^\n]*)/.exec(sock.getPeerX509Certificate()?.subject ?? '')?.[1] ?? null;
      out.alpn = sock.alpnProtocol || null;
      out.protocol = sock.getProtocol();
      out.cipher = sock.getCipher().name;
      out.resumed = sock.isSessionReused();
      sock.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    sock.on('session', (s: Buffer) => {
      out.session = s;
    });
    sock.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      out.status = m ? Number(m[1]) : null;
      out.body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve(out);
    });
  });
}

const upJson = (h: Hello) => JSON.parse(h.body) as Record<string, unknown>;

const FE = (opts: string) => `frontend fe
    bind 127.0.0.1:{{port}} ssl ${opts}
    default_backend be
backend be
    server up 127.0.0.1:{{up}} ssl verify none
`;
const TO = (opts: string) => `frontend fe
    bind 127.0.0.1:{{port}} ssl crt {{crt}}/00-default.pem
    default_backend be
backend be
    server up 127.0.0.1:{{up}} ssl ${opts}
`;
const TLS12 = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256';

export const TLS_EFFECTS: Record<string, () => Promise<void>> = {
  'bind ssl': () =>
    run(FE('crt {{crt}}/10-a.pem'), async (port) => {
      const h = await hello(port);
      assert.equal(h.ok, true);
      assert.equal(h.status, 200);
    }),
  'bind crt': () =>
    run(FE('crt {{crt}}'), async (port) => {
      assert.equal((await hello(port)).cn, 'default.test');
      assert.equal((await hello(port, { servername: 'www.a.test' })).cn, 'a.test');
      assert.equal((await hello(port, { servername: 'q.b.test' })).cn, '*.b.test');
    }),
  'bind crt-list': async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      `${certs().dir}/effects-list.txt`,
      `${certs().crtDir}/10-a.pem\n${certs().crtDir}/30-multi.pem f.test\n`,
    );
    await run(FE('crt-list {{dir}}/effects-list.txt'), async (port) => {
      assert.equal((await hello(port, { servername: 'f.test' })).cn, 'c.test');
      assert.equal((await hello(port, { servername: 'c.test' })).cn, 'a.test');
    });
  },
  'bind alpn': async () => {
    await run(FE('crt {{crt}} alpn http/1.1'), async (port) => {
      assert.equal((await hello(port, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'http/1.1');
    });
    // h2 in the list: a client that offers it speaks HTTP/2 (http/h2-connection.ts), others HTTP/1.1
    await run(FE('crt {{crt}} alpn h2,http/1.1'), async (port) => {
      assert.equal((await hello(port, { ALPNProtocols: ['h2', 'http/1.1'] })).alpn, 'h2');
      assert.equal((await hello(port, { ALPNProtocols: ['http/1.1'] })).status, 200);
      const s = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
      s.on('error', () => {});
      const status = await new Promise<unknown>((resolve) => {
        const req = s.request({ ':path': '/' });
        req.on('response', (h) => resolve(h[':status']));
        req.on('error', () => resolve(null));
        req.resume();
      });
      s.close();
      assert.equal(status, 200);
    });
  },
  'bind ssl-min-ver': () =>
    run(FE('crt {{crt}} ssl-min-ver TLSv1.3'), async (port) => {
      assert.equal((await hello(port, { maxVersion: 'TLSv1.2' })).ok, false);
      assert.equal((await hello(port)).protocol, 'TLSv1.3');
    }),
  'bind ssl-max-ver': () =>
    run(FE('crt {{crt}} ssl-max-ver TLSv1.2'), async (port) => {
      assert.equal((await hello(port)).protocol, 'TLSv1.2');
    }),
  'bind force-tlsv12': () =>
    run(FE('crt {{crt}} force-tlsv12'), async (port) => {
      assert.equal((await hello(port)).protocol, 'TLSv1.2');
    }),
  'bind force-tlsv13': () =>
    run(FE('crt {{crt}} force-tlsv13'), async (port) => {
      assert.equal((await hello(port, { maxVersion: 'TLSv1.2' })).ok, false);
    }),
  'bind no-tlsv13': () =>
    run(FE('crt {{crt}} no-tlsv13'), async (port) => {
      assert.equal((await hello(port)).protocol, 'TLSv1.2');
    }),
  'bind no-tlsv12': () =>
    run(FE('crt {{crt}} no-tlsv12'), async (port) => {
      assert.equal((await hello(port, { maxVersion: 'TLSv1.2' })).ok, false);
      assert.equal((await hello(port)).protocol, 'TLSv1.3');
    }),
  'bind ciphers': () =>
    run(FE('crt {{crt}} ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256'), async (port) => {
      assert.equal((await hello(port)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
    }),
  'bind ciphersuites': () =>
    run(FE('crt {{crt}} ciphersuites TLS_CHACHA20_POLY1305_SHA256'), async (port) => {
      assert.equal((await hello(port)).cipher, 'TLS_CHACHA20_POLY1305_SHA256');
    }),
  'bind curves': () =>
    run(FE('crt {{crt}} curves secp384r1'), async (port) => {
      assert.equal((await hello(port, { ecdhCurve: 'prime256v1' })).ok, false);
      assert.equal((await hello(port, { ecdhCurve: 'secp384r1' })).ok, true);
    }),
  'bind no-tls-tickets': () =>
    run(FE('crt {{crt}} no-tls-tickets'), async (port) => {
      // TLS 1.3 resumes only with tickets: none are issued
      const first = await hello(port);
      assert.equal(first.ok, true);
      const again = await hello(port, first.session ? { session: first.session } : {});
      assert.equal(again.resumed, false);
      // the contrast: without the keyword the ticket resumes
      await run(FE('crt {{crt}}'), async (p2) => {
        const a = await hello(p2);
        assert.ok(a.session);
        assert.equal((await hello(p2, { session: a.session })).resumed, true);
      });
    }),
  'bind strict-sni': () =>
    run(FE('crt {{crt}} strict-sni'), async (port) => {
      assert.equal((await hello(port, { servername: 'unknown.test' })).ok, false);
      assert.equal((await hello(port)).ok, false);
      assert.equal((await hello(port, { servername: 'a.test' })).status, 200);
    }),
  'bind ca-file': () =>
    run(FE('crt {{crt}} ca-file {{ca}} verify required'), async (port) => {
      const c = certs();
      const good = { cert: readFileSync(c.clientGood.cert), key: readFileSync(c.clientGood.key) };
      const bad = { cert: readFileSync(c.clientBad.cert), key: readFileSync(c.clientBad.key) };
      assert.equal((await hello(port, good)).status, 200);
      assert.equal((await hello(port, bad)).status, null);
    }),
  'bind verify': () =>
    run(FE('crt {{crt}} ca-file {{ca}} verify required'), async (port) => {
      assert.equal((await hello(port)).status, null, 'no certificate: no request served');
      await run(FE('crt {{crt}} ca-file {{ca}} verify optional'), async (p2) => {
        assert.equal((await hello(p2)).status, 200, 'optional: a client without one is served');
      });
    }),
  'bind crl-file': () =>
    run(FE('crt {{crt}} ca-file {{ca}} verify required crl-file {{crl}}'), async (port) => {
      const c = certs();
      const good = { cert: readFileSync(c.clientGood.cert), key: readFileSync(c.clientGood.key) };
      const revoked = { cert: readFileSync(c.clientRevoked.cert), key: readFileSync(c.clientRevoked.key) };
      assert.equal((await hello(port, good)).status, 200);
      assert.equal((await hello(port, revoked)).status, null, 'a revoked certificate is refused');
    }),
  'bind prefer-client-ciphers': () =>
    run(FE(`crt {{crt}} ssl-max-ver TLSv1.2 ciphers ${TLS12}`), async (port) => {
      const clientOrder = { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' };
      assert.equal((await hello(port, clientOrder)).cipher, 'ECDHE-RSA-AES256-GCM-SHA384');
      await run(FE(`crt {{crt}} ssl-max-ver TLSv1.2 ciphers ${TLS12} prefer-client-ciphers`), async (p2) => {
        assert.equal((await hello(p2, clientOrder)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
      });
    }),
  'server ssl': () =>
    run(
      TO('verify none'),
      async (port) => {
        const h = await hello(port);
        assert.equal(h.status, 200);
        assert.equal(upJson(h).protocol, 'TLSv1.3');
      },
      {},
    ),
  'server verify': () =>
    run(
      TO('verify required ca-file {{otherCa}}'),
      async (port) => {
        assert.equal((await hello(port)).status, 503);
      },
      {},
    ),
  'server ca-file': () =>
    run(
      TO('verify required ca-file {{ca}}'),
      async (port) => {
        assert.equal((await hello(port)).status, 200);
      },
      {},
    ),
  'server verifyhost': () =>
    run(
      TO('verify required ca-file {{ca}} verifyhost other.test'),
      async (port) => {
        assert.equal((await hello(port)).status, 503);
        await run(
          TO('verify required ca-file {{ca}} verifyhost backend.test'),
          async (p2) => {
            assert.equal((await hello(p2)).status, 200);
          },
          {},
        );
      },
      {},
    ),
  'server sni': () =>
    run(
      TO('verify required ca-file {{ca}} sni str(backend.test)'),
      async (port) => {
        assert.equal(upJson(await hello(port)).sni, 'backend.test');
      },
      {},
    ),
  'server alpn': () =>
    run(
      TO('verify none alpn http/1.1'),
      async (port) => {
        assert.equal(upJson(await hello(port)).alpn, 'http/1.1');
      },
      { ALPNProtocols: ['http/1.1'] },
    ),
  'server crt': () =>
    run(
      TO(`verify none crt ${'{{dir}}'}/client.pem`),
      async (port) => {
        assert.equal(upJson(await hello(port)).peer, 'client1');
      },
      { requestCert: true, rejectUnauthorized: false },
    ),
  'server ciphers': () =>
    run(
      TO('verify none ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256'),
      async (port) => {
        assert.equal(upJson(await hello(port)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
      },
      {},
    ),
  'server ciphersuites': () =>
    run(
      TO('verify none ciphersuites TLS_CHACHA20_POLY1305_SHA256'),
      async (port) => {
        assert.equal(upJson(await hello(port)).cipher, 'TLS_CHACHA20_POLY1305_SHA256');
      },
      {},
    ),
  'server ssl-min-ver': () =>
    run(
      TO('verify none ssl-min-ver TLSv1.3'),
      async (port) => {
        assert.equal((await hello(port)).status, 503, 'the server only speaks TLS 1.2');
      },
      { maxVersion: 'TLSv1.2' },
    ),
  'server ssl-max-ver': () =>
    run(
      TO('verify none ssl-max-ver TLSv1.2'),
      async (port) => {
        assert.equal(upJson(await hello(port)).protocol, 'TLSv1.2');
      },
      {},
    ),
  'server ssl-reuse': () =>
    run(
      TO('verify none ssl-max-ver TLSv1.2').replace('backend be\n', 'backend be\n    http-reuse never\n'),
      async (port) => {
        // each client connection gets its own server connection; the second one resumes the session
        assert.equal(upJson(await hello(port)).resumed, false);
        assert.equal(upJson(await hello(port)).resumed, true);
        await run(
          TO('verify none ssl-max-ver TLSv1.2 no-ssl-reuse').replace(
            'backend be\n',
            'backend be\n    http-reuse never\n',
          ),
          async (p2) => {
            await hello(p2);
            assert.equal(upJson(await hello(p2)).resumed, false);
          },
          {},
        );
      },
      {},
    ),
  'server check-ssl': () =>
    run(
      TO('verify required ca-file {{otherCa}} check check-ssl inter 300'),
      async (_port, lines) => {
        assert.ok(
          await waitFor(() => lines.some((l) => l.includes('Layer6 invalid response')), 5000),
          lines.join('\n'),
        );
      },
      {},
    ),
  'ssl-default-bind-options': () =>
    run(
      FE('crt {{crt}}'),
      async (port) => {
        assert.equal((await hello(port)).protocol, 'TLSv1.2');
      },
      'plain',
      '    ssl-default-bind-options ssl-max-ver TLSv1.2 no-tls-tickets',
    ),
  'ssl-default-bind-ciphers': () =>
    run(
      FE('crt {{crt}} ssl-max-ver TLSv1.2'),
      async (port) => {
        assert.equal((await hello(port)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
      },
      'plain',
      '    ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256',
    ),
  'ssl-default-bind-ciphersuites': () =>
    run(
      FE('crt {{crt}}'),
      async (port) => {
        assert.equal((await hello(port)).cipher, 'TLS_CHACHA20_POLY1305_SHA256');
      },
      'plain',
      '    ssl-default-bind-ciphersuites TLS_CHACHA20_POLY1305_SHA256',
    ),
  'ssl-default-bind-curves': () =>
    run(
      FE('crt {{crt}}'),
      async (port) => {
        assert.equal((await hello(port, { ecdhCurve: 'prime256v1' })).ok, false);
      },
      'plain',
      '    ssl-default-bind-curves secp384r1',
    ),
  'ssl-default-server-options': () =>
    run(
      TO('verify none'),
      async (port) => {
        assert.equal(upJson(await hello(port)).protocol, 'TLSv1.2');
      },
      {},
      '    ssl-default-server-options ssl-max-ver TLSv1.2',
    ),
  'ssl-default-server-ciphers': () =>
    run(
      TO('verify none ssl-max-ver TLSv1.2'),
      async (port) => {
        assert.equal(upJson(await hello(port)).cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
      },
      {},
      '    ssl-default-server-ciphers ECDHE-RSA-AES128-GCM-SHA256',
    ),
  'ssl-default-server-ciphersuites': () =>
    run(
      TO('verify none'),
      async (port) => {
        assert.equal(upJson(await hello(port)).cipher, 'TLS_CHACHA20_POLY1305_SHA256');
      },
      {},
      '    ssl-default-server-ciphersuites TLS_CHACHA20_POLY1305_SHA256',
    ),
  'ssl-server-verify': () =>
    run(
      TO('ca-file {{otherCa}}'),
      async (port) => {
        assert.equal((await hello(port)).status, 200, 'verify none by default: the wrong CA is not checked');
      },
      {},
      '    ssl-server-verify none',
    ),
  'option httpslog': async () => {
    const syslog = await startSyslogListener();
    try {
      await run(
        FE('crt {{crt}}').replace(
          '    default_backend be',
          '    log global\n    option httpslog\n    default_backend be',
        ),
        async (port) => {
          await hello(port, { servername: 'a.test' });
          assert.ok(await waitFor(() => syslog.lines.some((l) => l.includes('"GET / HTTP/1.1"')), 4000));
          const line = syslog.lines.find((l) => l.includes('"GET / HTTP/1.1"')) ?? '';
          assert.match(line, / fe~ be\/up /);
          assert.ok(
            line.endsWith(
              '"GET / HTTP/1.1" 0/0000000000000000/0/0/0 a.test/TLSv1.3/TLS_AES_256_GCM_SHA384\n',
            ),
            line,
          );
        },
        'plain',
        `    log 127.0.0.1:${syslog.port} local0`,
      );
    } finally {
      await syslog.close();
    }
  },
  'crt-base': () =>
    run(
      FE('crt 10-a.pem'),
      async (port) => {
        assert.equal((await hello(port)).cn, 'a.test');
      },
      'plain',
      `    crt-base ${certs().crtDir}`,
    ),
  'ca-base': () =>
    run(
      TO('verify required ca-file ca.crt'),
      async (port) => {
        assert.equal((await hello(port)).status, 200);
      },
      {},
      `    ca-base ${certs().dir}`,
    ),
};
