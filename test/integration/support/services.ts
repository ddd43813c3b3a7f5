// The daemons of a front node, started with the command lines of their systemd units: ours from
// deploy/systemd (paths substituted), HAProxy's and keepalived's from the Debian packages' units in
// /lib/systemd/system. Each node keeps its files in its own directory (both nodes share one filesystem).
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { firstInstance, type Proc, sh } from '../../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';
import {
  capabilities,
  execStart,
  parseUnit,
  readUnit,
  type Unit,
  unitCommands,
  value,
  values,
} from './systemd-unit.ts';
import type { NodeName, Topology } from './topology.ts';

export type ServiceKind = 'balancer' | 'ha-agent' | 'haproxy' | 'keepalived';

export interface Service {
  kind: ServiceKind;
  node: NodeName;
  proc: Proc;
  /** the main pid (systemd's $MAINPID): `ip netns exec` execs the command, so it is the child's */
  pid: number;
  /** the files the unit's environment pointed at */
  env: Record<string, string>;
  kill(signal: NodeJS.Signals): void;
  output(): string;
}

const DEBIAN_UNITS = '/lib/systemd/system';
export const hasDebianUnits = () =>
  existsSync(`${DEBIAN_UNITS}/haproxy.service`) && existsSync(`${DEBIAN_UNITS}/keepalived.service`);

function debianUnit(name: string): Unit {
  const file = `${DEBIAN_UNITS}/${name}`;
  return parseUnit(readFileSync(file, 'utf8'), file);
}

function service(
  topo: Topology,
  kind: ServiceKind,
  node: NodeName,
  argv: string[],
  env: Record<string, string>,
): Service {
  const proc = topo.spawn(node, argv[0], argv.slice(1));
  return {
    kind,
    node,
    proc,
    pid: proc.child.pid as number,
    env,
    kill: (signal) => proc.kill(signal),
    output: () => proc.output(),
  };
}

/**
 * The unit's user and capabilities applied to a command, as systemd would (User=, Group=,
 * AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=), through setpriv(1). The lab has no
 * `balancer`/`ha-agent` users: `uid`/`gid` stand for them.
 */
export interface Sandbox {
  uid: number;
  gid: number;
}

export function sandboxed(unit: Unit, argv: string[], sb: Sandbox): string[] {
  const ambient = capabilities(unit, 'AmbientCapabilities');
  const bounding = capabilities(unit, 'CapabilityBoundingSet');
  const list = (caps: string[]) => ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return [
    'setpriv',
    `--reuid=${sb.uid}`,
    `--regid=${sb.gid}`,
    '--clear-groups',
    `--inh-caps=${list(ambient)}`,
    ...(ambient.length ? [`--ambient-caps=${ambient.map((c) => `+${c}`).join(',')}`] : []),
    `--bounding-set=${list(bounding)}`,
    ...(values(unit, 'Service', 'NoNewPrivileges').at(-1) === 'yes' ? ['--no-new-privs'] : []),
    '--',
    ...argv,
  ];
}

/** RuntimeDirectory=NAME under the node's directory: created with RuntimeDirectoryMode=, owned by the user. */
function runtimeDirectory(topo: Topology, node: NodeName, unit: Unit, sb?: Sandbox): string {
  const dir = join(topo.nodes[node].dir, `run-${value(unit, 'Service', 'RuntimeDirectory')}`);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, Number.parseInt(values(unit, 'Service', 'RuntimeDirectoryMode').at(-1) ?? '0755', 8));
  if (sb) chownSync(dir, sb.uid, sb.gid);
  return dir;
}

/** The paths a node's balancer unit uses here (CONFIG, PIDFILE) and its health socket. */
export function balancerPaths(topo: Topology, node: NodeName) {
  const dir = topo.nodes[node].dir;
  const run = join(dir, 'run-balancer');
  return {
    CONFIG: join(dir, 'haproxy.cfg'),
    PIDFILE: join(run, 'balancer.pid'),
    healthSocket: join(run, 'health.sock'),
    /** the unit's EXTRAOPTS (its master CLI) in the node's directory */
    EXTRAOPTS: `-S ${join(run, 'master.sock')}`,
  };
}

