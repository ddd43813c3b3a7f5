/**
 * The balancer as an init system and an operator see it: a real process, real signals, the sd_notify
 * socket read like systemd reads it (socat), and `-c` / start-up verdicts compared with the real
 * `haproxy` on the same files where HAProxy has an opinion.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startUpstream } from './support/harness.ts';
import { hasSocat, notifySocket as notifyAt } from './support/notify-socket.ts';
import { freePort, waitForPort } from './support/ports.ts';
import { runCli } from './support/proc.ts';
import { exchange } from './support/raw-client.ts';
import { waitFor } from './support/wait-for.ts';

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;
const BIN = new URL('../bin/balancer', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lb-cli-process-'));
const children: ChildProcess[] = [];
const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups) await c();
  rmSync(dir, { recursive: true, force: true });
});

const haproxy = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
const hasHaproxy26 = haproxy.status === 0 && /version 2\.6\./.test(haproxy.stdout);

let n = 0;
function file(text: string): string {
  const f = join(dir, `c${n++}.cfg`);
  writeFileSync(f, text);
  return f;
}

/** `health: false` leaves out our health-socket keyword, for files haproxy must read too. */
function cfgText(port: number, upPort: number, opts: { health?: boolean } = {}): string {
  const g = opts.health === false ? '' : `global\n    health-socket ${join(dir, `h${n}.sock`)}\n`;
  return `${g}defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n    default_backend b\nbackend b\n    server s 127.0.0.1:${upPort}\n`;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(args, { env });
  children.push(r.child);
  return r;
}

function runSync(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000, cwd: dir });
}

/** A notify socket read like systemd does: every datagram socat receives, in order. */
async function notifySocket(): Promise<{ path: string; text: () => string }> {
  const s = await notifyAt(join(dir, `notify${n++}.sock`));
  children.push(s.child);
  return s;
}

const get = (port: number, path = '/') =>
  exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, { ms: 4000 });

function connectRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

const count = (text: string, what: string) => text.split(what).length - 1;

describe('signals and readiness (a real process)', { skip: !hasSocat && 'socat is not installed' }, () => {
  test('READY=1 once serving; SIGHUP/SIGUSR2 reload around RELOADING=1/READY=1 and never exit; SIGQUIT dumps; SIGTTOU/SIGTTIN pause and resume; other signals are ignored; SIGTERM stops at once with STOPPING=1', async () => {
    const up = await startUpstream();
    cleanups.push(() => up.close());
    const port = await freePort();
    const cfg = file(cfgText(port, up.port));
    const notify = await notifySocket();
    const { child, out } = run(['-f', cfg], { NOTIFY_SOCKET: notify.path });
    assert.ok(await waitFor(() => notify.text().includes('READY=1'), 10_000), out.stderr);
    assert.match(notify.text(), /^READY=1\nSTATUS=serving: 1 listeners\n/);
    assert.match((await get(port, '/before')).text, /ok \/before/);

    // reload with a valid configuration: signalled to systemd, logged, still serving
    for (const sig of ['SIGHUP', 'SIGUSR2'] as const) {
      const readies = count(notify.text(), 'READY=1');
      child.kill(sig);
      assert.ok(
        await waitFor(() => count(notify.text(), 'READY=1') > readies, 5000),
        `${sig}: READY after reload`,
      );
      assert.match(notify.text(), /RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=reloading/);
      assert.equal(count(out.stderr, `${sig} received`), 1, `${sig} logged once`);
      assert.match(
        out.stderr,
        new RegExp(
          `${sig} received: new configuration applied \\(1 listeners taken over, 0 added, 0 closed\\)`,
        ),
      );
      assert.match((await get(port, `/after-${sig}`)).text, new RegExp(`ok /after-${sig}`));
    }

    // a broken configuration on reload: an alert, and the running one keeps serving
    writeFileSync(cfg, 'frontend f\n    bind\n');
    const readies = count(notify.text(), 'READY=1');
    child.kill('SIGHUP');
    assert.ok(await waitFor(() => count(notify.text(), 'READY=1') > readies, 5000));
    assert.match(
      out.stderr,
      /\[ALERT\].*SIGHUP received: the new configuration has errors; still serving the running one\./,
    );
    assert.match((await get(port, '/still')).text, /ok \/still/);

    child.kill('SIGQUIT');
    assert.ok(await waitFor(() => out.stderr.includes('SIGQUIT received: state dump'), 5000));
    assert.ok(await waitFor(() => out.stderr.includes('server b/s: UP'), 5000));

    child.kill('SIGTTOU');
    assert.ok(await waitFor(() => out.stderr.includes('SIGTTOU received: listeners paused'), 5000));
    assert.equal(await connectRefused(port), true, 'paused: the port is released');
    child.kill('SIGTTIN');
    assert.ok(await waitFor(() => out.stderr.includes('SIGTTIN received: listeners resumed'), 5000));
    assert.match((await get(port, '/resumed')).text, /ok \/resumed/);

    for (const sig of ['SIGPIPE', 'SIGWINCH', 'SIGALRM', 'SIGCONT'] as const) {
      child.kill(sig);
      assert.ok(await waitFor(() => out.stderr.includes(`${sig} received: ignored.`), 5000), sig);
    }
    assert.equal(out.code, null, 'still running');

    // hard stop: an in-flight request does not hold the process
    const held = net.connect(port, '127.0.0.1');
    held.on('error', () => {});
    held.write('GET /held HTTP/1.1\r\nHost: x\r\n'); // never completes
    child.kill('SIGTERM');
    assert.ok(await waitFor(() => out.code !== null, 5000), out.stderr);
    assert.equal(out.code, 0);
    assert.match(notify.text(), /STOPPING=1\nSTATUS=stopping \(SIGTERM\)\n/);
    assert.match(out.stderr, /SIGTERM received: stopping now\./);
    held.destroy();
  });

  test('SIGINT is a hard stop too', async () => {
    const port = await freePort();
    const { child, out } = run(['-f', file(cfgText(port, 1))]);
    await waitForPort(port, { alive: () => out.code === null && out.signal === null });
    child.kill('SIGINT');
    assert.ok(await waitFor(() => out.code !== null || out.signal !== null, 5000));
    assert.deepEqual([out.code, out.signal], [0, null], 'exits by itself, not killed by the signal');
    assert.match(out.stderr, /SIGINT received: stopping now\./);
  });
});

