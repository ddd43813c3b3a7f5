// The seed's topology as network namespaces: HA-master, HA-slave, web1, web2 and a client, each with
// one interface `ens192` (the seed's name) on a bridge in a hub namespace, on 10.18.0.0/16 (the seed's
// 172.18.x addresses, renumbered; see seed-configs.ts).
//
// Names are `itg-<pid>-<seq>-<node>`: the pid says which test process owns them, so a run first removes
// what a dead run left (its processes by pid, then the namespaces), and a live parallel run's are left
// alone. Every topology is destroyed on exit, SIGINT and SIGTERM too, and by the test's after().
//
// Process and namespace helpers come from the agent's namespace tooling (packages/ha-agent/test/support).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hasAddress,
  ip,
  type Proc,
  spawnIn,
  stopProc,
} from '../../../packages/ha-agent/test/support/netns.ts';
import { LAB } from './seed-configs.ts';

export const NODES = ['ha-master', 'ha-slave', 'web1', 'web2', 'client'] as const;
export type NodeName = (typeof NODES)[number];

const ADDRESS: Record<NodeName, string> = {
  'ha-master': LAB.master,
  'ha-slave': LAB.slave,
  web1: LAB.web1,
  web2: LAB.web2,
  client: LAB.client,
};

export interface TopoNode {
  name: NodeName;
  ns: string;
  ipv4: string;
  /** the node's end of the cable, in the hub: `ip -n HUB link set PORT down` pulls it */
  hubPort: string;
  /** a directory of its own (configs, sockets, pid files) */
  dir: string;
}

export interface Topology {
  tag: string;
  hub: string;
  dir: string;
  nodes: Record<NodeName, TopoNode>;
  /** processes started in the topology; destroy() kills what is left */
  procs: Proc[];
  /** `cmd args` inside `node`'s namespace, tracked for destroy() */
  spawn(node: NodeName, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Proc;
  /** `address` is on `node` */
  has(node: NodeName, address: string): boolean;
  /** the front nodes holding `address` */
  holders(address: string): NodeName[];
  /** pull (false) or plug (true) `node`'s cable */
  cable(node: NodeName, up: boolean): void;
  destroy(): Promise<void>;
}

const PREFIX = 'itg-';
const live = new Set<{ destroySync(): void }>();
let seq = 0;
let hooked = false;

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const t of live) t.destroySync();
  });
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    process.once(sig, () => {
      for (const t of live) t.destroySync();
      process.exit(code);
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function netnsList(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n !== '');
}

/** Kills (SIGKILL, by pid) every process still in `ns`, then deletes it. */
function removeNamespace(ns: string): void {
  try {
    for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n')) {
      if (/^\d+$/.test(pid) && Number(pid) !== process.pid) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
    }
  } catch {}
  try {
    ip('netns', 'del', ns);
  } catch {}
}

/** Removes the namespaces and directories of test runs whose process is gone; returns the namespaces. */
export function removeStaleTopologies(): string[] {
  const stale = netnsList().filter((ns) => {
    const m = /^itg-(\d+)-/.exec(ns);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  for (const ns of stale) removeNamespace(ns);
  for (const d of readdirSync(tmpdir())) {
    const m = /^ha-lb-itg-(\d+)-/.exec(d);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1])))
      rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  return stale;
}

export function createTopology(): Topology {
  hookProcessExit();
  const stale = removeStaleTopologies();
  if (stale.length > 0)
    console.log(`# removed ${stale.length} namespaces left by an earlier run: ${stale.join(' ')}`);
  const tag = `${PREFIX}${process.pid}-${seq++}`;
  const hub = `${tag}-hub`;
  const dir = join(tmpdir(), `ha-lb-${tag}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Readable by the unprivileged users the units run as (the sandboxed runs in systemd-units.test.ts).
  chmodSync(dir, 0o755);
  const created: string[] = [];
  const procs: Proc[] = [];
  const nodes = {} as Record<NodeName, TopoNode>;
  const destroySync = () => {
    for (const p of procs) p.kill('SIGKILL');
    for (const ns of created.reverse()) removeNamespace(ns);
    created.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  const handle = { destroySync };
  live.add(handle);
  try {
    ip('netns', 'add', hub);
    created.push(hub);
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    NODES.forEach((name, i) => {
      const ns = `${tag}-${name}`;
      ip('netns', 'add', ns);
      created.push(ns);
      const hubPort = `p${i}`;
      ip('-n', hub, 'link', 'add', hubPort, 'type', 'veth', 'peer', 'name', LAB.ifname, 'netns', ns);
      ip('-n', hub, 'link', 'set', hubPort, 'master', 'br0');
      ip('-n', hub, 'link', 'set', hubPort, 'up');
      ip('-n', ns, 'addr', 'add', `${ADDRESS[name]}/${LAB.prefix}`, 'dev', LAB.ifname);
      ip('-n', ns, 'link', 'set', LAB.ifname, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      const ndir = join(dir, name);
      mkdirSync(ndir);
      chmodSync(ndir, 0o755);
      nodes[name] = { name, ns, ipv4: ADDRESS[name], hubPort, dir: ndir };
    });
  } catch (err) {
    destroySync();
    live.delete(handle);
    throw err;
  }
  const topo: Topology = {
    tag,
    hub,
    dir,
    nodes,
    procs,
    spawn(node, cmd, args, env = process.env) {
      const p = spawnIn(nodes[node].ns, cmd, args, env);
      procs.push(p);
      return p;
    },
    has: (node, address) => hasAddress(nodes[node].ns, address),
    holders: (address) =>
      (['ha-master', 'ha-slave'] as const).filter((n) => hasAddress(nodes[n].ns, address)),
    cable(node, up) {
      ip('-n', hub, 'link', 'set', nodes[node].hubPort, up ? 'up' : 'down');
    },
    async destroy() {
      await Promise.all(procs.map((p) => stopProc(p, 'SIGKILL')));
      destroySync();
      live.delete(handle);
    },
  };
  return topo;
}
