// What an instance does to the host besides its VIPs: the VRRP socket, link frames (GARP/NA), the
// VMAC, and time. The agent hands every instance the host's; the instance's unit tests hand it an
// in-memory one, so the whole shell — state machine, transport codec, timers, GARP scheduling — runs
// without root.
import { type Clock, realClock } from '../clock.ts';
import { interfaceMac } from '../net/garp-senders.ts';
import { openVrrpSocket, sendLinkFrame, type VrrpSocket, type VrrpSocketOptions } from '../net/native.ts';
import { LocalVrids } from '../net/transport.ts';
import { createVmac, deleteVmac, type VmacOptions } from '../net/vmac.ts';

export interface InstanceIo {
  readonly clock: Clock;
  /** the VRIDs this agent serves per interface, shared by all its instances' transports */
  readonly vrids: LocalVrids;
  /** a raw IP protocol 112 socket on the instance's interface */
  openSocket(opts: VrrpSocketOptions): VrrpSocket;
  /** one Ethernet frame out of a link */
  sendLinkFrame(ifname: string, frame: Buffer): void;
  /** a link's own MAC address */
  interfaceMac(ifname: string): string;
  createVmac(opts: VmacOptions): Promise<void>;
  deleteVmac(name: string): Promise<void>;
}

/** The real thing: the native addon's sockets and AF_PACKET frames, sysfs MACs, `ip link` VMACs. */
export function hostIo(vrids: LocalVrids = new LocalVrids()): InstanceIo {
  return {
    clock: realClock,
    vrids,
    openSocket: openVrrpSocket,
    sendLinkFrame,
    interfaceMac,
    createVmac,
    deleteVmac,
  };
}
