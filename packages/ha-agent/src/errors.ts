// ha-agent's error registry: stable codes, a cause, and messages that say what to do instead.

export type HaErrorCode =
  /** the native addon (raw VRRP socket, AF_PACKET) cannot load or a call into it failed */
  | 'HA_ERR_NATIVE_LOAD'
  /** a VRRP socket cannot be opened or used on an interface */
  | 'HA_ERR_SOCKET'
  /** an instance's interface has no usable source address */
  | 'HA_ERR_NO_SOURCE_ADDRESS'
  /** the configuration cannot be run as loaded (a reference to an object it does not define, errors at start) */
  | 'HA_ERR_CONFIG'
  /** an advert cannot be encoded */
  | 'HA_ERR_CODEC'
  /** a gratuitous ARP / unsolicited NA cannot be built (bad MAC or address) */
  | 'HA_ERR_GARP'
  /** use_vmac: the macvlan cannot be created or brought up */
  | 'HA_ERR_VMAC'
  /** a pid file cannot be written */
  | 'HA_ERR_PIDFILE'
  /** systemd's notify socket cannot be written to (READY=1 and the rest are lost) */
  | 'HA_ERR_SD_NOTIFY'
  /** the command line is wrong (unknown option, bad value) */
  | 'HA_ERR_USAGE'
  /** a VIP cannot be added, removed or listed */
  | 'HA_ERR_VIP'
  /** a tracker is given impossible settings or cannot track its object */
  | 'HA_ERR_TRACK'
  /** a notify script cannot be run (bad command line, unknown user) */
  | 'HA_ERR_NOTIFY'
  /** the status API cannot start */
  | 'HA_ERR_API'
  /** the no_accept nftables table cannot be set up */
  | 'HA_ERR_FIREWALL'
  /** a SIGUSR1/SIGUSR2/JSON dump file cannot be written */
  | 'HA_ERR_DUMP';

export class HaError extends Error {
  readonly code: HaErrorCode;
  constructor(code: HaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HaError';
    this.code = code;
  }
}
