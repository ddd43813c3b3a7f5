/**
 * The behaviour tests of the stats keywords marked `applied` in src/config/in-effect.ts (in-effect.test.ts
 * runs them with its other EFFECTS): each configures the keyword in haproxy.cfg text, loads it as
 * start-up does, runs the engine and observes the effect over HTTP or on the runtime socket.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import type net from 'node:net';
import { promisify } from 'node:util';
import { loadBalancerConfigText } from '../src/config/load.ts';
import { type Engine, startEngine } from '../src/engine/engine.ts';
import { isRoot, makeTempDir } from './support/env.ts';
import { quiet, startUpstream, type Upstream } from './support/harness.ts';
import { freePorts } from './support/ports.ts';
import { exchange } from './support/raw-client.ts';
import { statsCommand } from './support/stats-socket.ts';
import { waitFor } from './support/wait-for.ts';

const DEFAULTS = `defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
`;

interface Served {
  engine: Engine;
  port: number;
  up: Upstream;
  dir: string;
  stop(): Promise<void>;
}

/**
 * `listen l` on a free port with the given extra lines, its server an upstream that says `ok PATH`;
 * `{{dir}}` is a private temp dir (for sockets), `{{up}}` the upstream's port.
 */
async function serve(lines: string, global = '', extra = ''): Promise<Served> {
  const up = await startUpstream();
  const tmp = makeTempDir('stats-effects');
  const [port] = await freePorts(1);
  const sub = (t: string) => t.replaceAll('{{dir}}', tmp.dir).replaceAll('{{up}}', String(up.port));
  const text = `${global ? `global\n${sub(global)}` : ''}${DEFAULTS}listen l\n    bind 127.0.0.1:${port}\n${sub(lines)}    server s1 127.0.0.1:${up.port}\n${sub(extra)}`;
  const loaded = loadBalancerConfigText([{ path: 't.cfg', text }], { env: {} });
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.severity === 'alert'),
    [],
  );
  const engine = await startEngine(loaded.engine!, quiet);
  return {
    engine,
    port: (engine.listenSockets[0].address() as net.AddressInfo).port,
    up,
    dir: tmp.dir,
    async stop() {
      await engine.stop(0);
      await up.close();
      tmp.remove();
    },
  };
}

