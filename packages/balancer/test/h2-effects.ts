/**
 * The behaviour tests of the HTTP/2 keywords marked `applied` in src/config/in-effect.ts
 * (in-effect.test.ts runs them with its other EFFECTS): each loads haproxy.cfg text as start-up does,
 * runs the engine and observes the keyword with Node's http2 client on a real socket.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { startH2Origin } from './support/h2-origin.ts';
import { quiet, startUpstream } from './support/harness.ts';
import { freePort } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';

export const H2_TEST_DEFAULTS = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

/** The engine on `text` (`{{port}}` a free port), with `{{up}}` an upstream answering `ok PATH`. */
export async function withH2Proxy(
  text: string,
  body: (port: number, engine: Engine) => Promise<void>,
): Promise<void> {
  const up = await startUpstream();
  const port = await freePort();
  const cfg = `${H2_TEST_DEFAULTS}${text}`
    .replaceAll('{{port}}', String(port))
    .replaceAll('{{up}}', String(up.port));
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text: cfg }], { env: {} });
  const alerts = loaded.diagnostics.filter((d) => d.severity === 'alert').map((d) => d.message);
  assert.deepEqual(alerts, [], 'the configuration must load');
  const engine = await startEngine(loaded.engine!, quiet);
  try {
    await body(port, engine);
  } finally {
    await engine.stop(0);
    await up.close();
  }
}

/** A prior-knowledge HTTP/2 connection, once the server's SETTINGS arrived. */
export async function h2Connect(port: number): Promise<http2.ClientHttp2Session> {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  s.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    s.once('remoteSettings', () => resolve());
    s.once('close', () => reject(new Error('closed before SETTINGS')));
  });
  return s;
}

/** One GET on `s`: status and body (status null when the stream was reset; its code in `rst`). */
export function h2Get(
  s: http2.ClientHttp2Session,
  path: string,
): Promise<{ status: number | null; body: string; rst: number }> {
  return new Promise((resolve) => {
    const req = s.request({ ':path': path, ':authority': 'h2.test' });
    let status: number | null = null;
    let body = '';
    req.on('response', (h) => {
      status = Number(h[':status']);
    });
    req.setEncoding('latin1');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('error', () => {});
    req.on('close', () => resolve({ status, body, rst: req.rstCode ?? 0 }));
  });
}

const FE = (global: string) =>
  `${global}frontend fe\n    bind 127.0.0.1:{{port}} proto h2\n    default_backend be\nbackend be\n    server s 127.0.0.1:{{up}}\n`;

const close = (s: http2.ClientHttp2Session) => new Promise<void>((r) => s.close(() => r()));

/** A prior-knowledge connection's first stream: its status, or the error that ended the connection. */
async function priorKnowledge(port: number): Promise<number | string> {
  const s = http2.connect(`http://127.0.0.1:${port}`);
  let err = '';
  s.on('error', (e) => {
    err = e.message;
  });
  const got = await new Promise<number | string>((resolve) => {
    const req = s.request({ ':path': '/' });
    req.on('response', (h) => resolve(Number(h[':status'])));
    req.on('error', () => resolve(err || 'stream error'));
    req.on('close', () => resolve(err || 'closed'));
    req.resume();
  });
  s.destroy();
  return got;
}

const HTTP1 = (option: string) =>
  `frontend fe\n    bind 127.0.0.1:{{port}}\n${option}    default_backend be\nbackend be\n    server s 127.0.0.1:{{up}}\n`;

export const H2_EFFECTS: Record<string, () => Promise<void>> = {
  async 'server proto'() {
    // `proto h2` on a server line: an HTTP/1.1 client's request reaches it as an HTTP/2 stream
    const origin = await startH2Origin();
    try {
      await withH2Proxy(
        `frontend fe\n    bind 127.0.0.1:{{port}}\n    default_backend be\nbackend be\n    server s 127.0.0.1:${origin.port} proto h2\n`,
        async (port) => {
          const ex = await exchange(port, 'GET /p HTTP/1.1\r\nHost: h2.test\r\nConnection: close\r\n\r\n', {
            ms: 4000,
          });
          assert.equal(ex.responses[0]?.status, 200);
          assert.equal(ex.responses[0]?.body, 'stream 0\n');
          assert.deepEqual(origin.streams[0]?.raw.slice(0, 6), [
            ':method',
            'GET',
            ':scheme',
            'https',
            ':path',
            '/p',
          ]);
        },
      );
    } finally {
      await origin.close();
    }
  },
  async 'option disable-h2-upgrade'() {
    // HAProxy 2.6 (measured): prior knowledge on an HTTP/1 bind is upgraded; with the option it fails
    await withH2Proxy(HTTP1(''), async (port) => assert.equal(await priorKnowledge(port), 200));
    await withH2Proxy(HTTP1('    option disable-h2-upgrade\n'), async (port) =>
      assert.notEqual(await priorKnowledge(port), 200),
    );
  },
  'bind proto': () =>
    withH2Proxy(FE(''), async (port) => {
      const s = await h2Connect(port);
      assert.deepEqual(await h2Get(s, '/x'), { status: 200, body: 'ok /x', rst: 0 });
      await close(s);
    }),
  'tune.h2.max-concurrent-streams': () =>
    withH2Proxy(FE('global\n    tune.h2.max-concurrent-streams 7\n'), async (port) => {
      const s = await h2Connect(port);
      assert.equal(s.remoteSettings.maxConcurrentStreams, 7, 'announced in SETTINGS');
      await close(s);
    }),
  'tune.h2.initial-window-size': () =>
    withH2Proxy(FE('global\n    tune.h2.initial-window-size 1000\n'), async (port) => {
      const s = await h2Connect(port);
      assert.equal(s.remoteSettings.initialWindowSize, 1000, 'announced in SETTINGS');
      await close(s);
    }),
  'tune.h2.header-table-size': () =>
    withH2Proxy(FE('global\n    tune.h2.header-table-size 1024\n'), async (port) => {
      const s = await h2Connect(port);
      assert.equal(s.remoteSettings.headerTableSize, 1024, 'announced in SETTINGS');
      assert.deepEqual(await h2Get(s, '/y'), { status: 200, body: 'ok /y', rst: 0 });
      await close(s);
    }),
};
