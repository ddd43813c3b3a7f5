/**
 * Shared plumbing for the bench scripts: nginx backends, proxies with the same config, and cleanup
 * that also runs on Ctrl-C. Built on the test helpers (packages/balancer/test/support/).
 */
import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, TOOL_PATH } from '../../packages/balancer/test/support/env.ts';
import { freePorts } from '../../packages/balancer/test/support/ports.ts';
import {
  type Managed,
  type ProxyKind,
  startBalancer,
  startHaproxy,
  startNginx,
} from '../../packages/balancer/test/support/proc.ts';

export const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
mkdirSync(RESULTS_DIR, { recursive: true });

const owned = new Set<Managed>();
/** Short-lived tools (wrk) in flight, killed by stopAll() too. */
const tools = new Set<ChildProcess>();

/** Stops everything this script started; also wired to SIGINT/SIGTERM. */
export async function stopAll(): Promise<void> {
  for (const t of tools) t.kill('SIGKILL');
  await Promise.all([...owned].map((m) => m.stop(3000)));
  owned.clear();
}
let hooked = false;
export function installSignalCleanup(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`\n${sig}: stopping everything`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

export function own(m: Managed): Managed {
  owned.add(m);
  const stop = m.stop;
  m.stop = async (g) => {
    await stop(g);
    owned.delete(m);
  };
  return m;
}

/**
 * N nginx processes (worker_processes 1 each) answering `return 200` with a small body, keep-alive on.
 * `deferredAccept`: `listen … deferred` (TCP_DEFER_ACCEPT: nginx is woken when a new connection's first
 * bytes arrive, not at its handshake) — for analysis only, the comparisons run without it.
 */
export async function startNginxBackends(
  n: number,
  o: { deferredAccept?: boolean } = {},
): Promise<{ ports: number[]; procs: Managed[] }> {
  const ports = await freePorts(n);
  const procs: Managed[] = [];
  for (const port of ports) {
    procs.push(
      own(
        await startNginx(
          `  keepalive_requests 1000000;\n  keepalive_timeout 120s;\n  server {\n    listen 127.0.0.1:${port} reuseport backlog=4096${o.deferredAccept ? ' deferred' : ''};\n` +
            `    location / { default_type text/plain; return 200 "hello from nginx ${port}\\n"; }\n  }`,
          [port],
          { ulimitNofile: 65535 },
        ),
      ),
    );
  }
  return { ports, procs };
}

export type ProxyStartOpts = {
  cpuProfDir?: string;
  ulimitNofile?: number;
  /** pin the proxy (all its threads) to this CPU with taskset */
  cpu?: number;
  /** another checkout's `packages/balancer/src/cli.ts` (e.g. main before a change), for kind 'balancer' */
  cli?: string;
};

/** Pins a process and all its threads to one CPU (`taskset -a -cp`); false when taskset is not allowed. */
export function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startProxyFor(
  kind: ProxyKind,
  cfg: string,
  port: number,
  o: ProxyStartOpts = {},
): Promise<Managed> {
  const spawnOpts = { ulimitNofile: o.ulimitNofile ?? 65535 };
  const nodeArgs = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [];
  const m =
    kind === 'haproxy'
      ? own(await startHaproxy(cfg, [port], spawnOpts))
      : own(await startBalancer(cfg, [port], { ...spawnOpts, nodeArgs, cli: o.cli }));
  if (o.cpu !== undefined) pin(m.pid, o.cpu);
  return m;
}

/** Runs a command to completion (bounded by timeoutMs) and returns its stdout. */
export function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((ok, ko) => {
    const child = execFile(
      cmd,
      args,
      { timeout: timeoutMs, env: { ...process.env, PATH: TOOL_PATH }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        tools.delete(child);
        if (err) ko(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
        else ok(stdout);
      },
    );
    tools.add(child);
  });
}