async function get(
  port: number,
  path: string,
  auth?: string,
): Promise<{ status: number; head: string; body: string }> {
  const a = auth ? `Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n` : '';
  const x = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${a}Connection: close\r\n\r\n`, {
    ms: 4000,
  });
  const i = x.text.indexOf('\r\n\r\n');
  return { status: Number(x.text.slice(9, 12)), head: x.text.slice(0, i + 4), body: x.text.slice(i + 4) };
}

async function withServed(
  lines: string,
  check: (s: Served) => Promise<void>,
  global = '',
  extra = '',
): Promise<void> {
  const s = await serve(lines, global, extra);
  try {
    await check(s);
  } finally {
    await s.stop();
  }
}

/** One command through socat, as operators script it (async: the engine runs in this process). */
async function socatCommand(path: string, cmd: string): Promise<string> {
  const child = promisify(execFile)('socat', ['-t', '2', '-', `UNIX-CONNECT:${path}`], { encoding: 'utf8' });
  child.child.stdin?.end(`${cmd}\n`);
  return (await child).stdout;
}

const csvRows = (body: string) => body.split('\n').filter((l) => /^[^#\s].*,/.test(l));

export const STATS_EFFECTS: Record<string, () => Promise<void>> = {
  async 'http-request use-service'() {
    await withServed('    http-request use-service prometheus-exporter if { path /metrics }\n', async (s) => {
      await get(s.port, '/app');
      const m = await get(s.port, '/metrics?scope=server');
      assert.equal(m.status, 200);
      assert.match(m.head, /content-type: text\/plain; version=0\.0\.4\r\n/);
      assert.match(m.body, /haproxy_server_sessions_total\{proxy="l",server="s1"\} 1\n/);
      assert.doesNotMatch(m.body, /haproxy_frontend_/, 'scope=server: no frontend metric');
      assert.equal(s.up.requests.length, 1, 'the exporter answers itself; the condition lets /app through');
    });
  },
  async 'stats enable'() {
    await withServed('    stats enable\n', async (s) => {
      const page = await get(s.port, '/haproxy?stats');
      assert.equal(page.status, 200);
      assert.match(page.body, /Statistics Report for pid/);
      assert.equal(s.up.requests.length, 0, 'the page is answered by the balancer, not forwarded');
      assert.match((await get(s.port, '/app')).body, /ok \/app/);
    });
  },
  async 'stats disable'() {
    await withServed('    stats enable\n    stats disable\n', async (s) => {
      assert.match((await get(s.port, '/haproxy?stats')).body, /ok \/haproxy\?stats/, 'forwarded');
    });
  },
  async 'stats uri'() {
    await withServed('    stats uri /admin?stats\n', async (s) => {
      assert.match((await get(s.port, '/admin?stats')).body, /Statistics Report/);
      // a prefix: options after it select the format
      assert.match((await get(s.port, '/admin?stats;csv')).body, /^[0-9A-F]+\r\n# pxname,svname,/);
      assert.match(
        (await get(s.port, '/haproxy?stats')).body,
        /ok \/haproxy\?stats/,
        'the default uri is forwarded',
      );
    });
  },
  async 'stats auth'() {
    await withServed(
      '    stats uri /st\n    stats auth admin:admin\n    stats auth ops:s3cret\n',
      async (s) => {
        const none = await get(s.port, '/st');
        assert.equal(none.status, 401);
        assert.match(none.head, /\r\nwww-authenticate: Basic realm="HAProxy Statistics"\r\n/);
        assert.doesNotMatch(none.body, /Statistics Report/);
        assert.equal((await get(s.port, '/st;csv', 'admin:nope')).status, 401);
        assert.equal((await get(s.port, '/st', 'admin:admin')).status, 200);
        assert.equal((await get(s.port, '/st;csv', 'ops:s3cret')).status, 200);
      },
    );
  },
  async 'stats realm'() {
    await withServed('    stats uri /st\n    stats realm Ops\\ only\n    stats auth a:b\n', async (s) => {
      assert.match((await get(s.port, '/st')).head, /\r\nwww-authenticate: Basic realm="Ops only"\r\n/);
    });
  },
  async 'stats refresh'() {
    await withServed('    stats uri /st\n    stats refresh 7s\n', async (s) => {
      assert.match((await get(s.port, '/st')).head, /\r\nrefresh: 7\r\n/);
      assert.doesNotMatch((await get(s.port, '/st;norefresh')).head, /refresh:/);
    });
  },
  async 'stats hide-version'() {
    await withServed('    stats uri /st\n', async (s) => {
      assert.match((await get(s.port, '/st')).body, /HAProxy version \d/);
    });
    await withServed('    stats uri /st\n    stats hide-version\n', async (s) => {
      const b = (await get(s.port, '/st')).body;
      assert.match(b, /Statistics Report/);
      assert.doesNotMatch(b, /version/);
    });
  },
  async 'stats show-legends'() {
    const addrOf = async (lines: string) => {
      let addr = '';
      await withServed(lines, async (s) => {
        const body = (await get(s.port, '/st;csv')).body.replace(/^[0-9A-F]+\r\n/, '');
        const header = body.split('\n')[0].split(',');
        const row = csvRows(body)
          .find((l) => l.startsWith('l,s1,'))!
          .split(',');
        addr = row[header.indexOf('addr')];
      });
      return addr;
    };
    assert.equal(await addrOf('    stats uri /st\n'), '');
    assert.match(await addrOf('    stats uri /st\n    stats show-legends\n'), /^127\.0\.0\.1:\d+$/);
  },
  async 'stats show-node'() {
    await withServed('    stats uri /st\n    stats show-node edge-1\n', async (s) => {
      assert.match((await get(s.port, '/st')).body, /Statistics Report for pid \d+ on edge-1/);
    });
  },
  async 'stats show-desc'() {
    await withServed('    stats uri /st\n    stats show-desc front node A\n', async (s) => {
      assert.match((await get(s.port, '/st')).body, /description:<\/b> front node A/);
    });
  },
  async 'stats scope'() {
    const other =
      'backend other\n    server o1 127.0.0.1:{{up}}\nbackend third\n    server t1 127.0.0.1:{{up}}\n';
    await withServed(
      '    stats uri /st\n',
      async (s) => {
        const names = csvRows((await get(s.port, '/st;csv')).body).map((l) => l.split(',')[0]);
        assert.deepEqual([...new Set(names)], ['l', 'other', 'third'], 'without scope: every proxy');
      },
      '',
      other,
    );
    await withServed(
      '    stats uri /st\n    stats scope other\n    stats scope .\n',
      async (s) => {
        const names = csvRows((await get(s.port, '/st;csv')).body).map((l) => l.split(',')[0]);
        assert.deepEqual([...new Set(names)], ['l', 'other']);
      },
      '',
      other,
    );
  },
  async 'stats socket'() {
    await withServed(
      '    balance roundrobin\n    server s2 127.0.0.1:{{up}}\n',
      async (s) => {
        const admin = `${s.dir}/admin.sock`;
        const user = `${s.dir}/user.sock`;
        assert.equal(statSync(admin).mode & 0o777, 0o600, 'mode 600');
        if (isRoot) assert.equal(statSync(user).gid, 1, 'group daemon (gid 1)');
        // socat, as operators script it
        const socat = (path: string, cmd: string) => socatCommand(path, cmd);
        assert.equal(await socat(user, 'disable server l/s1'), 'Permission denied\n\n', 'level user cannot');
        assert.equal(await socat(admin, 'disable server l/s1'), '\n');
        // out of rotation at once: every request now goes to s2
        const [s1, s2] = ['s1', 's2'].map(
          (n) => s.engine.backends[0].servers.find((x) => x.spec.name === n)!,
        );
        for (let i = 0; i < 4; i++) await get(s.port, `/r${i}`);
        assert.equal(s1.counters.stot, 0);
        assert.equal(s2.counters.stot, 4);
        assert.match(await socat(user, 'show stat'), /\nl,s1,(?:[^,]*,){15}MAINT,/);
        assert.equal(await socat(admin, 'enable server l/s1'), '\n');
        await get(s.port, '/back1');
        await get(s.port, '/back2');
        assert.equal(s1.counters.stot, 1, 'back in rotation');
      },
      `    stats socket {{dir}}/admin.sock mode 600 level admin\n    stats socket {{dir}}/user.sock level user${isRoot ? ' group daemon' : ''}\n`,
    );
    // ipv4@: the same API on a TCP port
    const [cli] = await freePorts(1);
    await withServed(
      '',
      async () => {
        const x = await exchange(cli, 'show backend\n', { ms: 4000 });
        assert.equal(x.text, '# name\nl\n\n');
        assert.ok(x.closed, 'one command per connection');
      },
      `    stats socket ipv4@127.0.0.1:${cli} level admin\n`,
    );
  },
  async 'stats timeout'() {
    await withServed(
      '',
      async (s) => {
        const net = await import('node:net');
        const sock = net.connect(`${s.dir}/cli.sock`);
        let closed = false;
        sock.on('close', () => {
          closed = true;
        });
        sock.on('error', () => {});
        sock.resume(); // read, so that the server's close is seen
        sock.write('prompt\n');
        const t0 = Date.now();
        assert.ok(await waitFor(() => closed, 4000), 'an idle prompt session is closed');
        assert.ok(Date.now() - t0 >= 250, 'not before the timeout');
        assert.equal(await statsCommand(`${s.dir}/cli.sock`, 'show backend'), '# name\nl\n\n');
      },
      '    stats socket {{dir}}/cli.sock\n    stats timeout 300ms\n',
    );
  },
};

/** `stats admin if TRUE|LOCALHOST`: the form's POST actions change servers at once (HAProxy's 303). */
STATS_EFFECTS['stats admin'] = async () => {
  const post = async (port: number, body: string) => {
    const auth = Buffer.from('admin:admin').toString('base64');
    // the head and the form in two writes, as browsers often send them
    const x = await exchange(
      port,
      [
        `POST /st HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        { delayMs: 20 },
        body,
      ],
      { ms: 4000 },
    );
    return x.text;
  };
  for (const cond of ['TRUE', 'LOCALHOST']) {
    await withServed(
      `    stats uri /st\n    stats auth admin:admin\n    stats admin if ${cond}\n    server s2 127.0.0.1:{{up}}\n`,
      async (s) => {
        const page = (await get(s.port, '/st', 'admin:admin')).body;
        assert.match(page, /<form method="post">/, 'the form is shown to an admin');
        const iid = /name="b" value="#(\d+)"/.exec(page)![1];
        const r = await post(s.port, `s=s1&action=drain&b=%23${iid}`);
        assert.match(r, /^HTTP\/1\.1 303 See Other\r\n/);
        assert.match(r, /\r\nlocation: \/st;st=DONE\r\n/);
        const s1 = s.engine.backends[0].servers.find((x) => x.spec.name === 's1')!;
        assert.equal(s1.weight, 0, 'drained at once');
        for (let i = 0; i < 3; i++) await get(s.port, `/d${i}`);
        assert.equal(s1.counters.stot, 0, 'a drained server gets no new traffic');
        assert.match(await post(s.port, `s=s1&s=nope&action=ready&b=%23${iid}`), /st=PART\r\n/);
        assert.equal(s1.weight, 1);
        assert.match(await post(s.port, `s=s1&action=bogus&b=%23${iid}`), /st=ERRP\r\n/);
        assert.match(
          (await get(s.port, '/st;st=DONE', 'admin:admin')).body,
          /Action processed successfully\./,
        );
      },
    );
  }
  // without the right, the same POST changes nothing
  await withServed('    stats uri /st\n    stats auth admin:admin\n    stats admin if FALSE\n', async (s) => {
    const page = (await get(s.port, '/st', 'admin:admin')).body;
    assert.doesNotMatch(page, /<form method="post">/);
    assert.match(await post(s.port, 's=s1&action=maint&b=%231'), /st=DENY\r\n/);
    assert.equal(s.engine.backends[0].servers[0].admin, 0);
  });
};

