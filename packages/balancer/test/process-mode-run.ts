/**
 * The start modes of HAProxy 2.6 — `-D`/`daemon`, `-db`, `-d`, `-W`, `-Ws`, `master-worker`, `-p` —
 * and what its master does when a worker dies, observed the same way on haproxy and on the balancer
 * (process-mode-record.ts writes haproxy's answers to process-mode-expected.json, process-mode.test.ts
 * compares ours): does the command return (it went to the background), which pid the pid file holds,
 * how many processes serve (a master has one worker child), and the master's words and status when
 * its worker is killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { BALANCER_BIN, makeTempDir } from './support/env.ts';
import { freePort } from './support/ports.ts';
import { childPids, pidAlive } from './support/proc.ts';
import { waitFor } from './support/wait-for.ts';

export type ProxyKind = 'haproxy' | 'balancer';

export interface ModeCase {
  /** command-line flags (besides -f and -p) */
  flags: string[];
  /** lines added to global */
  global: string[];
}

export const MODE_CASES: Record<string, ModeCase> = {
  'daemon in global': { flags: [], global: ['daemon'] },
  '-D': { flags: ['-D'], global: [] },
  'daemon + -db': { flags: ['-db'], global: ['daemon'] },
  'daemon + -d': { flags: ['-d'], global: ['daemon'] },
  foreground: { flags: [], global: [] },
  'daemon + -Ws': { flags: ['-Ws'], global: ['daemon'] },
  'daemon + -W': { flags: ['-W'], global: ['daemon'] },
  '-W': { flags: ['-W'], global: [] },
  '-W -D': { flags: ['-W', '-D'], global: [] },
  'master-worker in global': { flags: [], global: ['master-worker'] },
  'master-worker + -db': { flags: ['-db'], global: ['master-worker'] },
};

export interface ModeResult {
  /** the command returned while the service kept serving (it went to the background) */
  returned: boolean;
  /** its exit status when it returned */
  status: number | null;
  /** what the pid file holds: nothing, the pid of the command started, or another process's */
  pidfile: 'none' | 'started' | 'other';
  /** processes serving: the one holding the pid (or the started one), and its children */
  processes: number;
}

const cfgText = (port: number, global: string[]) =>
  `global\n${global.map((l) => `    ${l}\n`).join('')}defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend f\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string ok\n`;

export function command(proxy: ProxyKind, args: string[]): [string, string[]] {
  return proxy === 'haproxy' ? ['haproxy', args] : [process.execPath, [BALANCER_BIN, ...args]];
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

/** Kills the given pids and waits until they are gone. */
async function reap(pids: number[]): Promise<void> {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  }
  await waitFor(() => pids.every((p) => !pidAlive(p) || isZombie(p)), 5000, 20);
}

const isZombie = (pid: number): boolean => {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ''));
  } catch {
    return true;
  }
};

export async function runModeCase(proxy: ProxyKind, c: ModeCase): Promise<ModeResult> {
  const tmp = makeTempDir('process-mode');
  const port = await freePort();
  const cfg = join(tmp.dir, 'haproxy.cfg');
  const pidfile = join(tmp.dir, 'p.pid');
  writeFileSync(cfg, cfgText(port, c.global));
  const [cmd, argv] = command(proxy, ['-f', cfg, '-p', pidfile, ...c.flags]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  let status: number | null = null;
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    status = code ?? (signal === null ? null : 128);
  });
  const toKill = new Set<number>();
  try {
    if (!(await waitFor(async () => (await get(port)) === 'ok', 15_000, 50)))
      throw new Error(`${proxy} ${argv.join(' ')}: never served`);
    // a daemon's launcher returns once it serves: give it a generous moment
    await waitFor(() => exited, 1500, 20);
    const pid = existsSync(pidfile) ? Number(readFileSync(pidfile, 'utf8').trim()) : null;
    const main = pid ?? child.pid!;
    const kids = childPids(main);
    for (const p of [main, ...kids, child.pid!]) toKill.add(p);
    return {
      returned: exited,
      status: exited ? status : null,
      pidfile: pid === null ? 'none' : pid === child.pid ? 'started' : 'other',
      processes: 1 + kids.length,
    };
  } finally {
    await reap([...toKill]);
    tmp.remove();
  }
}

