// An instance's host in memory: VRRP sockets that keep what is sent and let a test deliver packets,
// link frames kept in a list, VMACs recorded, and a manual clock. The instance's real transport
// (codec, validation, counters) and GARP scheduler run on top of it unchanged.
import type { InstanceIo } from '../../src/instance/instance-io.ts';
import type { ReceiveInfo, VrrpSocket, VrrpSocketOptions } from '../../src/net/native.ts';
import { LocalVrids } from '../../src/net/transport.ts';
import type { VmacOptions } from '../../src/net/vmac.ts';
import { ManualClock } from './manual-clock.ts';

export class MemorySocket implements VrrpSocket {
  readonly family: 4 | 6;
  readonly ifname: string;
  readonly ifindex = 2;
  readonly sourceAddress: string;
  readonly options: VrrpSocketOptions;
  readonly sent: { packet: Buffer; dest: string }[] = [];
  closed = false;
  #listener: ((pkt: Buffer, info: ReceiveInfo) => void) | null = null;

  constructor(opts: VrrpSocketOptions, sourceAddress: string) {
    this.options = opts;
    this.family = opts.family;
    this.ifname = opts.ifname;
    this.sourceAddress = opts.sourceAddress ?? sourceAddress;
  }
  send(packet: Buffer, dest: string): void {
    if (!this.closed) this.sent.push({ packet: Buffer.from(packet), dest });
  }
  onMessage(cb: (pkt: Buffer, info: ReceiveInfo) => void): void {
    this.#listener = cb;
  }
  close(): void {
    this.closed = true;
    this.#listener = null;
  }
  /** a VRRP message arriving from `src` (TTL 255, to the group unless `dst`) */
  deliver(pkt: Buffer, src: string, dst = this.family === 4 ? '224.0.0.18' : 'ff02::12'): void {
    this.#listener?.(pkt, { src, dst, ttl: 255, ifindex: this.ifindex });
  }
}

export interface MemoryIoOptions {
  /** the interface's primary address (the default advert source) */
  address?: string;
  /** openSocket fails this many times first (an interface that is missing at start) */
  failOpens?: number;
}

export class MemoryIo implements InstanceIo {
  readonly clock = new ManualClock();
  readonly vrids = new LocalVrids();
  readonly sockets: MemorySocket[] = [];
  readonly frames: { ifname: string; frame: Buffer; at: number }[] = [];
  readonly vmacs: { created: VmacOptions[]; deleted: string[] } = { created: [], deleted: [] };
  readonly #address: string;
  #failOpens: number;

  constructor(opts: MemoryIoOptions = {}) {
    this.#address = opts.address ?? '10.0.0.2';
    this.#failOpens = opts.failOpens ?? 0;
  }

  /** the socket the instance uses now */
  get socket(): MemorySocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error('no socket opened yet');
    return s;
  }

  openSocket = (opts: VrrpSocketOptions): VrrpSocket => {
    if (this.#failOpens > 0) {
      this.#failOpens--;
      throw new Error(`interface ${opts.ifname} does not exist`);
    }
    const s = new MemorySocket(opts, this.#address);
    this.sockets.push(s);
    return s;
  };
  sendLinkFrame = (ifname: string, frame: Buffer): void => {
    this.frames.push({ ifname, frame: Buffer.from(frame), at: this.clock.now() });
  };
  interfaceMac = (_ifname: string): string => '02:00:00:00:00:02';
  createVmac = async (opts: VmacOptions): Promise<void> => {
    this.vmacs.created.push(opts);
  };
  deleteVmac = async (name: string): Promise<void> => {
    this.vmacs.deleted.push(name);
  };
}