const USERS = 'userlist users\n    group ops users bob\n    user bob insecure-password hunter2\n';

/** `stats admin if COND` with any other condition: the rule engine decides per request. */
const adminTrueLocalhost = STATS_EFFECTS['stats admin'];
STATS_EFFECTS['stats admin'] = async () => {
  await adminTrueLocalhost();
  await withServed(
    '    stats uri /st\n    stats admin if { http_auth_group(users) ops }\n    server s2 127.0.0.1:{{up}}\n',
    async (s) => {
      assert.doesNotMatch((await get(s.port, '/st')).body, /<form method="post">/, 'no credentials');
      const page = (await get(s.port, '/st', 'bob:hunter2')).body;
      assert.match(page, /<form method="post">/, 'a member of ops gets the form');
      const iid = /name="b" value="#(\d+)"/.exec(page)![1];
      const body = `s=s1&action=drain&b=%23${iid}`;
      const post = async (auth: string) =>
        (
          await exchange(
            s.port,
            `POST /st HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${Buffer.from(auth).toString('base64')}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
            { ms: 4000 },
          )
        ).text;
      const s1 = s.engine.backends[0].servers.find((x) => x.spec.name === 's1')!;
      assert.match(await post('bob:wrong'), /\r\nlocation: \/st;st=DENY\r\n/);
      assert.equal(s1.weight, 1, 'a POST without the right changes nothing');
      assert.match(await post('bob:hunter2'), /\r\nlocation: \/st;st=DONE\r\n/);
      assert.equal(s1.weight, 0, 'drained at once');
    },
    '',
    USERS,
  );
};

/** `stats http-request allow|deny|auth`: first matching rule wins, before the page is made. */
STATS_EFFECTS['stats http-request'] = async () => {
  await withServed(
    '    stats uri /st\n    stats http-request deny if { hdr(x-block) -m found }\n    stats http-request auth realm Ops unless { http_auth(users) }\n',
    async (s) => {
      const none = await get(s.port, '/st');
      assert.equal(none.status, 401);
      assert.match(none.head, /\r\nwww-authenticate: Basic realm="Ops"\r\n/);
      assert.doesNotMatch(none.body, /Statistics Report/);
      assert.equal((await get(s.port, '/st;csv', 'bob:hunter2')).status, 200);
      const blocked = await exchange(
        s.port,
        'GET /st HTTP/1.1\r\nHost: x\r\nX-Block: 1\r\nConnection: close\r\n\r\n',
        { ms: 4000 },
      );
      assert.match(blocked.text, /^HTTP\/1\.1 403 Forbidden\r\n/);
      // the rules are the stats page's: other requests go to the server without a challenge
      assert.match((await get(s.port, '/other')).body, /ok \/other/);
    },
    '',
    USERS,
  );
};

/** A userlist's users get in, with a SHA-512 hash (openssl passwd -6 -salt saltsalt s3cret) or in clear. */
STATS_EFFECTS['section userlist'] = async () => {
  const sha512 =
    '$6$saltsalt$As4wrv0kZlfch1du9WeH7qhskyLriQWySXrZzynnvi46nFnNxjdpl6ksRegrrKexvhIa/Iny8S8uF3fVWTMuC1';
  await withServed(
    '    http-request deny unless { http_auth(staff) }\n',
    async (s) => {
      assert.equal((await get(s.port, '/a')).status, 403);
      assert.match((await get(s.port, '/a', 'alice:s3cret')).body, /ok \/a/);
      assert.equal((await get(s.port, '/a', 'alice:S3cret')).status, 403);
      // a verified password is remembered; the wrong one right after is still refused
      assert.match((await get(s.port, '/b', 'alice:s3cret')).body, /ok \/b/);
      assert.equal((await get(s.port, '/b', 'alice:s3cret ')).status, 403);
      assert.match((await get(s.port, '/c', 'bob:hunter2')).body, /ok \/c/);
    },
    '',
    `userlist staff\n    user alice password ${sha512}\n    user bob insecure-password hunter2\n`,
  );
};

/** `http-request auth`: a 401 challenge naming the realm until the credentials are right. */
STATS_EFFECTS['http-request auth'] = async () => {
  await withServed(
    '    http-request auth realm Staff\\ only unless { http_auth(users) }\n',
    async (s) => {
      const none = await get(s.port, '/x');
      assert.equal(none.status, 401);
      assert.match(none.head, /\r\nwww-authenticate: Basic realm="Staff only"\r\n/);
      assert.match((await get(s.port, '/x', 'bob:hunter2')).body, /ok \/x/);
    },
    '',
    USERS,
  );
};