describe('command line and -c, against haproxy where it has an opinion', () => {
  const empty = () => file('');
  const noListener = () => file('global\n    maxconn 100\n');
  const onlyBackend = () =>
    file(
      'defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nbackend b\n    server s 127.0.0.1:80\n',
    );

  test('an empty configuration, or one without a listener: -c exits 2 with HAProxy’s line; start-up refuses (exit 1)', async () => {
    for (const f of [empty(), noListener(), onlyBackend()]) {
      const ours = runSync(process.execPath, [CLI, '-c', '-f', f]);
      assert.equal(ours.status, 2, ours.stderr);
      assert.equal(
        ours.stdout.split('\n').filter(Boolean).at(-1),
        'Configuration file has no error but will not start (no listener) => exit(2).',
      );
      if (hasHaproxy26) {
        const theirs = runSync('haproxy', ['-c', '-f', f]);
        assert.equal(ours.status, theirs.status);
        assert.equal(ours.stdout.split('\n').at(-2), theirs.stdout.split('\n').at(-2));
      }
      const start = runSync(process.execPath, [CLI, '-f', f]);
      assert.equal(start.status, 1);
      assert.match(
        start.stderr,
        /\[ALERT\] +\(\d+\) : \[haproxy\.main\(\)\] No enabled listener found \(check for 'bind' directives\) ! Exiting\./,
      );
    }
  });

  test('streams: diagnostics on stderr after two [NOTICE] lines; "Warnings were found." and the verdict on stdout', async () => {
    const f = file(`${cfgText(await freePort(), 1)}    compression algo gzip\n`);
    const ours = runSync(process.execPath, [CLI, '-c', '-f', f]);
    assert.equal(ours.status, 0);
    assert.equal(ours.stdout, 'Warnings were found.\nConfiguration file is valid\n');
    const err = ours.stderr.split('\n');
    assert.match(err[0], /^\[NOTICE\] {3}\(\d+\) : balancer version is /);
    assert.match(err[1], /^\[NOTICE\] {3}\(\d+\) : path to executable is /);
    assert.match(
      err[2],
      /^\[WARNING\] {2}\(\d+\) : config : parsing \[.*:\d+\] : 'compression' is parsed but not applied yet/,
    );
  });

  test('-q silences -c entirely, warnings and alerts alike, as haproxy -c -q', () => {
    const warned = file(`${cfgText(18_999, 1, { health: false })}    compression algo gzip\n`);
    const broken = file('defaults\n    timout client 1s\n');
    for (const f of [warned, broken]) {
      const ours = runSync(process.execPath, [CLI, '-c', '-q', '-f', f]);
      assert.equal(ours.stdout + ours.stderr, '');
      if (hasHaproxy26) {
        const theirs = runSync('haproxy', ['-c', '-q', '-f', f]);
        assert.equal(theirs.stdout + theirs.stderr, '');
        assert.equal(ours.status, theirs.status);
      }
    }
  });

  test("Debian's ExecReload line (-Ws -c -q -S /run/haproxy-master.sock) checks silently; -d and the -d* flags are accepted", async () => {
    const f = file(cfgText(await freePort(), 1));
    const reload = runSync(process.execPath, [
      CLI,
      '-Ws',
      '-f',
      f,
      '-c',
      '-q',
      '-S',
      '/run/haproxy-master.sock',
    ]);
    assert.equal(reload.status, 0, reload.stderr);
    assert.equal(reload.stdout + reload.stderr, '');
    for (const flags of [['-d'], ['-db'], ['-dS', '-dR', '-dV', '-dM']]) {
      const r = runSync(process.execPath, [CLI, ...flags, '-c', '-f', f]);
      assert.equal(r.status, 0, `${flags.join(' ')}: ${r.stderr}`);
    }
  });

  test('-dW (and zero-warning in global) makes any warning fatal, as HAProxy', async () => {
    const f = file(`${cfgText(await freePort(), 1)}    compression algo gzip\n`);
    const ours = runSync(process.execPath, [CLI, '-c', '-dW', '-f', f]);
    assert.equal(ours.status, 1);
    assert.match(
      ours.stderr,
      /\[ALERT\] +\(\d+\) : config : Some warnings were found and 'zero-warning' is set\. Aborting\.\n$/,
    );
    // a warning both know: missing timeouts
    const both = file(
      'frontend f\n    bind 127.0.0.1:18998\n    default_backend b\nbackend b\n    server s 127.0.0.1:80\n',
    );
    const mine = runSync(process.execPath, [CLI, '-c', '-dW', '-f', both]);
    assert.equal(mine.status, 1);
    if (hasHaproxy26) {
      const theirs = runSync('haproxy', ['-c', '-dW', '-f', both]);
      assert.equal(theirs.status, 1);
      assert.equal(
        mine.stderr
          .split('\n')
          .at(-2)
          ?.replace(/\(\d+\)/, ''),
        theirs.stderr
          .split('\n')
          .at(-2)
          ?.replace(/\(\d+\)/, ''),
      );
    }
  });

  test('-cc evaluates a condition: 0 true, 1 false, 2 unparsable, as haproxy -cc', {
    skip: !hasHaproxy26 && 'haproxy 2.6 is not installed',
  }, () => {
    for (const cond of ['version_atleast(2.4)', 'version_atleast(3.4)', 'foo(1)', 'defined(PATH)']) {
      const ours = runSync(process.execPath, [CLI, '-cc', cond]);
      const theirs = runSync('haproxy', ['-cc', cond]);
      assert.equal(ours.status, theirs.status, cond);
    }
  });

  test('-v and -vv: the version first, then what this build runs on', () => {
    const v = runSync(process.execPath, [CLI, '-v']);
    assert.match(v.stdout, /^balancer version \d+\.\d+\.\d+ - haproxy\.cfg compatible/);
    assert.match(v.stdout, /\nRunning on: Linux /);
    const vv = runSync(process.execPath, [CLI, '-vv']);
    assert.match(vv.stdout, new RegExp(`RUNTIME = Node\\.js ${process.version.replaceAll('.', '\\.')}`));
    assert.match(vv.stdout, /Built without Lua support/);
  });

  test('the bin runs on Node 24 even when an older node is first on PATH', () => {
    const r = spawnSync(BIN, ['-v'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^balancer version/);
  });

  test('a TLS ClientHello on a plain HTTP port gets an immediate 400, not a 408 at timeout http-request', async () => {
    const port = await freePort();
    const f = file(
      cfgText(port, 1).replace('timeout connect 1s', 'timeout connect 1s\n    timeout http-request 60s'),
    );
    const { child, out } = run(['-f', f]);
    await waitForPort(port, { alive: () => out.code === null });
    const hello = Buffer.from('160301020001000001fc0303', 'hex');
    // bounded well below timeout http-request: a 408 would not arrive in time
    const r = await exchange(port, hello, { ms: 5000 });
    assert.match(r.text, /^HTTP\/1\.1 400 Bad request\r\n/);
    assert.equal(r.closed, true);
    child.kill('SIGKILL');
  });
});
