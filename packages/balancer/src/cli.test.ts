import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startUpstream } from '../test/support/harness.ts';
import { freePort, freePortRun } from '../test/support/ports.ts';
import { runCli } from '../test/support/proc.ts';
import { exchange } from '../test/support/raw-client.ts';
import { startRawServer } from '../test/support/raw-server.ts';
import { waitFor } from '../test/support/wait-for.ts';

const CLI = new URL('./cli.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'balancer-cli-'));
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups) await c();
});

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(args, { env });
  children.push(r.child);
  return r;
}

test('-v prints the version; an unknown flag is a usage error', () => {
  const v = spawnSync(process.execPath, [CLI, '-v'], { encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^balancer version \d+\.\d+\.\d+/);
  const bad = spawnSync(process.execPath, [CLI, '--bogus'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown option '--bogus'/);
});

test('without -f: the built-in demo balances over two demo servers; SIGTERM exits 0', async () => {
  // the demo uses PORT, PORT+1, PORT+2
  const port = await freePortRun(3);
  // -V: the "listening on" notice comes once the demo servers and the frontend are up
  const { child, out } = run(['-V'], { BALANCER_DEMO_PORT: String(port) });
  assert.ok(await waitFor(() => out.stderr.includes('built-in demo'), 5000), out.stderr);
  assert.ok(await waitFor(() => out.stderr.includes(`listening on 127.0.0.1:${port}`), 5000), out.stderr);
  let served = '';
  for (let i = 0; i < 4 && !/demo2/.test(served); i++) {
    const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { ms: 2000 });
    served += r.text;
  }
  assert.match(served, /Hello from demo1/);
  assert.match(served, /Hello from demo2/);
  child.kill('SIGTERM');
  assert.ok(await waitFor(() => out.code !== null, 5000));
  assert.equal(out.code, 0);
});

test('a bind that fails prints an [ALERT] naming it and exits 1', async () => {
  const blocker = await startRawServer(() => {});
  cleanups.push(() => blocker.close());
  const port = blocker.port;
  const cfg = join(dir, 'inuse.cfg');
  writeFileSync(
    cfg,
    `defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n`,
  );
  const r = spawnSync(process.execPath, [CLI, '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    new RegExp(`\\[ALERT\\].*cannot bind socket \\(Address already in use\\) \\[127\\.0\\.0\\.1:${port}\\]`),
  );
});

test('a server without a port (or with a port offset) is refused at start, not connected to port 0', async () => {
  const cfg = join(dir, 'portless.cfg');
  writeFileSync(
    cfg,
    `defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nlisten l\n  bind 127.0.0.1:${await freePort()}\n  server s 127.0.0.1:+1\n`,
  );
  const r = spawnSync(process.execPath, [CLI, '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /\[ALERT\].*portless\.cfg:8\] : 'server s 127\.0\.0\.1:\+1' is not implemented yet \(.*write an explicit port\)/,
  );
  // and -c says the same: start-up and check never disagree
  const c = spawnSync(process.execPath, [CLI, '-c', '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(c.status, 1);
  assert.match(c.stderr, /portless\.cfg:8\] : 'server s 127\.0\.0\.1:\+1' is not implemented yet/);
});

test('what haproxy -c refuses while reading stops start-up too, unsafe-ignore-unimplemented or not', async () => {
  const cert = join(dir, 'garbage.pem');
  writeFileSync(cert, 'not a certificate\n');
  const head = `global\n  unsafe-ignore-unimplemented\ndefaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n`;
  const cases = [
    {
      text: `frontend f\n  bind 127.0.0.1:${await freePort()} ssl crt ${cert}\n  http-request set-header X %[src,map_ip(/nonexistent/x.map)]\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n`,
      expected: [
        `:9] : 'bind 127.0.0.1:`,
        `' in section 'frontend' : unable to load certificate from file '${cert}'.`,
        ":10] : error detected in frontend 'f' while parsing 'http-request set-header' rule : failed to parse sample expression <src,map_ip(/nonexistent/x.map)]> : invalid args in converter 'map_ip' : failed to open pattern file </nonexistent/x.map>.",
      ],
    },
    {
      text: `listen l\n  bind 127.0.0.1:${await freePort()}\n  server s 127.0.0.1:1 check inter 0\n`,
      expected: [":10] : 'server l/s' : invalid value 0 for argument 'inter' of server s.."],
    },
  ];
  const lines = (t: string) =>
    t
      .replace(/\(\d+\)/g, '(PID)')
      .split('\n')
      .filter((l) => !l.includes('[NOTICE]'));
  for (const [i, c] of cases.entries()) {
    const cfg = join(dir, `refused-${i}.cfg`);
    writeFileSync(cfg, head + c.text);
    const start = spawnSync(process.execPath, [CLI, '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
    const check = spawnSync(process.execPath, [CLI, '-c', '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
    for (const r of [start, check]) {
      assert.equal(r.status, 1, r.stderr);
      for (const e of c.expected) assert.ok(r.stderr.includes(e), `${e}\nin\n${r.stderr}`);
    }
    assert.deepEqual(lines(start.stderr), lines(check.stderr)); // the very same report
  }
});

test('fd@N: serves on an inherited listening socket (as systemd socket activation passes it)', async (t) => {
  const py = spawnSync('python3', ['-c', 'print(1)']);
  if (py.status !== 0) {
    t.skip('python3 is needed to pass a listening socket');
    return;
  }
  const up = await startUpstream();
  cleanups.push(() => up.close());
  const cfg = join(dir, 'fd.cfg');
  writeFileSync(
    cfg,
    `defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 1s\nfrontend f\n  bind fd@3\n  default_backend b\nbackend b\n  server s 127.0.0.1:${up.port}\n`,
  );
  // python creates and listens on the socket, puts it on fd 3, then execs the balancer
  const script = `
import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
print(s.getsockname()[1], flush=True)
os.execv(sys.argv[1], [sys.argv[1], sys.argv[2], "-f", sys.argv[3]])
`;
  const child = spawn('python3', ['-c', script, process.execPath, CLI, cfg], { stdio: 'pipe' });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  assert.ok(await waitFor(() => /^\d+\n/.test(stdout), 5000), stderr);
  const port = Number(stdout.trim());
  let r = { text: '', closed: false, ms: 0 };
  for (let i = 0; i < 50 && !r.text.includes('ok /fd'); i++) {
    r = await exchange(port, 'GET /fd HTTP/1.1\r\nHost: x\r\n\r\n', {
      until: (s) => s.includes('ok /fd'),
      ms: 1000,
    });
  }
  assert.match(r.text, /ok \/fd/, stderr);
  child.kill('SIGTERM');
  assert.ok(await waitFor(() => child.exitCode !== null, 5000));
  assert.equal(child.exitCode, 0);
});

test('SIGUSR1 is a graceful stop: an in-flight request completes, then exit 0', async () => {
  let release: (() => void) | null = null;
  const up = await startUpstream((_req, socket) => {
    release = () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
  });
  cleanups.push(() => up.close());
  const port = await freePort();
  const cfg = join(dir, 'grace.cfg');
  writeFileSync(
    cfg,
    `defaults\n  mode http\n  timeout client 5s\n  timeout server 5s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:${up.port}\n`,
  );
  const { child, out } = run(['-f', cfg]);
  let pending: ReturnType<typeof exchange> | null = null;
  for (let i = 0; i < 50 && release === null; i++) {
    pending = exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { ms: 5000 });
    await waitFor(() => release !== null, 200);
  }
  assert.ok(release, out.stderr);
  child.kill('SIGUSR1');
  // the soft stop has begun (listeners closed) before the response is released
  assert.ok(await waitFor(() => out.stderr.includes('SIGUSR1 received: soft stop'), 5000), out.stderr);
  (release as unknown as () => void)();
  const r = await pending!;
  assert.match(r.text, /done$/);
  assert.ok(await waitFor(() => out.code !== null, 5000));
  assert.equal(out.code, 0);
});
