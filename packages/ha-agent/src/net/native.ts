// The JavaScript face of the N-API addon in ../../native (contract D). The addon only opens sockets,
// sends and receives; IPv4 header parsing and every VRRP rule stay in TypeScript.
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { HaError } from '../errors.ts';
import { parseIpv4Datagram } from '../vrrp/ip-header.ts';

interface NativeAddon {
  open(
    family: number,
    ifname: string,
    multicast: boolean,
    cb: (buf: Buffer, src: string, dst: string, ttl: number, ifindex: number) => void,
  ): object;
  send(handle: object, buf: Buffer, dst: string, src: string | null, ifindex: number): void;
  close(handle: object): void;
  sendLinkFrame(ifname: string, frame: Buffer): void;
  ifIndex(ifname: string): number;
  /** absent in an addon built before it existed */
  watchSignal?(signum: number, cb: (signum: number) => void): object;
  unwatchSignal?(handle: object): void;
}

let addon: NativeAddon | null = null;

function load(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require('../../native/build/Release/vrrp_native.node') as NativeAddon;
  } catch (cause) {
    throw new HaError(
      'HA_ERR_NATIVE_LOAD',
      'cannot load the native addon (packages/ha-agent/native/build/Release/vrrp_native.node); ' +
        'run `pnpm install` with npm_config_nodedir pointing at Node 24 (scripts/bootstrap.sh does this)',
      { cause },
    );
  }
  return addon;
}

export interface ReceiveInfo {
  /** Source address of the datagram. */
  src: string;
  /** Destination address (224.0.0.18, ff02::12 or ours for unicast). */
  dst: string;
  /** IPv4 TTL or IPv6 hop limit; -1 when unknown. */
  ttl: number;
  ifindex: number;
  /** Set when the IPv4 header itself was unusable; pkt is then empty. */
  malformed?: string;
}

export interface VrrpSocketOptions {
  family: 4 | 6;
  ifname: string;
  multicast: boolean;
  /** Source of our adverts; default: the interface's primary address (IPv6: its link-local one). */
  sourceAddress?: string;
  /** Addresses never chosen as the source (our own VIPs, which may sit on the interface). */
  excludeAddresses?: readonly string[];
  /**
   * Send from this interface instead (use_vmac: the VMAC, so the adverts carry the virtual MAC and
   * switches learn it). Receiving stays on `ifname`, and the source address stays `ifname`'s.
   */
  xmitIfname?: string;
}

export interface VrrpSocket {
  readonly family: 4 | 6;
  readonly ifname: string;
  readonly ifindex: number;
  readonly sourceAddress: string;
  send(packet: Buffer, dest: string): void;
  onMessage(cb: (pkt: Buffer, info: ReceiveInfo) => void): void;
  close(): void;
}

/** The address keepalived would send from: the first (primary) address of the family on the interface. */
export function primaryAddress(
  ifname: string,
  family: 4 | 6,
  exclude: readonly string[] = [],
): string | null {
  const list = networkInterfaces()[ifname] ?? [];
  for (const a of list) {
    if (exclude.includes(a.address)) continue;
    if (family === 4 && a.family === 'IPv4') return a.address;
    if (family === 6 && a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) return a.address;
  }
  return null;
}

export function openVrrpSocket(opts: VrrpSocketOptions): VrrpSocket {
  const native = load();
  const source = opts.sourceAddress ?? primaryAddress(opts.ifname, opts.family, opts.excludeAddresses);
  if (!source) {
    throw new HaError(
      'HA_ERR_NO_SOURCE_ADDRESS',
      `interface ${opts.ifname} has no IPv${opts.family} ${opts.family === 6 ? 'link-local ' : ''}address to send VRRP adverts from`,
    );
  }
  let listener: ((pkt: Buffer, info: ReceiveInfo) => void) | null = null;
  const family = opts.family;
  const onRaw = (buf: Buffer, src: string, dst: string, ttl: number, ifindex: number): void => {
    if (!listener) return;
    if (family === 6) {
      listener(buf, { src, dst, ttl, ifindex });
      return;
    }
    const parsed = parseIpv4Datagram(buf);
    if (!parsed.ok) {
      listener(Buffer.alloc(0), { src, dst, ttl, ifindex, malformed: parsed.reason });
      return;
    }
    listener(parsed.payload, {
      src: parsed.header.src,
      dst: dst || parsed.header.dst,
      ttl: parsed.header.ttl,
      ifindex,
    });
  };
  let handle: object;
  try {
    handle = native.open(family, opts.ifname, opts.multicast, onRaw);
  } catch (cause) {
    throw new HaError(
      'HA_ERR_SOCKET',
      `cannot open the VRRP socket on ${opts.ifname}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const ifindex = native.ifIndex(opts.ifname);
  // The send-only socket joins no group and gets no listener: whatever reaches it is ignored.
  let xmit: { handle: object; ifindex: number } | null = null;
  if (opts.xmitIfname !== undefined && opts.xmitIfname !== opts.ifname) {
    try {
      xmit = {
        handle: native.open(family, opts.xmitIfname, false, () => {}),
        ifindex: native.ifIndex(opts.xmitIfname),
      };
    } catch (cause) {
      native.close(handle);
      throw new HaError(
        'HA_ERR_SOCKET',
        `cannot open the VRRP send socket on ${opts.xmitIfname}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  let closed = false;
  return {
    family,
    ifname: opts.ifname,
    ifindex,
    sourceAddress: source,
    send(packet, dest) {
      if (closed) return;
      if (xmit) native.send(xmit.handle, packet, dest, source, xmit.ifindex);
      else native.send(handle, packet, dest, source, ifindex);
    },
    onMessage(cb) {
      listener = cb;
    },
    close() {
      if (closed) return;
      closed = true;
      listener = null;
      native.close(handle);
      if (xmit) native.close(xmit.handle);
    },
  };
}

/** One full Ethernet frame out of `ifname` (AF_PACKET); for gratuitous ARP and unsolicited NA. */
export function sendLinkFrame(ifname: string, frame: Buffer): void {
  load().sendLinkFrame(ifname, frame);
}

/**
 * Calls `cb` on signal `signum` (for the real-time signals Node's process.on() has no name for); returns
 * the function that stops watching. The watcher does not keep the process alive.
 */
export function watchSignal(signum: number, cb: () => void): () => void {
  const native = load();
  if (!native.watchSignal || !native.unwatchSignal) {
    throw new HaError(
      'HA_ERR_NATIVE_LOAD',
      'the native addon predates watchSignal: rebuild it (pnpm install, or node packages/ha-agent/native/build.mjs)',
    );
  }
  const unwatch = native.unwatchSignal;
  const handle = native.watchSignal(signum, () => cb());
  return () => unwatch(handle);
}

export function interfaceIndex(ifname: string): number {
  return load().ifIndex(ifname);
}
