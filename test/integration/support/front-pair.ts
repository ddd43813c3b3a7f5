// The two front nodes of the seed, each with a proxy and a VRRP daemon, in one of three stacks:
// - 'ours': balancer + ha-agent (track_balancer) on both;
// - 'haproxy+keepalived': the classic stack, keepalived checking haproxy with a vrrp_script;
// - 'mixed': ours on HA-master, our balancer + the real keepalived (classic check on the balancer's
//   pid) on HA-slave — a pair half migrated.
// Started the way a deployment comes up: both proxies serving, then HA-master's VRRP daemon (it takes
// the VIP after Master_Down_Interval), then HA-slave's (BACKUP of it).
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ip, isBackupOf, stopProc } from '../../../packages/ha-agent/test/support/netns.ts';
import { waitFor } from '../../../packages/ha-agent/test/support/wait-for.ts';
import {
  activeActive,
  agentConfig,
  balancerConfig,
  type ClassicCheck,
  type FrontRole,
  haproxyConfig,
  keepalivedConfig,
  LAB,
  socketActivated,
  VIP2,
} from './seed-configs.ts';
import {
  balancerPaths,
  pidCheckScript,
  type Service,
  startAgent,
  startBalancer,
  startHaproxy,
  startKeepalived,
  superviseWithSockets,
  vrrpState,
  waitServing,
} from './services.ts';
import type { Topology } from './topology.ts';

export type Stack = 'ours' | 'haproxy+keepalived' | 'mixed';
export type Front = 'ha-master' | 'ha-slave';
export const FRONTS: readonly Front[] = ['ha-master', 'ha-slave'];
const ROLE: Record<Front, FrontRole> = { 'ha-master': 'master', 'ha-slave': 'slave' };

/** keepalived's documented haproxy check (`killall -0 haproxy`, interval 2, weight 2), per pid here. */
export const CLASSIC_CHECK = { interval: 2, weight: 2 } as const;

export interface PairOptions {
  /** both `state BACKUP` + `nopreempt` (ours only) */
  nopreempt?: boolean;
  /** a second instance, VIP2, with HA-slave its MASTER (ours only) */
  activeActive?: boolean;
  /** the classic check's weight (default CLASSIC_CHECK.weight; 0 = FAULT while it fails) */
  classicWeight?: number;
  /**
   * ours: each balancer under a supervisor that holds balancer.socket's sockets and restarts it as
   * balancer.service says (socket-supervisor.py), and the agents' `restart_grace` (undefined: none)
   */
  socketActivation?: { restartGrace?: number };
  /** ours: each agent's `handover_peer` is the other front node (the handover bridge) */
  handover?: boolean;
  /** ours: `advert_int S` with `version 3` on both agents (sub-second VRRPv3) */
  advertInt?: number;
}

export interface FrontPair {
  stack: Stack;
  lb: Record<Front, Service>;
  vrrp: Record<Front, Service>;
  /** what the VRRP daemon on `node` is running (ha-agent or keepalived) */
  vrrpKind(node: Front): 'ha-agent' | 'keepalived';
  /** starts `node`'s proxy again (as systemd's Restart= would) and waits until it serves */
  restartProxy(node: Front): Promise<Service>;
  /** starts `node`'s VRRP daemon again */
  restartVrrp(node: Front): Service;
  /** `node`'s VRRP daemon is BACKUP and hears `master` */
  isBackup(node: Front, master?: Front): boolean;
  /** stops everything (VRRP daemons first) and removes any VIP left on the nodes */
  stop(): Promise<void>;
}

