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
import { openVrrpSocket, type ReceiveInfo, type VrrpSocket } from './native.ts';

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

export interface TransportHooks {
  onAdvert(r: ReceivedAdvert): void;
  onDrop?(reason: DropReason, src: string, detail?: string): void;
  onSendError?(err: Error): void;
}

/**
 * VRIDs served on each interface by this process. Every instance has its own raw socket and so sees its
 * siblings' traffic too; a packet for a sibling's VRID is not a drop, only one for a VRID nobody here
 * serves is.
 */
const localVrids = new Map<string, Map<number, number>>();

function claimVrid(ifname: string, vrid: number, delta: 1 | -1): void {
  let m = localVrids.get(ifname);
  if (!m) {
    m = new Map();
    localVrids.set(ifname, m);
  }
  const n = (m.get(vrid) ?? 0) + delta;
  if (n > 0) m.set(vrid, n);
  else m.delete(vrid);
}

function isLocalVrid(ifname: string, vrid: number): boolean {
  return (localVrids.get(ifname)?.get(vrid) ?? 0) > 0;
}

export class VrrpTransport {
  readonly counters: PacketCounters;
  readonly sourceAddress: string;
  #opts: TransportOptions;
  #sock: VrrpSocket;
  #hooks: TransportHooks;
  #closed = false;

  constructor(opts: TransportOptions, hooks: TransportHooks, counters: PacketCounters = emptyCounters()) {
    this.#opts = opts;
    this.#hooks = hooks;
    this.counters = counters;
    this.#sock = openVrrpSocket({
      family: opts.family,
      ifname: opts.ifname,
      multicast: opts.unicastPeers.length === 0,
      sourceAddress: opts.sourceAddress ?? undefined,
      excludeAddresses: opts.excludeAddresses,
      xmitIfname: opts.xmitIfname,
    });
    this.sourceAddress = this.#sock.sourceAddress;
    this.#sock.onMessage((pkt, info) => this.#receive(pkt, info));
    claimVrid(opts.ifname, opts.vrid, 1);
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
    claimVrid(this.#opts.ifname, this.#opts.vrid, -1);
    this.#sock.close();
  }

  #drop(reason: DropReason, src: string, detail?: string): void {
    this.counters[reason]++;
    this.#hooks.onDrop?.(reason, src, detail);
  }

  #receive(pkt: Buffer, info: ReceiveInfo): void {
    const o = this.#opts;
    if (pkt.length >= 2 && pkt[1] !== o.vrid && isLocalVrid(o.ifname, pkt[1])) return; // a sibling's
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
