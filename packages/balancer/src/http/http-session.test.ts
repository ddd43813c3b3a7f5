import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, describe, test } from 'node:test';
import { isRoot } from '../../test/support/env.ts';
import { type ProxyOpts, startProxy, startUpstream, type Upstream } from '../../test/support/harness.ts';
import { header, splitHead, statuses } from '../../test/support/http1.ts';
import { freePort } from '../../test/support/ports.ts';
import { exchange, openClient } from '../../test/support/raw-client.ts';
import { startRawServer } from '../../test/support/raw-server.ts';
import { synCounter } from '../../test/support/syn-counter.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { Engine } from '../engine/engine.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(opts: Partial<ProxyOpts> = {}, responder?: Parameters<typeof startUpstream>[0]) {
  const up = await startUpstream(responder);
  const { engine, port } = await startProxy({ servers: [{ port: up.port }], ...opts });
  cleanups.push(
    () => engine.stop(0),
    () => up.close(),
  );
  return { up, engine, port };
}

/** The engine in front of a raw server of the test's own (interim responses, tunnels). */
async function behind(onConn: (s: net.Socket) => void, opts: Partial<ProxyOpts> = {}) {
  const server = await startRawServer(onConn);
  const { engine, port } = await startProxy({ servers: [{ port: server.port }], ...opts });
  cleanups.push(
    () => engine.stop(0),
    () => server.close(),
  );
  return { engine, port };
}

const GET = (path = '/', extra = '') => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;

describe('forwarding', () => {
  test('GET keep-alive: response relayed, hop-by-hop removed, no Connection header added', async () => {
    const { up, port } = await setup();
    const r = await exchange(
      port,
      GET('/a', 'Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n'),
      {
        until: (t) => t.endsWith('ok /a'),
      },
    );
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(r.text, /Connection: keep-alive/i, 'server hop-by-hop header removed');
    assert.equal(r.closed, false);
    const seen = up.requests[0];
    assert.doesNotMatch(seen, /X-Hop|Keep-Alive|TE:|Connection:/i);
    assert.match(seen, /^GET \/a HTTP\/1\.1\r\nHost: t\r\n/);
  });

  test('pipelined requests are answered in order', async () => {
    let n = 0;
    const { port } = await setup({}, (req, socket) => {
      const path = req.split(' ')[1];
      // answer the first one late so a naive proxy would reorder
      const delay = n++ === 0 ? 50 : 0;
      setTimeout(
        () => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`),
        delay,
      );
    });
    const r = await exchange(port, GET('/1') + GET('/2') + GET('/3'), { until: (t) => t.endsWith('/3') });
    const bodies = [...r.text.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1]);
    assert.deepEqual(bodies, ['/1', '/2', '/3']);
  });

  test('chunked request with trailers is forwarded byte-exact; chunked response relayed', async () => {
    const { up, port } = await setup({}, (_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n');
    });
    const body = '4;ext=1\r\nwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n';
    const r = await exchange(
      port,
      `POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
      {
        until: (t) => t.endsWith('X-T: 1\r\n\r\n'),
      },
    );
    assert.match(r.text, /Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n$/);
    assert.ok(up.requests[0].endsWith(`\r\n\r\n${body}`));
  });

  test('Content-Length + Transfer-Encoding: TE wins, CL removed, connection closed after', async () => {
    const { up, port } = await setup();
    const r = await exchange(
      port,
      'POST /s HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
    );
    assert.deepEqual(statuses(r.text), [200]);
    assert.equal(r.closed, true);
    assert.doesNotMatch(up.requests[0], /Content-Length/i);
    assert.match(up.requests[0], /Connection: close/);
  });

  test('HEAD, 204 and 304 responses have no body even with Content-Length', async () => {
    const { port } = await setup({}, (req, socket) => {
      const path = req.split(' ')[1];
      if (path === '/204') socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (path === '/304') socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n');
    });
    const r = await exchange(port, `HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n${GET('/204')}${GET('/304')}`, {
      until: (t) => statuses(t).length === 3,
    });
    assert.deepEqual(statuses(r.text), [200, 204, 304]);
    assert.equal(r.closed, false);
  });

  test('Expect: 100-continue gets the interim response, then the final one', async () => {
    const { port } = await behind((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 100 Continue\r\n\r\n');
        s.once('data', () => s.write('HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'));
      });
    });
    const c = openClient(port);
    c.write('PUT /u HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    assert.ok(await c.until((t) => t.includes('100 Continue')));
    c.write('hi');
    assert.ok(await c.until((t) => t.includes('201 Created')));
    c.sock.destroy();
  });

  test('a close-delimited response is relayed and the client connection closed', async () => {
    const { port } = await setup({}, (_req, socket) => {
      socket.end('HTTP/1.1 200 OK\r\n\r\nuntil-close');
    });
    const r = await exchange(port, GET('/'));
    assert.match(r.text, /until-close$/);
    assert.match(r.text, /connection: close/i);
    assert.equal(r.closed, true);
  });

  test('Upgrade: 101 turns the connection into a tunnel; every frame passes, both ways', async () => {
    let head = '';
    let tunnelled = '';
    const { port } = await behind(
      (s) => {
        s.once('data', (d) => {
          head = d.toString('latin1');
          // the server speaks first, in the same packet as its 101
          s.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nserver-hello;',
          );
          s.on('data', (x) => {
            tunnelled += x.toString('latin1');
            s.write(x); // echo
          });
        });
      },
      { timeouts: { tunnel: 5000 } },
    );
    const c = openClient(port);
    c.write(GET('/ws', 'Connection: Upgrade\r\nUpgrade: websocket\r\n'));
    assert.ok(await c.until((t) => t.endsWith('server-hello;'), 5000), 'the 101 and the server frame');
    const frames = ['frame-1;', 'frame-2;', `big-${'x'.repeat(70_000)};`, 'frame-4;'];
    let sent = '';
    for (const f of frames) {
      c.write(f);
      sent += f;
      assert.ok(await c.until((t) => t.endsWith(sent), 5000), `the echo of ${f.slice(0, 10)}`);
    }
    c.sock.destroy();
    assert.match(head, /^GET \/ws HTTP\/1\.1\r\n/);
    assert.match(head, /\r\nUpgrade: websocket\r\n/i);
    assert.match(head, /\r\nConnection: upgrade\r\n/i);
    assert.equal(tunnelled, frames.join(''), 'the server got every frame, in order, and nothing else');
    const h = splitHead(c.text());
    assert.ok(h);
    assert.equal(h.startLine, 'HTTP/1.1 101 Switching Protocols');
    assert.equal(header(h, 'upgrade'), 'websocket');
    assert.equal(
      c.text().slice(h.end),
      `server-hello;${frames.join('')}`,
      'the client got the server frame and every echo, in order, and nothing else',
    );
  });
});

