// ha-agent's error registry: stable codes, a cause, and messages that say what to do instead.

export type HaErrorCode =
  | 'HA_ERR_NATIVE_LOAD'
  | 'HA_ERR_SOCKET'
  | 'HA_ERR_NO_SOURCE_ADDRESS'
  | 'HA_ERR_CONFIG'
  | 'HA_ERR_CODEC'
  | 'HA_ERR_VMAC'
  | 'HA_ERR_PIDFILE'
  | 'HA_ERR_USAGE'
  | 'HA_ERR_VIP'
  | 'HA_ERR_TRACK'
  | 'HA_ERR_NOTIFY'
  | 'HA_ERR_API'
  | 'HA_ERR_FIREWALL';

export class HaError extends Error {
  readonly code: HaErrorCode;
  constructor(code: HaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HaError';
    this.code = code;
  }
}