export async function startPair(topo: Topology, stack: Stack, opts: PairOptions = {}): Promise<FrontPair> {
  const ours = (node: Front) => stack === 'ours' || (stack === 'mixed' && node === 'ha-master');
  const oursProxy = stack !== 'haproxy+keepalived';
  const proxyPidfile = (node: Front) =>
    oursProxy ? balancerPaths(topo, node).PIDFILE : `${topo.nodes[node].dir}/haproxy.pid`;
  const startProxy = (node: Front): Service => {
    if (!oursProxy) return startHaproxy(topo, node, haproxyConfig());
    const { healthSocket } = balancerPaths(topo, node);
    if (opts.socketActivation)
      return startBalancer(topo, node, socketActivated(balancerConfig(healthSocket)), {
        wrap: superviseWithSockets,
      });
    return startBalancer(topo, node, balancerConfig(healthSocket));
  };
  const vrrpConfig = (node: Front): string => {
    const role = ROLE[node];
    if (ours(node)) {
      const conf = agentConfig({
        role,
        healthSocket: balancerPaths(topo, node).healthSocket,
        nopreempt: opts.nopreempt,
        restartGrace: opts.socketActivation?.restartGrace,
        handoverPeer: opts.handover
          ? topo.nodes[node === 'ha-master' ? 'ha-slave' : 'ha-master'].ipv4
          : undefined,
        advertInt: opts.advertInt,
      });
      return opts.activeActive ? activeActive(conf, role) : conf;
    }
    const check: ClassicCheck = {
      script: pidCheckScript(topo, node, proxyPidfile(node)),
      interval: CLASSIC_CHECK.interval,
      // In the mixed pair HA-master (ours, priority 100) must stay above HA-slave: no bonus weight.
      weight: stack === 'mixed' ? 0 : (opts.classicWeight ?? CLASSIC_CHECK.weight),
    };
    return keepalivedConfig({ role, check });
  };
  const startVrrp = (node: Front): Service =>
    ours(node) ? startAgent(topo, node, vrrpConfig(node)) : startKeepalived(topo, node, vrrpConfig(node));

  const lb = {} as Record<Front, Service>;
  const vrrp = {} as Record<Front, Service>;
  const pair: FrontPair = {
    stack,
    lb,
    vrrp,
    vrrpKind: (node) => (ours(node) ? 'ha-agent' : 'keepalived'),
    async restartProxy(node) {
      lb[node] = startProxy(node);
      await waitServing(topo, lb[node]);
      return lb[node];
    },
    restartVrrp(node) {
      vrrp[node] = startVrrp(node);
      return vrrp[node];
    },
    isBackup(node, master) {
      if (ours(node)) return isBackupOf(topo.nodes[node].ns, master && topo.nodes[master].ipv4);
      return vrrpState(topo, vrrp[node]) === 'BACKUP';
    },
    async stop() {
      for (const s of [...Object.values(vrrp), ...Object.values(lb)]) await stopProc(s.proc, 'SIGTERM');
      for (const node of FRONTS) {
        for (const vip of [LAB.vip, VIP2]) {
          try {
            ip('-n', topo.nodes[node].ns, 'addr', 'del', `${vip}/32`, 'dev', LAB.ifname);
          } catch {}
        }
        rmSync(dirname(balancerPaths(topo, node).healthSocket), { recursive: true, force: true });
      }
    },
  };
  try {
    for (const node of FRONTS) lb[node] = startProxy(node);
    await Promise.all(FRONTS.map((node) => waitServing(topo, lb[node])));
    vrrp['ha-master'] = startVrrp('ha-master');
    await waitFor(
      () => topo.holders(LAB.vip).join() === 'ha-master',
      30_000,
      `the VIP on ha-master (${pair.vrrpKind('ha-master')})`,
      50,
    );
    vrrp['ha-slave'] = startVrrp('ha-slave');
    await waitFor(
      () => pair.isBackup('ha-slave', 'ha-master'),
      30_000,
      `ha-slave (${pair.vrrpKind('ha-slave')}) BACKUP of ha-master`,
      50,
    );
    if (opts.activeActive)
      await waitFor(() => topo.holders(VIP2).join() === 'ha-slave', 30_000, 'VIP2 on ha-slave', 50);
  } catch (err) {
    const out = [...Object.values(lb), ...Object.values(vrrp)]
      .map((s) => `--- ${s.kind} on ${s.node}:\n${s.output().slice(-2500)}`)
      .join('\n');
    await pair.stop();
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return pair;
}

/** The last output of each daemon of the pair, for a failed assertion. */
export function pairOutput(pair: FrontPair): string {
  return [...Object.values(pair.lb), ...Object.values(pair.vrrp)]
    .map((s) => `--- ${s.kind} on ${s.node}:\n${s.output().slice(-2000)}`)
    .join('\n');
}
