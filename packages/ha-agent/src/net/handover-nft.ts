// The handover bridge's host side: one nftables table per instance (DNAT of new connections for the
// VIP's frontend ports to the peer, masquerade of what was DNATed so the replies come back through us),
// the interface's IPv4 forwarding switch, the count of connections still open through the bridge, and
// the TCP probe of the peer's balancer. The decisions are in ../handover/bridge-plan.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
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
 */
export function bridgeScript(r: BridgeRules): string {
  const mark = `0x${r.mark.toString(16)}`;
  const match = `ip daddr { ${r.vips.join(', ')} } tcp dport { ${portList(r.ports)} }`;
  return `table ip ${r.table}
delete table ip ${r.table}
table ip ${r.table} {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${
  r.mode === 'armed'
    ? `    ${match} socket transparent 0 return\n    ${match} socket transparent 1 return\n`
    : ''
}    ${match} ip saddr != ${r.peer} ct mark set ${mark} dnat to ${r.peer}
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
  /** connections with `mark` not yet closed; null when conntrack cannot be read */
  liveConnections(mark: number): Promise<number | null>;
  /** the peer's balancer accepts a TCP connection on `port` within `timeoutMs` */
  probe(address: string, port: number, timeoutMs: number): Promise<boolean>;
}

/**
 * Lines of /proc/net/nf_conntrack with our mark that are still open both ways (SYN_SENT, SYN_RECV,
 * ESTABLISHED). Half-closed ones (FIN_WAIT, CLOSE_WAIT, LAST_ACK) are not waited for: once the peer's
 * GARP moved the client, a connection's last packets go to the peer directly and ours would sit in
 * FIN_WAIT for minutes; their data is sent by then (an HTTP server closes after its response).
 */
export function countLive(conntrack: string, mark: number): number {
  let n = 0;
  const tag = ` mark=${mark} `;
  for (const line of conntrack.split('\n')) {
    if (line.includes(tag) && / (ESTABLISHED|SYN_SENT|SYN_RECV) /.test(line)) n++;
  }
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
    async liveConnections(mark) {
      try {
        return countLive(await readFile('/proc/net/nf_conntrack', 'utf8'), mark);
      } catch {
        return null;
      }
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
