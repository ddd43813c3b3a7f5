// One VRRP instance's wire: encodes and sends its adverts (multicast, or to each unicast peer), and
// validates what arrives, counting every dropped packet by reason.
import {
  type ChecksumForm,
  type DropReason,
  encodeAdvert,
  passAuthData,
  VRRP_AUTH_NONE,
  VRRP_AUTH_PASS,
  VRRP_V4_MCAST,
  VRRP_V6_MCAST,
  type VrrpAdvert,
} from '../vrrp/codec.ts';
import { validateAdvert } from '../vrrp/validate.ts';
import type { ReceiveInfo, VrrpSocket, VrrpSocketOptions } from './native.ts';

export interface TransportOptions {
  family: 4 | 6;
  ifname: string;
  version: 2 | 3;
  vrid: number;
  advertIntCs: number;
  authPass: string | null;
  /** Addresses carried in our adverts (the instance's VIPs of this family). */
  addresses: readonly string[];
  /** Empty: multicast to 224.0.0.18 / ff02::12. */
  unicastPeers: readonly string[];
  sourceAddress: string | null;
  /** Never chosen as the source: our VIPs, which may already sit on the interface. */
  excludeAddresses: readonly string[];
  checksumForm: ChecksumForm;
  /** use_vmac without vmac_xmit_base: adverts leave from the VMAC (receive stays on `ifname`) */
  xmitIfname?: string;
}

export interface ReceivedAdvert {
  advert: VrrpAdvert;
  src: string;
  checksumForm: ChecksumForm;
}

export type PacketCounters = Record<DropReason, number> & {
  received: number;
  accepted: number;
  sent: number;
  sendErrors: number;
};

export function emptyCounters(): PacketCounters {
  return {
    received: 0,
    accepted: 0,
    sent: 0,
    sendErrors: 0,
    ip_malformed: 0,
    ttl: 0,
    too_short: 0,
    version: 0,
    type: 0,
    vrid: 0,
    length: 0,
    checksum: 0,
    auth_type: 0,
    auth: 0,
    addr_count: 0,
    advert_interval: 0,
    own_packet: 0,
    unknown_peer: 0,
    fault_state: 0,
  };
}

/** What a transport needs besides its options: where to count, the shared VRID table, how to open a socket. */
export interface TransportDeps {
  counters?: PacketCounters;
  vrids?: LocalVrids;
  /** the raw IP protocol 112 socket (the native addon's openVrrpSocket; tests pass an in-memory one) */
  openSocket: (opts: VrrpSocketOptions) => VrrpSocket;
}

export interface TransportHooks {
  onAdvert(r: ReceivedAdvert): void;
  onDrop?(reason: DropReason, src: string, detail?: string): void;
  onSendError?(err: Error): void;
}

/**
 * The VRIDs this process serves on each interface. Every instance has its own raw socket and so sees its
 * siblings' traffic too; a packet for a sibling's VRID is not a drop, only one for a VRID nobody here
 * serves is. One table per agent (its instances share it), passed to each transport.
 */
export class LocalVrids {
  readonly #byInterface = new Map<string, Map<number, number>>();

  claim(ifname: string, vrid: number): void {
    this.#add(ifname, vrid, 1);
  }

  release(ifname: string, vrid: number): void {
    this.#add(ifname, vrid, -1);
  }

  has(ifname: string, vrid: number): boolean {
    return (this.#byInterface.get(ifname)?.get(vrid) ?? 0) > 0;
  }

  #add(ifname: string, vrid: number, delta: 1 | -1): void {
    let m = this.#byInterface.get(ifname);
    if (!m) {
      m = new Map();
      this.#byInterface.set(ifname, m);
    }
    const n = (m.get(vrid) ?? 0) + delta;
    if (n > 0) m.set(vrid, n);
    else m.delete(vrid);
    if (m.size === 0) this.#byInterface.delete(ifname);
  }
}

export class VrrpTransport {
  readonly counters: PacketCounters;
  readonly sourceAddress: string;
  #opts: TransportOptions;
  #sock: VrrpSocket;
  #hooks: TransportHooks;
  readonly #vrids: LocalVrids;
  #closed = false;

  constructor(opts: TransportOptions, hooks: TransportHooks, deps: TransportDeps) {
    this.#opts = opts;
    this.#hooks = hooks;
    this.counters = deps.counters ?? emptyCounters();
    const vrids = deps.vrids ?? new LocalVrids();
    this.#vrids = vrids;
    this.#sock = deps.openSocket({
      family: opts.family,
      ifname: opts.ifname,
      multicast: opts.unicastPeers.length === 0,
      sourceAddress: opts.sourceAddress ?? undefined,
      excludeAddresses: opts.excludeAddresses,
      xmitIfname: opts.xmitIfname,
    });
    this.sourceAddress = this.#sock.sourceAddress;
    this.#sock.onMessage((pkt, info) => this.#receive(pkt, info));
    vrids.claim(opts.ifname, opts.vrid);
  }

  get multicastGroup(): string {
    return this.#opts.family === 4 ? VRRP_V4_MCAST : VRRP_V6_MCAST;
  }

  sendAdvert(priority: number): void {
    const o = this.#opts;
    const dests = o.unicastPeers.length ? o.unicastPeers : [this.multicastGroup];
    for (const dst of dests) {
      const pkt = encodeAdvert(
        {
          version: o.version,
          vrid: o.vrid,
          priority,
          advertIntCs: o.advertIntCs,
          addresses: [...o.addresses],
          authType: o.authPass === null ? VRRP_AUTH_NONE : VRRP_AUTH_PASS,
          authData: passAuthData(o.authPass ?? ''),
        },
        { family: o.family, src: this.sourceAddress, dst, checksumForm: o.checksumForm },
      );
      try {
        this.#sock.send(pkt, dst);
        this.counters.sent++;
      } catch (err) {
        this.counters.sendErrors++;
        this.#hooks.onSendError?.(err as Error);
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#vrids.release(this.#opts.ifname, this.#opts.vrid);
    this.#sock.close();
  }

  #drop(reason: DropReason, src: string, detail?: string): void {
    this.counters[reason]++;
    this.#hooks.onDrop?.(reason, src, detail);
  }

  #receive(pkt: Buffer, info: ReceiveInfo): void {
    const o = this.#opts;
    if (pkt.length >= 2 && pkt[1] !== o.vrid && this.#vrids.has(o.ifname, pkt[1])) return; // a sibling's
    this.counters.received++;
    if (info.malformed) {
      this.#drop('ip_malformed', info.src, info.malformed);
      return;
    }
    const multicast = o.unicastPeers.length === 0;
    if (!multicast && !o.unicastPeers.includes(info.src)) {
      // An advert from an address we do not peer with may still be our own VRID on a shared segment.
      this.#drop(info.src === this.sourceAddress ? 'own_packet' : 'unknown_peer', info.src);
      return;
    }
    const r = validateAdvert(
      pkt,
      { src: info.src, dst: info.dst, ttl: info.ttl, multicast },
      {
        family: o.family,
        version: o.version,
        vrid: o.vrid,
        advertIntCs: o.advertIntCs,
        authPass: o.authPass,
        addressCount: o.addresses.length,
        ownAddresses: [this.sourceAddress],
      },
    );
    if (!r.ok) {
      this.#drop(r.reason, info.src, r.detail);
      return;
    }
    this.counters.accepted++;
    this.#hooks.onAdvert({ advert: r.advert, src: info.src, checksumForm: r.checksumForm });
  }
}
