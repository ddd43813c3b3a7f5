// The agent's logger: pino, JSON lines. keepalived logs to syslog unless `-l`; we always log to stderr
// (journald collects it under systemd) and `-D` turns on the detail (debug) level.
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  /** `-D`/`--log-detail` */
  detail?: boolean;
  /** `-l`/`--log-console`: kept for keepalived compatibility; stderr is always used */
  console?: boolean;
  level?: string;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? (opts.detail ? 'debug' : 'info');
  // Synchronous writes: the lines around a SIGTERM or a crash must not be lost in a buffer.
  return pino(
    { name: 'ha-agent', level, base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: true }),
  );
}
