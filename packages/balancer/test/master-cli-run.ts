/**
 * The master CLI (`-S <socket>`) driven the same way on haproxy 2.6 and on the balancer: one command
 * line per connection, as `echo LINE | socat - UNIX:SOCK` sends it (master-cli-record.ts writes
 * haproxy's replies to master-cli-expected.json; master-cli.test.ts compares ours). Replies are kept
 * byte for byte, except what differs by nature: pids become M (master) and W (worker) padded to their
 * width, `show proc` uptimes become UPTIME, the version string VERSION.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { command, type ProxyKind } from './process-mode-run.ts';
import { makeTempDir } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { childPids } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

/** Lines sent, in order, each on its own connection to the admin-level socket. `%W` is the worker's pid. */
export const ADMIN_LINES = [
  'help',
  'show proc',
  'show version',
  'show cli level',
  '@master show proc',
  '@0 show version',
  '@!99999 show info',
  '@2 show info',
  'operator; show cli level',
  'user; show cli level',
  'user; operator',
  'show info',
  'show stat',
  'prompt; quit',
];

/** Lines sent to a `level user` socket. */
export const USER_LINES = ['show cli level', 'operator', 'show proc', 'reload', '@1 disable server x/y'];

/** An interactive session: several lines on one connection, in prompt mode. */
export const PROMPT_SESSION = 'prompt\nshow version\nshow cli level\nquit\n';

export interface MasterCliResult {
  admin: Record<string, string>;
  user: Record<string, string>;
  /** PROMPT_SESSION's whole reply */
  prompt: string;
  /** `@1 show info` and `@!<worker> show info`: the worker answered (its `Pid:` line is the worker's) */
  routed: Record<string, boolean>;
  /** `reload`: the reply, whether the connection closed, and `show proc` after it */
  reload: { reply: string; closed: boolean; showProcAfter: string };
}

/** Sends one line and reads until the peer closes (bounded). */
export function ask(
  path: string,
  line: string,
  timeoutMs = 5000,
): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    let reply = '';
    const t = setTimeout(() => {
      c.destroy();
      resolve({ reply, closed: false });
    }, timeoutMs);
    c.on('data', (d) => {
      reply += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('close', () => {
      clearTimeout(t);
      resolve({ reply, closed: true });
    });
    c.end(`${line}\n`);
  });
}

function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, agent: false, timeout: 1000 }, (res) => {
        let b = '';
        res.on('data', (d) => {
          b += d;
        });
        res.on('end', () => resolve(b));
      })
      .on('error', () => resolve(''));
  });
}

/** The parts that differ by nature, replaced by tokens (pids and uptimes keep their width). */
export function normalize(
  text: string,
  pids: { master: number; workers: number[] },
  version: string,
): string {
  const role = (pid: string) => (Number(pid) === pids.master ? 'M' : 'W').padEnd(pid.length);
  return text
    .replace(/^(\d+)(?= +(?:master|worker)\b)/gm, role)
    .replace(/\b\d+d\d\dh\d\dm\d\ds\b/g, (m) => 'UPTIME'.padEnd(m.length))
    .replaceAll(version, 'VERSION')
    .replace(/ +$/gm, '')
    .replaceAll(String(pids.master), 'M')
    .replace(/\d+/g, (m) => (pids.workers.includes(Number(m)) ? 'W' : m));
}

export async function runMasterCli(proxy: ProxyKind, version: string): Promise<MasterCliResult> {
  const tmp = makeTempDir('master-cli');
  const port = await freePort();
  const cfg = join(tmp.dir, 'haproxy.cfg');
  const admin = join(tmp.dir, 'master.sock');
  const user = join(tmp.dir, 'user.sock');
  writeFileSync(
    cfg,
    `global\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string ok\n`,
  );
  const [cmd, argv] = command(proxy, ['-W', '-db', '-f', cfg, '-S', admin, '-S', `${user},level,user`]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const master = child.pid!;
  try {
    if (!(await waitFor(async () => (await get(port)) === 'ok', 15_000, 50)))
      throw new Error(`${proxy}: never served\n${err}`);
    // (the port may serve a moment before the master's own socket is there)
    if (!(await waitFor(async () => (await ask(admin, 'show version')).reply !== '', 10_000, 50)))
      throw new Error(`${proxy}: the master CLI never answered\n${err}`);
    const workers = () => childPids(master);
    const n = (s: string) => normalize(s, { master, workers: workers() }, version);
    const out: MasterCliResult = {
      admin: {},
      user: {},
      prompt: '',
      routed: {},
      reload: { reply: '', closed: false, showProcAfter: '' },
    };
    for (const line of ADMIN_LINES) out.admin[line] = n((await ask(admin, line)).reply);
    for (const line of USER_LINES) out.user[line] = n((await ask(user, line)).reply);
    out.prompt = n((await ask(admin, PROMPT_SESSION.slice(0, -1))).reply);
    const [w] = workers();
    for (const line of ['@1 show info', `@!${w} show info`]) {
      const r = (await ask(admin, line)).reply;
      out.routed[line.replace(String(w), 'W')] = new RegExp(`^Pid: ${w}$`, 'm').test(r);
    }
    const before = workers();
    const r = await ask(admin, 'reload');
    // the reload is done when a worker serves again (haproxy: a new one; ours: the same, reloaded)
    await waitFor(
      async () =>
        /^ *M +master +1 /m.test(n((await ask(admin, 'show proc')).reply)) && (await get(port)) === 'ok',
      15_000,
      100,
    );
    await waitFor(() => workers().length === before.length, 10_000, 50);
    out.reload = {
      reply: n(r.reply),
      closed: r.closed,
      showProcAfter: normalize(
        (await ask(admin, 'show proc')).reply,
        { master, workers: workers() },
        version,
      ),
    };
    return out;
  } finally {
    if (!exited) child.kill('SIGKILL');
    for (const p of childPids(master)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {}
    }
    await waitFor(() => exited, 5000, 20);
    tmp.remove();
  }
}
