/**
 * global `chroot DIR` (cli/jail.ts), as HAProxy 2.6 applies it (checked by hand with haproxy 2.6.12:
 * /proc/PID/root of the process that serves is DIR; in master-worker mode the master stays at `/` and
 * each worker is in DIR; a directory that cannot be entered is "[haproxy.main()] Cannot chroot(DIR)."
 * and exit 1). Reload: a chrooted single process cannot read its files again and says so, serving on;
 * in master-worker mode each reload starts new workers (in DIR) and the former ones finish, with no
 * request lost. The server is written as `localhost`: names are resolved while the configuration is
 * read (config/checks/server-addresses.ts), so the chrooted process — which has no /etc/hosts — reaches it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HTTP_DEFAULTS } from './support/config-lines.ts';
import { isRoot, makeTempDir } from './support/env.ts';
import { freePort, waitForPort } from './support/ports.ts';
import { type CliOutput, runCli } from './support/proc.ts';
import { runtimeLine } from './support/runtime-api.ts';

const rootOf = (pid: number) => readlinkSync(`/proc/${pid}/root`);
const childrenOf = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((x) => x !== '')
    .map(Number);

/** One request on a new connection: its status, or the error's code. */
function get(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** One request; its body. */
function body(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b.trim()));
      })
      .on('error', reject);
  });
}