export interface WorkerDeathResult {
  /** the master's exit status */
  status: number | null;
  /** its stderr lines from the worker's death on, pids as M (master) and W (worker) */
  lines: string[];
  /** the master was still running right after the worker's death had been reported */
  masterStayed: boolean;
}

/** `-W -db`, then `signal` to the worker: what the master says and does. */
export async function runWorkerDeath(proxy: ProxyKind, signal: NodeJS.Signals): Promise<WorkerDeathResult> {
  const tmp = makeTempDir('worker-death');
  const port = await freePort();
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(cfg, cfgText(port, []));
  const [cmd, argv] = command(proxy, ['-W', '-db', '-f', cfg]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  let status: number | null = null;
  let exited = false;
  child.on('exit', (code, sig) => {
    exited = true;
    status = code ?? (sig === null ? null : 128);
  });
  const master = child.pid!;
  try {
    if (!(await waitFor(async () => (await get(port)) === 'ok', 15_000, 50)))
      throw new Error(`${proxy}: never served`);
    const [worker] = childPids(master);
    const mark = err.length;
    process.kill(worker, signal);
    await waitFor(() => exited || /Current worker/.test(err.slice(mark)), 10_000, 20);
    await waitFor(() => exited, 3000, 20);
    const lines = err
      .slice(mark)
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replaceAll(String(master), 'M').replaceAll(String(worker), 'W'));
    return { status: exited ? status : null, lines, masterStayed: !exited };
  } finally {
    if (!exited) child.kill('SIGKILL');
    await waitFor(() => exited, 5000, 20);
    tmp.remove();
  }
}

/** `daemon` with a port another process holds: the command's status, and whether it alerted on stderr. */
export async function runDaemonCannotBind(
  proxy: ProxyKind,
): Promise<{ status: number | null; alerted: boolean }> {
  const net = await import('node:net');
  const tmp = makeTempDir('daemon-bind');
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = (holder.address() as import('node:net').AddressInfo).port;
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(cfg, cfgText(port, ['daemon']));
  const [cmd, argv] = command(proxy, ['-f', cfg]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  try {
    const status = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => resolve(null), 15_000);
      child.on('exit', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
    return { status, alerted: /^\[ALERT\] .*cannot bind socket/m.test(err) };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    holder.close();
    tmp.remove();
  }
}

/** `-W -db`, then `signal` to the master: its status and its lines about the workers and exiting. */
export async function runMasterSignal(
  proxy: ProxyKind,
  signal: NodeJS.Signals,
): Promise<{ status: number | null; lines: string[] }> {
  const tmp = makeTempDir('master-signal');
  const port = await freePort();
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(cfg, cfgText(port, []));
  const [cmd, argv] = command(proxy, ['-W', '-db', '-f', cfg]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  let status: number | null = null;
  let exited = false;
  child.on('exit', (code, sig) => {
    exited = true;
    status = code ?? (sig === null ? null : 128);
  });
  const master = child.pid!;
  try {
    if (!(await waitFor(async () => (await get(port)) === 'ok', 15_000, 50)))
      throw new Error(`${proxy}: never served`);
    const [worker] = childPids(master);
    const mark = err.length;
    process.kill(master, signal);
    await waitFor(() => exited, 15_000, 20);
    const lines = err
      .slice(mark)
      .split('\n')
      .filter((l) => /worker|Exiting/.test(l))
      .map((l) => l.replaceAll(String(master), 'M').replaceAll(String(worker), 'W'));
    return { status: exited ? status : null, lines };
  } finally {
    if (!exited) child.kill('SIGKILL');
    await waitFor(() => exited, 5000, 20);
    tmp.remove();
  }
}
