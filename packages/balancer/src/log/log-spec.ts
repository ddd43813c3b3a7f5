/**
 * What logging needs, resolved once at start (engine-config.ts carries it; log-config.ts builds it
 * from the haproxy.cfg model). Levels and facilities are syslog's numbers.
 */

// the level and facility names, in syslog's numeric order: the parser's own lists
import type { LogRecord } from './log-record.ts';

export { LOG_FACILITIES as FACILITIES, LOG_LEVELS as LEVELS } from '@ha-lb/shared-config/haproxy';
export const LOG_EMERG = 0;
export const LOG_ALERT = 1;
export const LOG_ERR = 3;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;

/**
 * HAProxy's `format` keyword values, and `default` when none is written: RFC 3164 with the hostname
 * only under `log-send-hostname`, where an explicit `format rfc3164` always has one (`localhost`
 * without log-send-hostname: recorded from HAProxy 2.6); `local` never has one.
 */
export type SyslogFormat =
  | 'default'
  | 'rfc3164'
  | 'rfc5424'
  | 'short'
  | 'raw'
  | 'iso'
  | 'timed'
  | 'priority'
  | 'local';

/** `sample <ranges>:<size>`: of every `size` lines, those whose 1-based index is in a range are sent. */
export interface SampleSpec {
  size: number;
  ranges: readonly (readonly [number, number])[];
}

export interface LogTargetSpec {
  /** as written, for messages */
  text: string;
  kind: 'udp' | 'stdout' | 'stderr' | 'unix';
  host: string;
  port: number;
  family: 4 | 6;
  /** unix datagram socket path (`/dev/log`, `unix@PATH`) */
  path: string;
  facility: number;
  /** lines of a less severe level (a higher number) are not sent */
  maxLevel: number;
  /** lines of a more severe level (a lower number) are sent at this level */
  minLevel: number;
  format: SyslogFormat;
  /** the longest line sent, header included (HAProxy's default 1024) */
  len: number;
  sample: SampleSpec | null;
}

/** The access-log format of a frontend. */
export type AccessFormat = 'http' | 'https' | 'clf' | 'tcp' | 'custom' | 'default';

/** Logging of one proxy: where its lines go and how its access lines are built. */
export interface ProxyLogSpec {
  targets: LogTargetSpec[];
  format: AccessFormat;
  /** `log-format`: the compiled line (format 'custom'), null otherwise */
  custom: ((r: LogRecord) => string) | null;
  /** `log-format-sd`: the RFC 5424 structured-data element of each access line, null when none */
  customSd: ((r: LogRecord) => string) | null;
  /** `log-tag` (proxy, else global), default `haproxy` */
  tag: string;
  /** `log-send-hostname`: the hostname in the syslog header, null = none */
  hostname: string | null;
  dontlognull: boolean;
  dontlogNormal: boolean;
  separateErrors: boolean;
  logasap: boolean;
}

/** Parses `1-3,5:10` (`sample` argument). Returns null when malformed. */
export function parseSample(text: string): SampleSpec | null {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return null;
  const size = Number(text.slice(colon + 1));
  if (!Number.isInteger(size) || size < 1) return null;
  const ranges: [number, number][] = [];
  for (const part of text.slice(0, colon).split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < lo || hi > size) return null;
    ranges.push([lo, hi]);
  }
  return { size, ranges };
}
