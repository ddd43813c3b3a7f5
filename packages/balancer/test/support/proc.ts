import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BALANCER_BIN, makeTempDir, REPO_ROOT, TOOL_PATH, which } from './env.ts';
import { waitForPort, waitForUnixSocket } from './ports.ts';

/** A child process owned by a test: its output is kept (bounded) and stop() always reaps it. */
export type Managed = {
  child: ChildProcess;
  pid: number;
  /** Last 64 KiB of stdout+stderr, for assertion messages. */
  output: () => string;
  alive: () => boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process has exited. Idempotent. */
  stop: (graceMs?: number) => Promise<void>;
  /** The temporary directory holding its config (removed by stop()). */
  dir: string;
};

const live = new Set<Managed>();
const liveCli = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last-resort cleanup: if the test runner dies, no proxy survives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of [...[...live].map((m) => m.child), ...liveCli]) {
      try {
        if (child.exitCode === null) child.kill('SIGKILL');
      } catch {}
    }
  });
}

export type SpawnOpts = {
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  /** Raise the open-files limit first (`bash -c 'ulimit -n N; exec …'`). */
  ulimitNofile?: number;
  cwd?: string;
};

export function spawnManaged(cmd: string, args: string[], dir: string, opts: SpawnOpts = {}): Managed {
  installExitHook();
  let file = cmd;
  let argv = args;
  if (opts.ulimitNofile) {
    const quoted = [cmd, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    file = 'bash';
    argv = ['-c', `ulimit -n ${opts.ulimitNofile} 2>/dev/null || ulimit -n $(ulimit -Hn); exec ${quoted}`];
  }
  const child = spawn(file, argv, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, PATH: TOOL_PATH, ...opts.env },
    stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > 65536) out = out.slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = child.exitCode !== null;
  const exitP = new Promise<void>((ok) => {
    child.once('exit', () => {
      exited = true;
      ok();
    });
    child.once('error', (e) => {
      out += `\nspawn error: ${e.message}`;
      exited = true;
      ok();
    });
  });
  let stopping: Promise<void> | null = null;
  const m: Managed = {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    alive: () => !exited,
    dir,
    stop: (graceMs = 2000) => {
      stopping ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exitP;
          clearTimeout(t);
        }
        live.delete(m);
      })();
      return stopping;
    },
  };
  live.add(m);
  return m;
}

/** What a `balancer` run printed so far, and how it ended (null while running). */
export type CliOutput = {
  stdout: string;
  stderr: string;
  /** stdout and stderr together, in arrival order */
  text: string;
  code: number | null;
  signal: NodeJS.Signals | null;
};

/**
 * `balancer ARGS` under this Node, its output collected as it comes (`out` fills in live); killed when
 * the test process exits. For tests of the command line itself: signals, exit codes, streams.
 */
