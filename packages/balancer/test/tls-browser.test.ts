/**
 * A browser through a TLS bind (issue 13's done-when): headless Chromium (support/cdp.ts) loads pages
 * from `bind … ssl crt DIR alpn h2,http/1.1`, whose directory holds several certificates selected by
 * SNI, under three names — each page must come over HTTP/2 with the certificate for its name, through
 * haproxy 2.6 and through the balancer alike (same config, same assertions). Chromium resolves the test
 * names to 127.0.0.1 (`--host-resolver-rules`) and is told to accept the test CA's certificates
 * (`--ignore-certificate-errors`: the certificate it was given is still reported and checked here).
 * Skips with a message when Debian's `chromium` is not installed: `apt-get install -y chromium`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CdpEvent, chromiumPath, openChromium } from './support/cdp.ts';
import { isRoot } from './support/env.ts';
import { startUpstream, type Upstream } from './support/harness.ts';
import { freePort } from './support/ports.ts';
import { haproxyPath, type Managed, type ProxyKind, startProxy } from './support/proc.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { startWsEcho, type WsEchoServer } from './support/ws-echo.ts';

const NO_CHROMIUM =
  chromiumPath() === null ? 'chromium is not installed (apt-get install -y chromium)' : false;

/** name → the subject of the certificate it must get (test/support/tls-certs.ts) */
const PAGES: [string, string][] = [
  ['a.test', 'a.test'],
  ['www.b.test', '*.b.test'],
  ['d.test', 'c.test'],
];

interface Loaded {
  status: number;
  protocol: string;
  subject: string;
  body: string;
}

let certs: TestCerts;
before(() => {
  certs = makeTestCerts();
});
after(() => certs?.remove());

for (const kind of ['haproxy', 'balancer'] as ProxyKind[]) {
  const skip =
    NO_CHROMIUM || (kind === 'haproxy' && !haproxyPath() && !isRoot ? 'haproxy not installed' : false);
  describe(`Chromium through ${kind}: TLS, certificates by SNI, HTTP/2`, { skip }, () => {
    let up: Upstream;
    let echo: WsEchoServer;
    let proxy: Managed;
    let port = 0;
    before(async () => {
      up = await startUpstream();
      echo = await startWsEcho();
      port = await freePort();
      proxy = await startProxy(
        kind,
        [
          'global',
          '    nbthread 1',
          'defaults',
          '    mode http',
          '    timeout connect 2s',
          '    timeout client 5s',
          '    timeout server 5s',
          'frontend fe',
          `    bind 127.0.0.1:${port} ssl crt ${certs.crtDir} alpn h2,http/1.1`,
          '    use_backend ws if { path_beg /ws }',
          '    default_backend be',
          'backend be',
          `    server s 127.0.0.1:${up.port}`,
          'backend ws',
          '    timeout tunnel 5s',
          `    server echo 127.0.0.1:${echo.port}`,
          '',
        ].join('\n'),
        [port],
      );
    });
    after(async () => {
      await proxy?.stop();
      await up?.close();
      await echo?.close();
    });

    test('each name gets its certificate, the pages come over h2, a WebSocket over h2 echoes', async () => {
      const cdp = await openChromium([
        '--host-resolver-rules=MAP *.test 127.0.0.1',
        '--ignore-certificate-errors',
      ]);
      try {
        await cdp.send('Page.enable');
        await cdp.send('Network.enable');
        const got: Record<string, Loaded> = {};
        for (const [name] of PAGES) {
          const url = `https://${name}:${port}/page-${name}`;
          const loaded = new Promise<Loaded>((ok, ko) => {
            const t = setTimeout(() => ko(new Error(`${url} did not load`)), 10_000);
            let doc: { requestId: string; status: number; protocol: string; subject: string } | null = null;
            cdp.onEvent(async (e: CdpEvent) => {
              if (e.method === 'Network.responseReceived' && e.params.type === 'Document') {
                const r = e.params.response as {
                  url: string;
                  status: number;
                  protocol: string;
                  securityDetails?: { subjectName: string };
                };
                if (r.url !== url) return;
                doc = {
                  requestId: e.params.requestId as string,
                  status: r.status,
                  protocol: r.protocol,
                  subject: r.securityDetails?.subjectName ?? '',
                };
              } else if (e.method === 'Page.loadEventFired' && doc !== null) {
                const d = doc;
                doc = null;
                clearTimeout(t);
                const b = await cdp.send('Network.getResponseBody', { requestId: d.requestId });
                ok({ status: d.status, protocol: d.protocol, subject: d.subject, body: String(b.body) });
              }
            });
          });
          await cdp.send('Page.navigate', { url });
          got[name] = await loaded;
        }
        for (const [name, subject] of PAGES)
          assert.deepEqual(
            got[name],
            { status: 200, protocol: 'h2', subject, body: `ok /page-${name}` },
            name,
          );

        // a WebSocket from the last page: over its HTTP/2 connection (RFC 8441), to the HTTP/1.1 echo
        const r = await cdp.send('Runtime.evaluate', {
          awaitPromise: true,
          expression: `new Promise((ok) => {
            const ws = new WebSocket('wss://' + location.host + '/ws/chat');
            ws.onopen = () => ws.send('hello from chromium');
            ws.onmessage = (e) => { ok(String(e.data)); ws.close(); };
            ws.onerror = () => ok('error');
            setTimeout(() => ok('timeout'), 5000);
          })`,
        });
        assert.equal((r.result as { value: string }).value, 'hello from chromium');
        // the key HAProxy makes up for an HTTP/2 WebSocket (a browser's own HTTP/1.1 one is spelled Sec-WebSocket-Key)
        assert.match(echo.heads[0] ?? '', /^GET \/ws\/chat HTTP\/1\.1\r\n[\s\S]*\r\nSec-Websocket-Key: /);
      } finally {
        await cdp.close();
      }
    });
  });
}