/** deploy/systemd/balancer.service's ExecStart on `node` with `config` as $CONFIG. */
export function startBalancer(
  topo: Topology,
  node: NodeName,
  config: string,
  o: { sandbox?: Sandbox; wrap?: (argv: string[]) => string[] } = {},
): Service {
  const unit = readUnit('balancer.service');
  runtimeDirectory(topo, node, unit, o.sandbox);
  const { CONFIG, PIDFILE, EXTRAOPTS } = balancerPaths(topo, node);
  writeFileSync(CONFIG, config);
  const env = { CONFIG, PIDFILE, EXTRAOPTS };
  let argv = execStart(unit, { env });
  if (o.sandbox) argv = sandboxed(unit, argv, o.sandbox);
  if (o.wrap) argv = o.wrap(argv);
  return service(topo, 'balancer', node, argv, env);
}

const SUPERVISOR = new URL('./socket-supervisor.py', import.meta.url).pathname;

/** systemd time span (`200ms`, `1s`, `1.5`) in seconds. */
function seconds(span: string): number {
  const m = /^([\d.]+)\s*(ms|s|min)?$/.exec(span.trim());
  if (!m) throw new Error(`unsupported time span ${span}`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'min' ? n * 60 : n;
}

/**
 * Wraps balancer.service's command as systemd runs it with balancer.socket: the socket unit's
 * ListenStream= sockets held by a supervisor across restarts, passed as fd@3, fd@4… with LISTEN_FDS,
 * and Restart=on-failure after RestartSec= (socket-supervisor.py).
 */
export function superviseWithSockets(argv: string[]): string[] {
  const listen = values(readUnit('balancer.socket'), 'Socket', 'ListenStream');
  const restartSec = seconds(value(readUnit('balancer.service'), 'Service', 'RestartSec'));
  return [
    'python3',
    SUPERVISOR,
    ...listen.flatMap((l) => ['--listen', l]),
    '--restart-sec',
    String(restartSec),
    '--',
    ...argv,
  ];
}

/** The running balancer's pid from its pidfile (under a supervisor, the child's, not the service's). */
export function balancerPid(topo: Topology, node: NodeName): number | null {
  try {
    const pid = Number(readFileSync(balancerPaths(topo, node).PIDFILE, 'utf8').trim());
    return pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * balancer.service's ExecReload lines for the running `svc` ($MAINPID its pid), run in order like
 * systemctl reload: the configuration check, then the reload signal. Throws when one fails.
 */
export function reloadBalancer(topo: Topology, svc: Service): string[][] {
  const cmds = unitCommands(readUnit('balancer.service'), 'ExecReload', {
    env: { ...svc.env, MAINPID: String(svc.pid) },
  });
  for (const argv of cmds) sh('ip', ['netns', 'exec', topo.nodes[svc.node].ns, ...argv]);
  return cmds;
}

/** deploy/systemd/ha-agent.service's ExecStart on `node` with `conf` as $CONFIG. */
export function startAgent(
  topo: Topology,
  node: NodeName,
  conf: string,
  o: { sandbox?: Sandbox } = {},
): Service {
  const unit = readUnit('ha-agent.service');
  const run = runtimeDirectory(topo, node, unit, o.sandbox);
  const env = {
    CONFIG: join(topo.nodes[node].dir, 'keepalived.conf'),
    PIDFILE: join(run, 'ha-agent.pid'),
    VRRP_PIDFILE: join(run, 'vrrp.pid'),
  };
  writeFileSync(env.CONFIG, conf);
  let argv = execStart(unit, { env });
  if (o.sandbox) argv = sandboxed(unit, argv, o.sandbox);
  return service(topo, 'ha-agent', node, argv, env);
}

/** This process's hard limit on open files (what a child can raise its soft limit to). */
function fdLimit(): number {
  const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m && m[1] !== 'unlimited' ? Number(m[1]) : Number.POSITIVE_INFINITY;
}

/** Debian's haproxy.service ExecStart (`haproxy -Ws -f $CONFIG -p $PIDFILE $EXTRAOPTS`) on `node`. */
export function startHaproxy(topo: Topology, node: NodeName, config: string): Service {
  const dir = topo.nodes[node].dir;
  const env = {
    CONFIG: join(dir, 'haproxy-real.cfg'),
    PIDFILE: join(dir, 'haproxy.pid'),
    // -n: the seed's `maxconn 20000` needs 40042 descriptors; systemd would give haproxy a hard limit of
    // 524288, but the machines the suite runs on may cap it lower (20000 here) and forbid raising it.
    EXTRAOPTS: `-S ${join(dir, 'haproxy-master.sock')}${fdLimit() < 40_042 ? ' -n 9000' : ''}`,
  };
  writeFileSync(env.CONFIG, config);
  return service(topo, 'haproxy', node, execStart(debianUnit('haproxy.service'), { env, prefix: '' }), env);
}

/** Debian's keepalived.service ExecStart (`keepalived --dont-fork $DAEMON_ARGS`) on `node`. */
export function startKeepalived(topo: Topology, node: NodeName, conf: string): Service {
  const dir = topo.nodes[node].dir;
  const file = join(dir, 'keepalived-real.conf');
  writeFileSync(file, conf);
  const env = {
    CONFIG: file,
    DAEMON_ARGS: `--log-console --log-detail --vrrp -f ${file} -p ${join(dir, 'keepalived.pid')} -r ${join(dir, 'keepalived-vrrp.pid')}`,
  };
  return service(
    topo,
    'keepalived',
    node,
    execStart(debianUnit('keepalived.service'), { env, prefix: '' }),
    env,
  );
}

/** A script file for keepalived's vrrp_script: the classic "is it running" check on one pid file. */
export function pidCheckScript(topo: Topology, node: NodeName, pidfile: string): string {
  const file = join(topo.nodes[node].dir, 'check-pid.sh');
  // `killall -0 haproxy` would see the other node's process too (one PID namespace for the whole lab).
  writeFileSync(file, `#!/bin/sh\nexec kill -0 "$(cat ${pidfile} 2>/dev/null)" 2>/dev/null\n`, {
    mode: 0o755,
  });
  return file;
}

/** A process's children (every thread's `children` in /proc). */
export function childrenOf(pid: number): number[] {
  const pids: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const kids = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (kids) pids.push(...kids.split(/\s+/).map(Number));
  }
  return pids;
}

/** The pids HAProxy runs as (master and workers, from its pid file and the master's children). */
export function haproxyPids(svc: Service): number[] {
  const master = Number(readFileSync(svc.env.PIDFILE, 'utf8').trim());
  return [master, ...childrenOf(master)];
}

/** GET http://ADDRESS:PORT/ from the client namespace; the body, or null when it failed. */
export function fetchFromClient(topo: Topology, address: string, port = 80, maxTimeS = 2): string | null {
  try {
    return sh('ip', [
      'netns',
      'exec',
      topo.nodes.client.ns,
      'curl',
      '-sf',
      '--max-time',
      String(maxTimeS),
      `http://${address}:${port}/`,
    ]);
  } catch {
    return null;
  }
}

/** Waits until the balancer (or haproxy) on `node` serves through the node's own address. */
export async function waitServing(topo: Topology, svc: Service, deadlineMs = 30_000): Promise<void> {
  const addr = topo.nodes[svc.node].ipv4;
  await waitFor(
    () => {
      if (svc.proc.child.exitCode !== null || svc.proc.child.signalCode !== null)
        throw new Error(`${svc.kind} on ${svc.node} exited:\n${svc.output().slice(-3000)}`);
      return /^web\d via /.test(fetchFromClient(topo, addr) ?? '');
    },
    deadlineMs,
    `${svc.kind} on ${svc.node} serving on ${addr}:80`,
    100,
  );
}

/** The state of the agent's first instance (its status API), or keepalived's last logged state. */
export function vrrpState(topo: Topology, svc: Service): string | null {
  if (svc.kind === 'ha-agent') return firstInstance(topo.nodes[svc.node].ns)?.state ?? null;
  const states = [...svc.output().matchAll(/\(VI_1\) Entering (\w+) STATE/g)];
  return states.length ? states[states.length - 1][1] : null;
}

const WEB_NODE = new URL('./web-node.ts', import.meta.url).pathname;

/** The suite's web server on web1 and web2 (port 80), serving once both answer the client. */
export async function startWebNodes(topo: Topology): Promise<Record<'web1' | 'web2', Proc>> {
  return {
    web1: await startWebNode(topo, 'web1'),
    web2: await startWebNode(topo, 'web2'),
  };
}

/** The web server on one web node, once it answers the client. */
export async function startWebNode(topo: Topology, n: 'web1' | 'web2'): Promise<Proc> {
  const p = topo.spawn(n, process.execPath, [WEB_NODE, n, '80']);
  await waitFor(
    () => {
      if (p.child.exitCode !== null) throw new Error(`web node ${n} exited:\n${p.output()}`);
      return (fetchFromClient(topo, topo.nodes[n].ipv4) ?? '').startsWith(`${n} via `);
    },
    20_000,
    `web node ${n}`,
    50,
  );
  return p;
}
