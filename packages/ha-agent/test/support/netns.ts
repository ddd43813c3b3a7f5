// Network-namespace lab for the integration tests: a hub namespace holding a bridge, and node
// namespaces each with one veth (`eth0`) on it. Names are unique per run; destroy() deletes them all.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let seq = 0;

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function ip(...args: string[]): string {
  return sh('ip', args);
}

export interface LabNode {
  ns: string;
  ifname: string;
  ipv4: string;
}

export interface Lab {
  id: string;
  hub: string;
  bridge: string;
  nodes: LabNode[];
  dir: string;
  destroy(): void;
}

/** `count` nodes on 10.<net>.0.0/24 (node i gets .i+1), IPv6 link-local on the bridge. */
export function createLab(count: number, net: number, addrs?: string[]): Lab {
  const id = `${(process.pid % 10000).toString(36)}${(seq++).toString(36)}`;
  const hub = `hah${id}`;
  const bridge = 'br0';
  const dir = mkdtempSync(join(tmpdir(), `ha-agent-lab-${id}-`));
  const nodes: LabNode[] = [];
  const created: string[] = [];
  const destroy = () => {
    for (const ns of created) {
      try {
        ip('netns', 'del', ns);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', hub);
    created.push(hub);
    ip('-n', hub, 'link', 'add', bridge, 'type', 'bridge');
    ip('-n', hub, 'link', 'set', bridge, 'up');
    ip('-n', hub, 'link', 'set', 'lo', 'up');
    for (let i = 0; i < count; i++) {
      const ns = `han${id}${i}`;
      ip('netns', 'add', ns);
      created.push(ns);
      // No IPv6 duplicate address detection: link-local sources and IPv6 VIPs usable at once.
      sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
      sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0']);
      ip('-n', hub, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('-n', hub, 'link', 'set', `p${i}`, 'master', bridge);
      ip('-n', hub, 'link', 'set', `p${i}`, 'up');
      const ipv4 = addrs?.[i] ?? `10.${net}.0.${i + 1}`;
      ip('-n', ns, 'addr', 'add', `${ipv4}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      nodes.push({ ns, ifname: 'eth0', ipv4 });
    }
  } catch (err) {
    destroy();
    throw err;
  }
  return { id, hub, bridge, nodes, dir, destroy };
}

export function hasAddress(ns: string, address: string): boolean {
  const out = ip('-n', ns, '-o', 'addr', 'show');
  return out.split('\n').some((l) => l.includes(` ${address}/`));
}

export interface Proc {
  child: ChildProcess;
  /** stdout and stderr interleaved */
  output(): string;
  /** stdout only (tshark's packets without its stderr status lines) */
  stdout(): string;
  /** resolves with the exit code/signal */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** `cmd args` inside `ns`; `detached` puts it in a process group of its own (kill(-pid) then reaches it all). */
export function spawnIn(
  ns: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  opts: { detached?: boolean } = {},
): Proc {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    detached: opts.detached ?? false,
  });
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    stdout: () => stdout,
    exited,
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

const AGENT = new URL('../../bin/ha-agent.js', import.meta.url).pathname;

/** Starts `ha-agent -n -l -f CONF` in `ns` with pid files in the lab dir. */
export function startAgent(
  lab: Lab,
  ns: string,
  name: string,
  conf: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  spawnOptions: { detached?: boolean } = {},
): Proc {
  const file = join(lab.dir, `${name}.conf`);
  writeFileSync(file, conf);
  return spawnIn(
    ns,
    process.execPath,
    [
      AGENT,
      '-n',
      '-l',
      '-f',
      file,
      '-p',
      join(lab.dir, `${name}.pid`),
      '-r',
      join(lab.dir, `${name}.vrrp.pid`),
      ...extra,
    ],
    env,
    spawnOptions,
  );
}

export async function stopProc(
  p: Proc | null | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!p) return;
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.kill(signal);
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await p.exited;
  clearTimeout(t);
}

export interface InstanceOpts {
  ifname?: string;
  state?: 'MASTER' | 'BACKUP';
  vrid: number;
  priority: number;
  advertInt?: number;
  version?: 2 | 3;
  vip: string;
  auth?: string | null;
  nopreempt?: boolean;
  preemptDelay?: number;
  extra?: string;
  globalExtra?: string;
}

/** A keepalived.conf both ha-agent and keepalived read. */
export function keepalivedConf(o: InstanceOpts): string {
  const auth =
    o.auth === null || (o.version ?? 2) === 3
      ? ''
      : `  authentication {\n    auth_type PASS\n    auth_pass ${o.auth ?? 'secret12'}\n  }\n`;
  return `global_defs {
  router_id lab
${o.globalExtra ?? ''}}
vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface ${o.ifname ?? 'eth0'}
  virtual_router_id ${o.vrid}
  priority ${o.priority}
  advert_int ${o.advertInt ?? 1}
  version ${o.version ?? 2}
${o.nopreempt ? '  nopreempt\n' : ''}${o.preemptDelay ? `  preempt_delay ${o.preemptDelay}\n` : ''}${auth}  virtual_ipaddress {
    ${o.vip}
  }
${o.extra ?? ''}}
`;
}

export interface InstanceStatusLite {
  name: string;
  state: string;
  effectivePriority: number;
  transitions: unknown[];
  master: { seen: boolean; address: string | null };
}

/** GET on the agent's status API inside the namespace. */
export function agentStatus(ns: string): { instances: InstanceStatusLite[] } {
  return JSON.parse(
    sh('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '2', 'http://127.0.0.1:8585/status']),
  );
}

/** The first instance of the agent in `ns` (null while the agent or its API is not up yet). */
export function firstInstance(ns: string): InstanceStatusLite | null {
  try {
    return agentStatus(ns).instances[0] ?? null;
  } catch {
    return null;
  }
}

/** The agent in `ns` is BACKUP and has seen adverts from `master` (any master when omitted). */
export function isBackupOf(ns: string, master?: string): boolean {
  const i = firstInstance(ns);
  return (
    i?.state === 'BACKUP' &&
    i.master.address !== null &&
    (master === undefined || i.master.address === master)
  );
}

export const isRoot = process.getuid?.() === 0;