test('CONNECT: a 2xx answer turns the connection into a tunnel', async () => {
  const { port } = await behind((s) => {
    s.once('data', () => {
      s.write('HTTP/1.1 200 Connection established\r\n\r\n');
      s.on('data', (x) => s.write(`echo:${x}`));
    });
  });
  const r = await exchange(
    port,
    ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 'raw-bytes'],
    {
      until: (t) => t.includes('echo:raw-bytes'),
    },
  );
  assert.match(r.text, /^HTTP\/1\.1 200 Connection established\r\n/);
  assert.match(r.text, /echo:raw-bytes/);
});

describe('errors', () => {
  const bad: [string, string][] = [
    ['differing Content-Length', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx'],
    ['TE gzip', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['control char', 'GET / HTTP/1.1\r\nX: \x01\r\n\r\n'],
    ['bad chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['too many headers', `GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(102)}\r\n`],
    ['oversized head', `GET / HTTP/1.1\r\nX: ${'a'.repeat(16000)}\r\n\r\n`],
  ];
  for (const [name, raw] of bad) {
    test(`400 with HAProxy's page and close: ${name}`, async () => {
      const { up, port } = await setup();
      const r = await exchange(port, raw);
      assert.equal(
        r.text,
        'HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n',
      );
      assert.equal(r.closed, true);
      if (name !== 'bad chunk size') assert.equal(up.requests.length, 0);
    });
  }

  const badResponses: [string, string][] = [
    ['TE gzip', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx'],
    ['102 headers', `HTTP/1.1 200 OK\r\n${'A: b\r\n'.repeat(102)}Content-Length: 0\r\n\r\n`],
    ['garbage', 'HELLO\r\n\r\n'],
  ];
  for (const [name, raw] of badResponses) {
    test(`invalid response → 502, server connection closed, client kept (as HAProxy 2.6): ${name}`, async () => {
      let serverSock: net.Socket | null = null;
      const { port } = await setup({}, (_req, socket) => {
        serverSock = socket;
        socket.write(raw);
      });
      const r = await exchange(port, GET('/'), { until: (t) => t.endsWith('</html>\n') });
      assert.equal(
        r.text,
        'HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n',
      );
      assert.equal(r.closed, false);
      assert.ok(await waitFor(() => serverSock !== null && (serverSock as net.Socket).destroyed));
    });
  }

  test('connection refused → 503 after 1 + retries attempts, per request', async (t) => {
    const deadPort = await freePort();
    const syns = synCounter(deadPort);
    if (isRoot) assert.ok(syns, 'counting connection attempts needs nftables');
    const { engine, port } = await startProxy({ servers: [{ port: deadPort }], retries: 2 });
    cleanups.push(() => engine.stop(0));
    const c = openClient(port);
    const attempts: number[] = [];
    for (const [i, path] of ['/1', '/2'].entries()) {
      c.write(GET(path));
      assert.ok(await c.until((text) => statuses(text).length === i + 1, 5000), `a 503 for ${path}`);
      if (syns) attempts.push(syns.count());
    }
    assert.deepEqual(statuses(c.text()), [503, 503], 'the connection stays usable after a 503');
    assert.match(c.text(), /No server is available to handle this request\./);
    if (syns) assert.deepEqual(attempts, [3, 6], 'each request: one attempt and two retries');
    else t.diagnostic('not root: the attempts are not counted');
    syns?.remove();
    c.sock.destroy();
  });

  test('errorfile replaces the built-in page', async () => {
    const page = Buffer.from('HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nsorry\n');
    const { engine, port } = await startProxy({ servers: [], errorfiles: new Map([[503, page]]) });
    cleanups.push(() => engine.stop(0));
    const r = await exchange(port, GET('/'));
    assert.equal(r.text, page.toString());
  });
});

describe('timeouts', () => {
  test('timeout http-request is a total deadline for the head → 408', async () => {
    const { port } = await setup({ timeouts: { httpRequest: 200 } });
    const c = openClient(port);
    // trickle bytes faster than the deadline: an idle timer would never fire
    const trickle = setInterval(() => c.write('X'), 50);
    c.write('GET / HTTP/1.1\r\nX-Slow: ');
    const ok = await waitFor(() => c.closed(), 2000);
    clearInterval(trickle);
    assert.ok(ok, 'closed by the deadline');
    assert.match(c.text(), /^HTTP\/1\.1 408 Request Time-out\r\n/);
    assert.match(c.text(), /Your browser didn't send a complete request in time\./);
  });

  test('timeout http-keep-alive closes an idle connection silently', async () => {
    const { port } = await setup({ timeouts: { httpKeepAlive: 200, httpRequest: 5000 } });
    const r = await exchange(port, GET('/'), { ms: 3000 });
    assert.equal(r.closed, true);
    assert.deepEqual(statuses(r.text), [200]);
    assert.ok(r.ms >= 180, `closed after ${r.ms} ms`);
  });

  test('timeout server → 504', async () => {
    const { port } = await setup({ timeouts: { server: 200 } }, () => {
      /* never answer */
    });
    const r = await exchange(port, GET('/'), { until: (t) => t.endsWith('</html>\n') });
    assert.deepEqual(statuses(r.text), [504]);
    assert.match(r.text, /The server didn't respond in time\./);
    const r10 = await exchange(port, 'GET / HTTP/1.0\r\n\r\n');
    assert.match(r10.text, /connection: close\r\n/);
    assert.equal(r10.closed, true, 'an HTTP/1.0 client is closed after the error');
  });
});

test('without http-keep-alive, http-request bounds the idle wait, which ends silently', async () => {
  const { port } = await setup({ timeouts: { httpRequest: 200 } });
  const r = await exchange(port, GET('/'), { ms: 3000 });
  assert.equal(r.closed, true);
  assert.deepEqual(statuses(r.text), [200], 'no 408 for an idle keep-alive connection');
});

describe('forwardfor', () => {
  test('appends a new header line, keeping an existing one', async () => {
    const { up, port } = await setup({
      forwardfor: { except: null, header: 'X-Forwarded-For', ifNone: false },
    });
    await exchange(port, GET('/', 'X-Forwarded-For: 10.0.0.1\r\n'), { until: (t) => t.endsWith('ok /') });
    assert.match(up.requests[0], /X-Forwarded-For: 10\.0\.0\.1\r\nX-Forwarded-For: 127\.0\.0\.1\r\n\r\n$/);
  });
  test('except matches the client address', async () => {
    const { up, port } = await setup({
      forwardfor: {
        except: { family: 4, address: '127.0.0.0', prefix: 8 },
        header: 'X-Forwarded-For',
        ifNone: false,
      },
    });
    await exchange(port, GET('/'), { until: (t) => t.endsWith('ok /') });
    assert.doesNotMatch(up.requests[0], /X-Forwarded-For/);
  });
  test('header NAME and if-none', async () => {
    const { up, port } = await setup({ forwardfor: { except: null, header: 'X-Client-IP', ifNone: true } });
    await exchange(port, GET('/1', 'x-client-ip: 1.1.1.1\r\n') + GET('/2'), {
      until: (t) => t.endsWith('ok /2'),
    });
    assert.doesNotMatch(up.requests[0], /X-Client-IP: 127/);
    assert.match(up.requests[1], /X-Client-IP: 127\.0\.0\.1\r\n/);
  });
});

describe('connection modes and reuse', () => {
  async function run(opts: Partial<ProxyOpts>, clients: number, perClient: number): Promise<Upstream> {
    const { up, port } = await setup(opts);
    for (let c = 0; c < clients; c++) {
      let data = '';
      for (let i = 0; i < perClient; i++) data += GET(`/${c}-${i}`);
      const r = await exchange(port, data, { until: (t) => t.endsWith(`ok /${c}-${perClient - 1}`) });
      assert.equal(statuses(r.text).length, perClient);
    }
    return up;
  }

  test('keep-alive (http-reuse safe): one server connection per client connection, then reused', async () => {
    const up = await run({}, 1, 5);
    assert.equal(up.accepted, 1);
    assert.equal(up.requests.length, 5);
  });

  test('http-server-close: a new server connection per request, with Connection: close', async () => {
    const up = await run({ options: { httpServerClose: true } }, 1, 3);
    assert.equal(up.accepted, 3);
    assert.match(up.requests[0], /Connection: close\r\n/);
  });

  test('httpclose: the client connection closes after the response', async () => {
    const { port } = await setup({ options: { httpClose: true } });
    const r = await exchange(port, GET('/'));
    assert.equal(r.closed, true);
    assert.match(r.text, /connection: close/i);
  });

  test('safe: a new client connection first gets its own server connection; always reuses the idle one', async () => {
    const safe = await run({ httpReuse: 'safe' }, 2, 1);
    assert.equal(safe.accepted, 2);
    const always = await run({ httpReuse: 'always' }, 2, 1);
    assert.equal(always.accepted, 1);
  });

  test('never: connections are not shared between client connections', async () => {
    const up = await run({ httpReuse: 'never' }, 2, 2);
    assert.equal(up.accepted, 2);
  });
});

describe('maxconn', () => {
  test('at the limit connections wait (not refused) and are served when a slot frees', async () => {
    const { port, engine, up } = await setup({ maxconn: 1 });
    const first = openClient(port);
    first.write(GET('/first'));
    assert.ok(await first.until((t) => t.includes('ok /first')));
    // the second connection is accepted (this listener runs after the engine's own, which admits or
    // parks it synchronously) but gets no session while the first one is open
    let secondAccepted = false;
    engine.listenSockets[0].once('connection', () => {
      secondAccepted = true;
    });
    const second = openClient(port);
    second.write(GET('/second'));
    assert.ok(await waitFor(() => secondAccepted, 5000), 'second connection accepted');
    assert.deepEqual(engine.sessionCounts(), [{ proxy: 'fe', sessions: 1 }], 'parked while at maxconn');
    first.write(GET('/again'));
    assert.ok(await first.until((t) => t.includes('ok /again')));
    assert.deepEqual(
      up.requests.map((r) => r.split(' ')[1]),
      ['/first', '/again'],
      'the parked request was not forwarded',
    );
    assert.equal(second.text(), '', 'not served while at maxconn');
    first.sock.destroy();
    assert.ok(await second.until((t) => t.includes('ok /second')), 'served once a slot freed');
    second.sock.destroy();
  });
});

describe('graceful stop', () => {
  test('stop() lets an in-flight request finish and closes idle connections', async () => {
    let release: (() => void) | null = null;
    const up = await startUpstream((_req, socket) => {
      release = () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
    });
    const { engine, port } = await startProxy({ servers: [{ port: up.port }] });
    cleanups.push(() => up.close());
    const pending = exchange(port, GET('/'), { ms: 3000 });
    assert.ok(await waitFor(() => release !== null));
    const stopped = (engine as Engine).stop(2000);
    setTimeout(() => release?.(), 100);
    const r = await pending;
    await stopped;
    assert.match(r.text, /done$/);
    assert.equal(r.closed, true);
  });
});