async function until(what: string, out: CliOutput, test: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`${what} did not happen in ${ms} ms:\n${out.text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('chroot', { skip: isRoot ? false : 'chroot(2) needs root' }, () => {
  const tmp = makeTempDir('chroot');
  const jail = join(tmp.dir, 'jail');
  let server: http.Server;
  let serverPort = 0;
  before(async () => {
    mkdirSync(jail);
    server = http.createServer((_req, res) => res.end('ok\n'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    serverPort = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    tmp.remove();
  });

  const config = (port: number, name: string, extra: string[] = [], dir = jail) => {
    const cfg = join(tmp.dir, `${name}.cfg`);
    writeFileSync(
      cfg,
      [
        'global',
        `    chroot ${dir}`,
        `    health-socket ${join(tmp.dir, `${name}-health.sock`)}`,
        ...extra,
        ...HTTP_DEFAULTS,
        'frontend fe',
        `    bind 127.0.0.1:${port}`,
        '    default_backend be',
        'backend be',
        `    server s1 localhost:${serverPort}`,
        '',
      ].join('\n'),
    );
    return cfg;
  };

  it('one process: it serves from inside the directory; a reload says it cannot and serves on', async () => {
    const port = await freePort();
    const { child, out } = runCli(['-db', '-f', config(port, 'single')]);
    try {
      await waitForPort(port, { alive: () => out.code === null });
      assert.equal(await get(port), 200, out.text);
      assert.equal(rootOf(child.pid!), jail);
      child.kill('SIGUSR2');
      await until('the reload refusal', out, () =>
        out.text.includes('SIGUSR2 received: this process is chrooted'),
      );
      assert.match(
        out.text,
        new RegExp(
          `\\[ALERT\\] +\\(\\d+\\) : SIGUSR2 received: this process is chrooted to ${jail} and cannot read its configuration again; still serving the running one\\.`,
        ),
      );
      assert.equal(await get(port), 200, 'still serving after the refused reload');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('master-worker: the workers are in the directory, the master is not; a reload replaces them without a lost request', async (t) => {
    const port = await freePort();
    const { child, out } = runCli(['-W', '-db', '-f', config(port, 'mw', ['    nbthread 2'])]);
    try {
      await waitForPort(port, { alive: () => out.code === null });
      // every worker has entered the directory when it says ready: the master then says this
      await until('the workers ready', out, () => out.text.includes('Loading success.'));
      const first = childrenOf(child.pid!);
      assert.equal(rootOf(child.pid!), '/', 'the master stays outside');
      for (const w of first) assert.equal(rootOf(w), jail, `worker ${w}`);

      const results: (number | string)[] = [];
      let reloaded = false;
      // eight clients, each a new connection per request, before, during and after the reload, until
      // the former workers are gone: connections are waiting in the listening socket when they leave
      const end = Date.now() + 20_000;
      const client = async () => {
        while (results.length < 20_000 && Date.now() < end) {
          results.push(await get(port));
          if (reloaded && !first.some((p) => childrenOf(child.pid!).includes(p))) break;
        }
      };
      const load = Promise.all([...Array(8).keys()].map(client));
      await until('some requests', out, () => results.length >= 20);
      child.kill('SIGUSR2');
      await until('the reload', out, () => out.text.includes('SIGUSR2 received: new configuration applied'));
      reloaded = true;
      await until('the former workers exit', out, () =>
        first.every((p) => out.text.includes(`Former worker (${p}) exited with code 0 (Exit)`)),
      );
      await load;
      const failed = results.filter((r) => r !== 200);
      t.diagnostic(`${results.length} requests across the reload`);
      assert.deepEqual(failed, [], `${failed.length} of ${results.length} requests failed`);
      const second = childrenOf(child.pid!);
      assert.equal(second.length, 2, out.text);
      for (const w of second) {
        assert.ok(!first.includes(w), 'new workers');
        assert.equal(rootOf(w), jail, `new worker ${w}`);
      }
    } finally {
      child.kill('SIGKILL');
      for (const p of (() => {
        try {
          return childrenOf(child.pid!);
        } catch {
          return [];
        }
      })())
        process.kill(p, 'SIGKILL');
    }
  });

  it('master-worker: servers added at run time serve from the new workers after a reload too', async () => {
    const second = http.createServer((_req, res) => res.end('second\n'));
    await new Promise<void>((ok) => second.listen(0, '127.0.0.1', ok));
    const port = await freePort();
    const sock = join(tmp.dir, 'edits.sock');
    const { child, out } = runCli([
      '-W',
      '-db',
      '-f',
      config(port, 'edits', ['    nbthread 2', `    stats socket ${sock} level admin`]),
    ]);
    const bodies = async (n: number) => {
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) seen.add(await body(port));
      return [...seen].sort();
    };
    try {
      await until('the workers ready', out, () => out.text.includes('Loading success.'));
      const added = await runtimeLine(
        sock,
        `add server be/s2 127.0.0.1:${(second.address() as { port: number }).port}; enable server be/s2`,
      );
      assert.match(added, /New server registered/, added);
      assert.deepEqual(await bodies(12), ['ok', 'second'], 'both servers serve before the reload');
      const before = childrenOf(child.pid!);
      child.kill('SIGUSR2');
      await until('the former workers exit', out, () =>
        before.every((p) => out.text.includes(`Former worker (${p}) exited`)),
      );
      assert.deepEqual(await bodies(12), ['ok', 'second'], 'the new workers have the added server');
      assert.match(await runtimeLine(sock, 'show stat'), /^be,s2,/m, 'the master kept it too');
    } finally {
      child.kill('SIGKILL');
      second.close();
    }
  });

  for (const mode of ['-db', '-W']) {
    it(`${mode}: a directory that cannot be entered stops start-up with HAProxy's alert`, async () => {
      const port = await freePort();
      const missing = join(tmp.dir, 'no-such-dir');
      const { child, out } = runCli([
        mode,
        ...(mode === '-W' ? ['-db'] : []),
        '-f',
        config(port, `bad${mode}`, [], missing),
      ]);
      await new Promise<void>((ok) => (out.code !== null ? ok() : child.once('exit', () => ok())));
      assert.equal(out.code, 1, out.text);
      assert.match(
        out.text,
        new RegExp(`\\[ALERT\\] +\\(\\d+\\) : \\[haproxy\\.main\\(\\)\\] Cannot chroot\\(${missing}\\)\\.`),
      );
    });
  }
});
