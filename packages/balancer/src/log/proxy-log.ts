/**
 * A proxy's logger at run time: its targets (shared with other proxies through LogTargets), its tag,
 * and the decisions HAProxy makes before sending an access line (log.c strm_log):
 * - an exchange is an *error* when it ended abnormally (a termination cause other than `-`), was
 *   redispatched or retried, or (mode http) got a status ≥ 500;
 * - `option dontlog-normal` drops the lines that are not errors;
 * - `option log-separate-errors` sends errors at level `err` instead of `info`.
 * (`option dontlognull` is decided by the session, which knows whether the client sent anything.)
 */
import { clfLine, connectLine, httpLine, httpsLine, tcpLine } from './access-formats.ts';
import type { LogRecord } from './log-record.ts';
import { LogTarget } from './log-sender.ts';
import { LOG_ERR, LOG_INFO, type LogTargetSpec, type ProxyLogSpec } from './log-spec.ts';
import type { Origin } from './syslog-frame.ts';

/** The process's log targets, one LogTarget (one socket, one queue) per distinct `log` line. */
export class LogTargets {
  private readonly byKey = new Map<string, LogTarget>();

  target(spec: LogTargetSpec): LogTarget {
    const key = JSON.stringify(spec);
    let t = this.byKey.get(key);
    if (t === undefined) {
      t = new LogTarget(spec);
      this.byKey.set(key, t);
    }
    return t;
  }

  all(): LogTarget[] {
    return [...this.byKey.values()];
  }

  /** Lines sent and dropped over every target. */
  totals(): { sent: number; dropped: number } {
    let sent = 0;
    let dropped = 0;
    for (const t of this.byKey.values()) {
      sent += t.counters.sent;
      dropped += t.counters.dropped;
    }
    return { sent, dropped };
  }

  close(): void {
    for (const t of this.byKey.values()) t.close();
  }
}

export class ProxyLogger {
  readonly spec: ProxyLogSpec;
  private readonly targets: LogTarget[];
  private readonly origin: Origin;

  constructor(spec: ProxyLogSpec, registry: LogTargets) {
    this.spec = spec;
    this.targets = spec.targets.map((t) => registry.target(t));
    this.origin = { tag: spec.tag, pid: process.pid, hostname: spec.hostname };
  }

  /** Lines this proxy logged (%lc). */
  private count = 0;

  /** Sends `msg` at `level` to every target (process messages: UP/DOWN, alerts). */
  send(level: number, msg: string, sd = '-'): void {
    const now = Date.now();
    for (const t of this.targets) t.send(level, this.origin, msg, now, sd);
  }

  /** The access line of a finished exchange, in the frontend's format (`default` logs at the accept). */
  access(r: LogRecord): void {
    const s = this.spec;
    const err =
      r.error ||
      r.termCause !== '-' ||
      r.redispatched ||
      r.retries > 0 ||
      (r.mode === 'http' && r.status >= 500);
    if (!err && s.dontlogNormal) return;
    const fmt = s.format;
    if (fmt === 'default') return;
    r.logCount = this.count;
    const line =
      fmt === 'custom'
        ? s.custom!(r)
        : fmt === 'http'
          ? httpLine(r)
          : fmt === 'https'
            ? httpsLine(r)
            : fmt === 'clf'
              ? clfLine(r)
              : tcpLine(r);
    // HAProxy sends nothing for a format that prints an empty line
    if (line === '') return;
    this.count++;
    const level = r.level >= 0 ? r.level : err && s.separateErrors ? LOG_ERR : LOG_INFO;
    this.send(level, line, s.customSd === null ? '-' : s.customSd(r) || '-');
  }

  /** `Connect from …`: the line of a frontend without a log format, at the accept. */
  connect(
    clientIp: string,
    clientPort: number,
    feIp: string,
    fePort: number,
    fe: string,
    mode: 'http' | 'tcp',
  ) {
    if (this.spec.format !== 'default' || this.spec.dontlogNormal) return;
    this.send(LOG_INFO, connectLine(clientIp, clientPort, feIp, fePort, fe, mode));
  }
}
