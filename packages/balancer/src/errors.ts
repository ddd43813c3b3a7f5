/**
 * The balancer's error registry: one class, stable `LB_ERR_…` codes, a `cause`.
 * Errors are mapped to `[ALERT]` lines or HTTP statuses only at the edge (cli, http session).
 */
export const LB_ERR = {
  USAGE: 'LB_ERR_USAGE',
  CONFIG: 'LB_ERR_CONFIG',
  BIND: 'LB_ERR_BIND',
  FD_BIND: 'LB_ERR_FD_BIND',
  PIDFILE: 'LB_ERR_PIDFILE',
  NO_BACKEND: 'LB_ERR_NO_BACKEND',
  HEALTH_SOCKET: 'LB_ERR_HEALTH_SOCKET',
  ERRORFILE: 'LB_ERR_ERRORFILE',
  TLS: 'LB_ERR_TLS',
} as const;

export type LbErrorCode = (typeof LB_ERR)[keyof typeof LB_ERR];

export class LbError extends Error {
  readonly code: LbErrorCode;
  constructor(code: LbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LbError';
    this.code = code;
  }
}

/** A configuration line the engine cannot serve (a certificate that does not load, …): `-c` and start-up print it at file:line. */
export class LineError extends LbError {
  readonly file: string;
  readonly line: number;
  /** HAProxy stops reading the configuration at this line (ERR_ABORT: a rule it cannot parse) */
  readonly abort: boolean;
  constructor(
    code: LbErrorCode,
    file: string,
    line: number,
    message: string,
    options?: { cause?: unknown; abort?: boolean },
  ) {
    super(code, message, options);
    this.name = 'LineError';
    this.file = file;
    this.line = line;
    this.abort = options?.abort === true;
  }
}

/** A command line the balancer cannot run: the CLI prints it with the usage text and exits 1. */
export class UsageError extends LbError {
  constructor(message: string) {
    super(LB_ERR.USAGE, message);
    this.name = 'UsageError';
  }
}
