/**
 * What the health checks of a backend and its servers are, resolved once from haproxy.cfg
 * (engine/from-haproxy.ts → checks/from-model.ts). The engine's ServerSpec/BackendSpec carry them.
 */

/** A server's `check` settings (all times in ms). */
export interface ServerCheckSpec {
  inter: number;
  fastinter: number;
  downinter: number;
  rise: number;
  fall: number;
  /** `port`: the check's destination port instead of the server's */
  port: number | null;
  /** `addr`: the check's destination address instead of the server's (its port counts after `port`) */
  addr: { host: string; port: number | null } | null;
  /** `observe layer4|layer7`: what live traffic tells the health counter */
  observe: 'layer4' | 'layer7' | null;
  errorLimit: number;
  onError: 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';
}

/** `http-check expect [!] status|rstatus|string|rstring PATTERN` */
export interface HttpExpect {
  match: 'status' | 'rstatus' | 'string' | 'rstring';
  negate: boolean;
  pattern: string;
  /** status: the codes or ranges (`200`, `200-299`, comma lists) */
  codes?: readonly [number, number][];
  regex?: RegExp;
}

export type TcpCheckRule =
  | { kind: 'connect'; port: number | null; step: number }
  | { kind: 'send'; data: Buffer; step: number }
  | {
      kind: 'expect';
      match: 'string' | 'rstring' | 'binary';
      negate: boolean;
      pattern: string;
      bytes: Buffer;
      regex: RegExp | null;
      step: number;
    };

export type CheckMethod =
  | { kind: 'tcp' }
  | { kind: 'http'; request: Buffer; expects: readonly HttpExpect[] }
  | { kind: 'tcp-check'; rules: readonly TcpCheckRule[] };

/** A backend's check method and the settings every check of its servers shares. */
export interface BackendCheckSpec {
  method: CheckMethod;
  /** `timeout check`: once connected, the read timeout; also caps connecting at min(inter, timeout connect) */
  timeoutCheck: number | null;
  timeoutConnect: number | null;
  /** `option log-health-checks` */
  logHealthChecks: boolean;
}

/** `global spread-checks` / `max-spread-checks` */
export interface CheckGlobals {
  spreadChecks: number;
  maxSpreadChecks: number | null;
}
