// The handover bridge's host side: one nftables table per instance (DNAT of new connections for the
// VIP's frontend ports to the peer, masquerade of what was DNATed so the replies come back through us),
// the interface's IPv4 forwarding switch, the count of connections still open through the bridge, the
// TCP probe of the peer's balancer, and the receiving end's return path. The decisions are in ../handover/bridge-plan.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { execa } from 'execa';
import type { PortRange } from '../handover/bridge-plan.ts';
import { type NftRunner, runNft } from './no-accept.ts';

/** `ha_agent_handover_<instance>` (nft identifiers: letters, digits, `_`). */
export function handoverTable(instance: string): string {
  return `ha_agent_handover_${instance.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The conntrack mark of one instance's bridged connections: "HA" and the VRID. */
export function handoverMark(vrid: number): number {
  return 0x4841_0000 + vrid;
}

export interface BridgeRules {
  table: string;
  mark: number;
  vips: readonly string[];
  ports: readonly PortRange[];
  peer: string;
  /**
   * armed: only what no local socket takes (the balancer's crash gap); forward: every new connection
   * (the handover proper — also when systemd still holds the dead balancer's listening socket)
   */
  mode: 'armed' | 'forward';
}

const portList = (ports: readonly PortRange[]) =>
  ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');

/**
 * The whole table in one transaction (replacing a leftover of a crashed agent). It is installed
 * ARMED while we are MASTER: a new connection to a VIP port is DNATed to the peer only when no local
 * socket takes it (`socket` finds the balancer's listener — or the one systemd's balancer.socket holds
 * during a restart — and the packet goes on to it), so the kernel starts forwarding the instant the
 * balancer's listening socket is gone, before the agent has even heard of the crash: no SYN is
 * refused in between. Only packets to a VIP are DNATed, never those from the peer: what the peer
 * forwards to us is addressed to our own address (never a VIP) and comes from the peer, so two
 * bridges can never bounce a connection between them. The nat chains see the first packet of a
 * connection only; conntrack carries the rest, so removing the table later does not break a
 * connection already bridged. Once the handover is decided the table is replaced by the `forward`
 * form, without the socket test.
 *
 * Two more chains: `count` keeps the set `open` of the bridged connections not yet closed (added at
 * their first packet, deleted at the first FIN or RST either way; keyed by the client's address and
 * port: in the forward hook a packet is DNATed but not yet SNATed), which the agent reads with `nft list set` — CAP_NET_ADMIN is all it needs, where
 * /proc/net/nf_conntrack is root's alone (mode 0440); and `revive` gives the client's packets of a
 * bridged connection that the peer sends back to us (its return path, returnScript: TTL 1 so they can
 * go no further) a TTL again so they can be forwarded to the peer as before.
 */
export function bridgeScript(r: BridgeRules): string {
  const mark = `0x${r.mark.toString(16)}`;
  const match = `ip daddr { ${r.vips.join(', ')} } tcp dport { ${portList(r.ports)} }`;
  return `table ip ${r.table}
delete table ip ${r.table}
table ip ${r.table} {
  set ${OPEN_SET} {
    type ipv4_addr . inet_service
    size 65535
    flags dynamic
  }
  chain revive {
    type filter hook prerouting priority mangle; policy accept;
    ct mark ${mark} ct direction original ip ttl 1 ip ttl set 64
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${
  r.mode === 'armed'
    ? `    ${match} socket transparent 0 return\n    ${match} socket transparent 1 return\n`
    : ''
}    ${match} ip saddr != ${r.peer} ct mark set ${mark} dnat to ${r.peer}
  }
  chain count {
    type filter hook forward priority filter; policy accept;
    ct mark ${mark} ct state new add @${OPEN_SET} { ip saddr . tcp sport }
    ct mark ${mark} ct direction original tcp flags & (fin | rst) != 0 delete @${OPEN_SET} { ip saddr . tcp sport }
    ct mark ${mark} ct direction reply tcp flags & (fin | rst) != 0 delete @${OPEN_SET} { ip daddr . tcp dport }
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ct mark ${mark} ip daddr ${r.peer} masquerade
  }
}
`;
}

export function removeScript(table: string): string {
  return `table ip ${table}\ndelete table ip ${table}\n`;
}

/** the set of a bridge table holding its open connections */
export const OPEN_SET = 'open';

/** `ha_agent_return_<instance>`: the receiving end's return path. */
export function returnTable(instance: string): string {
  return `ha_agent_return_${instance.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export interface ReturnRules {
  table: string;
  vips: readonly string[];
  ports: readonly PortRange[];
  /** the node that resigned to us and may be bridging */
  peer: string;
  dev: string;
}

/**
 * The receiving end of a handover (the node that takes the VIP from a bridging peer). Once our GARP
 * moves the clients, their next packets of a connection the peer bridged come to us, and our kernel,
 * which knows nothing of it, would reset it. This chain sends them back to the peer instead, unchanged
 * (dst still the VIP), whose conntrack forwards them on to us as before: a packet to a VIP port that
 * is not a SYN and belongs to no connection our conntrack knows (`new` — picked up mid-stream — or
 * `invalid`). Never a SYN, so no new connection is ever sent back; and the copy leaves with TTL 1
 * (nf_dup takes one off at prerouting): only a peer whose bridge has that connection (its `revive`
 * chain) forwards it, any other router drops it — never a loop. Inert while we are BACKUP (no packet
 * to a VIP reaches us then); removed when the peer's bridge has drained.
 */
export function returnScript(r: ReturnRules): string {
  const match = `ip daddr { ${r.vips.join(', ')} } tcp dport { ${portList(r.ports)} }`;
  return `table ip ${r.table}
delete table ip ${r.table}
table ip ${r.table} {
  chain prerouting {
    type filter hook prerouting priority mangle; policy accept;
    ${match} tcp flags & syn == 0 ct state new,invalid ip saddr != ${r.peer} counter ip ttl set 2 dup to ${r.peer} device "${r.dev}" drop
  }
}
`;
}

/** What the bridge does to the host; the instance tests hand in a recording one. */
export interface BridgeHost {
  install(r: BridgeRules): Promise<void>;
  remove(table: string): Promise<void>;
  /**
   * Turns IPv4 forwarding on for `dev` (net.ipv4.conf.DEV.forwarding); resolves to a function that puts
   * back what was there, or throws when it cannot be turned on (e.g. /proc/sys read-only under the
   * unit's ProtectKernelTunables=yes: set it in /etc/sysctl.d instead).
   */
  enableForwarding(dev: string): Promise<() => Promise<void>>;
  /** connections through the bridge table `table` not yet closed; null when it cannot be read */
  liveConnections(table: string): Promise<number | null>;
  /** the receiving end's return path (returnScript) in, replacing an older one */
  installReturn(r: ReturnRules): Promise<void>;
  /** the peer's balancer accepts a TCP connection on `port` within `timeoutMs` */
  probe(address: string, port: number, timeoutMs: number): Promise<boolean>;
}

/** The elements of a set in `nft -j list set` output: the bridged connections still open. */
export function countOpen(json: string): number {
  const doc = JSON.parse(json) as { nftables?: { set?: { elem?: unknown[] } }[] };
  let n = 0;
  for (const o of doc.nftables ?? []) n += o.set?.elem?.length ?? 0;
  return n;
}

/**
 * Per interface, shared by every instance of the process: the value found before the first bridge
 * turned forwarding on, and how many bridges need it (two instances on one link must not turn it off
 * under each other).
 */
const forwarding = new Map<string, { before: string; users: number }>();

export async function enableForwarding(
  dev: string,
  confDir = '/proc/sys/net/ipv4/conf',
): Promise<() => Promise<void>> {
  const path = `${confDir}/${dev}/forwarding`;
  let entry = forwarding.get(path);
  if (!entry) {
    const before = (await readFile(path, 'utf8')).trim();
    if (before !== '1') await writeFile(path, '1');
    entry = forwarding.get(path) ?? { before, users: 0 };
    forwarding.set(path, entry);
  }
  entry.users++;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const e = forwarding.get(path);
    if (!e || --e.users > 0) return;
    forwarding.delete(path);
    if (e.before !== '1') await writeFile(path, e.before);
  };
}

export function hostBridge(run: NftRunner = runNft): BridgeHost {
  return {
    install: (r) => run(bridgeScript(r)),
    remove: (table) => run(removeScript(table)),
    enableForwarding: (dev) => enableForwarding(dev),
    installReturn: (r) => run(returnScript(r)),
    async liveConnections(table) {
      const r = await execa('nft', ['-j', 'list', 'set', 'ip', table, OPEN_SET], {
        reject: false,
        timeout: 5000,
      });
      return r.exitCode === 0 ? countOpen(String(r.stdout)) : null;
    },
    probe: (address, port, timeoutMs) =>
      new Promise((resolve) => {
        const sock = createConnection({ host: address, port, timeout: timeoutMs });
        const end = (ok: boolean) => {
          sock.destroy();
          resolve(ok);
        };
        sock.once('connect', () => end(true));
        sock.once('timeout', () => end(false));
        sock.once('error', () => end(false));
      }),
  };
}