export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { child: ChildProcess; out: CliOutput } {
  installExitHook();
  const child = spawn(process.execPath, [BALANCER_BIN, ...args], {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveCli.add(child);
  const out: CliOutput = { stdout: '', stderr: '', text: '', code: null, signal: null };
  child.stdout?.on('data', (d) => {
    out.stdout += d;
    out.text += d;
  });
  child.stderr?.on('data', (d) => {
    out.stderr += d;
    out.text += d;
  });
  child.on('exit', (code, signal) => {
    out.code = code;
    out.signal = signal;
    liveCli.delete(child);
  });
  return { child, out };
}

/**
 * Writes `cfgText` to a temp dir, runs `balancer -f cfg` with Node 24 and waits for `waitPorts`. `cli`: another
 * checkout's src/cli.ts (benchmarks' before/after).
 */
export async function startBalancer(
  cfgText: string,
  waitPorts: number[],
  opts: SpawnOpts & { nodeArgs?: string[]; cli?: string } = {},
): Promise<Managed> {
  const tmp = makeTempDir('balancer');
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(cfg, withPrivateHealthSocket(cfgText, join(tmp.dir, 'health.sock')));
  const m = spawnManaged(
    process.execPath,
    [...(opts.nodeArgs ?? []), opts.cli ?? BALANCER_BIN, '-f', cfg],
    tmp.dir,
    opts,
  );
  return await readyOrStop(m, waitPorts, tmp.remove, statsSocketPaths(cfgText));
}

/**
 * The balancer serves its health API on /run/balancer/health.sock unless told otherwise; tests give
 * each instance its own socket so parallel balancers (and a real one) never meet. HAProxy does not
 * know the keyword, so it is added here rather than in the shared configs.
 */
export function withPrivateHealthSocket(cfgText: string, path: string): string {
  if (/^\s*health-socket\s/m.test(cfgText)) return cfgText;
  const line = `    health-socket ${path}`;
  return /^global\b.*$/m.test(cfgText)
    ? cfgText.replace(/^global\b.*$/m, (g) => `${g}\n${line}`)
    : `global\n${line}\n${cfgText}`;
}

export const haproxyPath = (): string | null => which('haproxy');
export const nginxPath = (): string | null => which('nginx');

/** HAProxy in the foreground (-db), config in a temp dir. */
export async function startHaproxy(
  cfgText: string,
  waitPorts: number[],
  opts: SpawnOpts = {},
): Promise<Managed> {
  const bin = haproxyPath();
  if (!bin) throw new Error('haproxy is not installed (scripts/bootstrap.sh installs it)');
  const tmp = makeTempDir('haproxy');
  const cfg = join(tmp.dir, 'haproxy.cfg');
  writeFileSync(cfg, cfgText);
  const m = spawnManaged(bin, ['-f', cfg, '-db'], tmp.dir, opts);
  return await readyOrStop(m, waitPorts, tmp.remove, statsSocketPaths(cfgText));
}

/**
 * The UNIX paths of `stats socket` lines: a test that starts a proxy and talks to its runtime API at
 * once must not find the frontend listening but the socket not there yet (the balancer opens it after
 * its frontends).
 */
function statsSocketPaths(cfgText: string): string[] {
  return [...cfgText.matchAll(/^\s*stats\s+socket\s+(?:unix@)?(\/\S+)/gm)].map((m) => m[1]);
}

/** nginx in the foreground with a private prefix (pid, temp and log files stay in the temp dir). */
export async function startNginx(
  httpBlock: string,
  waitPorts: number[],
  opts: SpawnOpts = {},
): Promise<Managed> {
  const bin = nginxPath();
  if (!bin) throw new Error('nginx is not installed (scripts/bootstrap.sh installs nginx-light)');
  const tmp = makeTempDir('nginx');
  const conf = join(tmp.dir, 'nginx.conf');
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(
    conf,
    `${user}daemon off;\nmaster_process off;\nworker_processes 1;\npid ${tmp.dir}/nginx.pid;\n` +
      `error_log ${tmp.dir}/error.log warn;\nevents { worker_connections 4096; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${tmp.dir}/body;\n  proxy_temp_path ${tmp.dir}/proxy;\n` +
      `  fastcgi_temp_path ${tmp.dir}/fcgi;\n  uwsgi_temp_path ${tmp.dir}/uwsgi;\n  scgi_temp_path ${tmp.dir}/scgi;\n` +
      `${httpBlock}\n}\n`,
  );
  const m = spawnManaged(bin, ['-p', tmp.dir, '-c', conf], tmp.dir, opts);
  return await readyOrStop(m, waitPorts, tmp.remove);
}

async function readyOrStop(
  m: Managed,
  ports: number[],
  removeDir: () => void,
  sockets: string[] = [],
): Promise<Managed> {
  const origStop = m.stop;
  m.stop = async (graceMs) => {
    await origStop(graceMs);
    removeDir();
  };
  try {
    for (const p of ports) await waitForPort(p, { alive: m.alive, timeoutMs: 15_000 });
    for (const s of sockets) await waitForUnixSocket(s, { alive: m.alive, timeoutMs: 15_000 });
  } catch (e) {
    await m.stop();
    throw new Error(`${(e as Error).message}\n--- output of pid ${m.pid}:\n${m.output()}`);
  }
  return m;
}

/** VmRSS of a live process in bytes (Linux /proc), or null once it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export type ProxyKind = 'haproxy' | 'balancer';

/** The same config under HAProxy or the balancer (tests run both to keep themselves honest). */
export function startProxy(
  kind: ProxyKind,
  cfgText: string,
  waitPorts: number[],
  opts: SpawnOpts = {},
): Promise<Managed> {
  return kind === 'haproxy'
    ? startHaproxy(cfgText, waitPorts, opts)
    : startBalancer(cfgText, waitPorts, opts);
}

/** The processes whose parent is `pid` (from /proc: `ps --ppid` fails when there is none). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether a process with this pid exists (a zombie counts: it is not reaped yet). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
