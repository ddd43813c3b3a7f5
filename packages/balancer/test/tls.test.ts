/**
 * The balancer against what the real haproxy 2.6 negotiated (tls-expected.json, from tls-record.ts):
 * the same scenarios, the same probes, the same outcomes — which certificate each SNI gets, ALPN,
 * versions accepted and refused, client-certificate verification, TLS to servers (a wrong CA is a
 * 503), and the health line of a TLS check with a wrong CA.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { startEngine } from '../src/engine/engine.ts';
import { freePort } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';
import { makeTestCerts, type TestCerts } from './support/tls-certs.ts';
import { waitFor } from './support/wait-for.ts';
import { normalizeHealthLine, recordLogs, TLS_EXPECTED } from './tls-record.ts';
import {
  CHECK_SCENARIO,
  DEFAULTS,
  type Outcome,
  probeText,
  render,
  runProbe,
  SCENARIOS,
  startUpstreams,
  writeFiles,
} from './tls-scenarios.ts';

const expected = JSON.parse(readFileSync(TLS_EXPECTED, 'utf8')) as {
  scenarios: Record<string, Record<string, Outcome>>;
  check: string;
  logs: { frontend: string; tail: string }[];
};

let certs: TestCerts;
let ups: Awaited<ReturnType<typeof startUpstreams>>;
before(async () => {
  certs = makeTestCerts();
  ups = await startUpstreams(certs);
});
after(() => {
  ups?.close();
  certs?.remove();
});

async function serve(cfg: string, lines: string[] = [], whole = false) {
  const text = whole ? cfg : `${DEFAULTS}${cfg}`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message);
  assert.deepEqual(alerts, [], 'the configuration must load');
  assert.ok(loaded.engine);
  const sink = { alert: (s: string) => lines.push(s), warning: (s: string) => lines.push(s), notice() {} };
  return startEngine(loaded.engine, sink);
}

describe('TLS as haproxy 2.6 negotiates it', () => {
  for (const s of SCENARIOS) {
    test(s.name, async () => {
      const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
      writeFiles(s, certs, ports);
      const engine = await serve(render(s.cfg, certs, ports));
      try {
        const want = expected.scenarios[s.name];
        assert.ok(want, `no recording for '${s.name}': run test/tls-record.ts`);
        for (const p of s.probes) {
          const got = await runProbe(ports.port, p, certs);
          assert.deepEqual(got, want[probeText(p)], `${s.name}: ${probeText(p)}`);
        }
      } finally {
        await engine.stop(0);
      }
    });
  }

  test('mode tcp on a TLS bind: clear bytes both ways to the server, half-close passed on', async () => {
    const echo = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      s.on('end', () => s.end('bye'));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const engine = await serve(
      `frontend fe\n    mode tcp\n    bind 127.0.0.1:${port} ssl crt ${certs.crtDir}\n    default_backend be\nbackend be\n    mode tcp\n    server e 127.0.0.1:${(echo.address() as net.AddressInfo).port}\n`,
    );
    try {
      const c = tls.connect({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        servername: 'a.test',
        allowHalfOpen: true,
      } as tls.ConnectionOptions);
      let got = '';
      c.on('data', (d: Buffer) => {
        got += d.toString();
      });
      await new Promise((r) => c.once('secureConnect', r));
      c.write('hello');
      assert.ok(await waitFor(() => got === 'echo:hello', 3000), got);
      c.end();
      assert.ok(await waitFor(() => got === 'echo:hellobye', 3000), got);
      c.destroy();
    } finally {
      await engine.stop(0);
      echo.close();
    }
  });

  test('keep-alive on a TLS connection: several requests, one handshake, one server connection', async () => {
    const port = await freePort();
    const engine = await serve(
      `frontend fe\n    bind 127.0.0.1:${port} ssl crt ${certs.crtDir}\n    default_backend be\nbackend be\n    server up 127.0.0.1:${ups.up}\n`,
    );
    try {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      let text = '';
      c.on('data', (d: Buffer) => {
        text += d.toString('latin1');
      });
      await new Promise((r) => c.once('secureConnect', r));
      for (let i = 1; i <= 3; i++) {
        c.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.ok(await waitFor(() => text.split('HTTP/1.1 200').length - 1 === i, 3000), text);
      }
      c.destroy();
    } finally {
      await engine.stop(0);
    }
  });

  test('a handshake counts against maxconn: a second client waits until the first leaves', async () => {
    const port = await freePort();
    const engine = await serve(
      `frontend fe\n    maxconn 1\n    bind 127.0.0.1:${port} ssl crt ${certs.crtDir}\n    default_backend be\nbackend be\n    server up 127.0.0.1:${ups.up}\n`,
    );
    try {
      const first = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      await new Promise((r) => first.once('secureConnect', r));
      let secondUp = false;
      const second = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        secondUp = true;
      });
      second.on('error', () => {});
      assert.equal(await waitFor(() => secondUp, 300), false, 'parked while the first holds the slot');
      first.destroy();
      assert.ok(await waitFor(() => secondUp, 3000), 'admitted once the slot is free');
      second.destroy();
    } finally {
      await engine.stop(0);
    }
  });

  test('redirect scheme https unless { ssl_fc }: clear text is redirected, TLS is served', async () => {
    const [plain, secure] = [await freePort(), await freePort()];
    const engine = await serve(
      `frontend fe\n    bind 127.0.0.1:${plain}\n    bind 127.0.0.1:${secure} ssl crt ${certs.crtDir}\n    http-request redirect scheme https unless { ssl_fc }\n    default_backend be\nbackend be\n    server up 127.0.0.1:${ups.up}\n`,
    );
    try {
      const r = await exchange(plain, 'GET /x HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n', {
        ms: 3000,
      });
      assert.equal(r.responses[0]?.status, 302, r.text);
      assert.match(r.text, /\r\nlocation: https:\/\/site\.test\/x\r\n/i);
      assert.equal((await runProbe(secure, {}, certs)).status, 200);
    } finally {
      await engine.stop(0);
    }
  });

  test("access logs: httplog's %ft is NAME~ on TLS, httpslog's TLS fields (as haproxy's lines)", async () => {
    const got = await recordLogs(
      async (cfg) => {
        const engine = await serve(cfg, [], true);
        return () => engine.stop(0);
      },
      certs,
      ups,
    );
    assert.deepEqual(got, expected.logs);
  });

  test('check-ssl with a wrong CA: the server goes DOWN with a layer 6 failure', async () => {
    const ports = { port: await freePort(), up: ups.up, tlsup: ups.tlsup };
    const lines: string[] = [];
    const engine = await serve(render(CHECK_SCENARIO, certs, ports), lines);
    try {
      assert.ok(await waitFor(() => lines.some((l) => l.includes('is DOWN')), 5000), lines.join('\n'));
      const line = lines.find((l) => l.includes('is DOWN')) ?? '';
      assert.equal(normalizeHealthLine(line), expected.check);
    } finally {
      await engine.stop(0);
    }
  });
});
