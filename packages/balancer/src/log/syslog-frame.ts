/**
 * The syslog header HAProxy 2.6 puts before a log line, per target `format` (log.c, recorded from the
 * real haproxy, tag `haproxy`, pid 1234, facility local2, level info):
 *   (default), local `<150>Dec  3 10:51:31 haproxy[1234]: MSG\n`   (default with log-send-hostname: `… 10:51:31 HOST haproxy[1234]: `)
 *   rfc3164          `<150>Dec  3 10:51:31 localhost haproxy[1234]: MSG\n` (the log-send-hostname name, else `localhost`)
 *   rfc5424          `<150>1 2026-12-03T10:51:31.681031+00:00 - haproxy 1234 - - MSG\n` (`-` = no hostname)
 *   short            `<6>MSG\n`          (the level alone)
 *   timed            `<6>2026-12-03T10:51:31.681127+00:00 MSG\n`
 *   iso              `2026-12-03T10:51:31.681121+00:00 MSG\n`
 *   priority         `<150>MSG\n`
 *   raw              `MSG\n`
 * `log-format-sd` replaces the rfc5424 header's second `-` (the structured data); other formats leave it out.
 * A line longer than the target's `len` is cut there, and the newline added after it (len + 1 bytes).
 */
import { isoDate, rfc3164Date } from './log-date.ts';
import type { LogTargetSpec } from './log-spec.ts';

export interface Origin {
  tag: string;
  pid: number;
  hostname: string | null;
}

const PRI: string[] = [];
for (let i = 0; i < 24 * 8; i++) PRI.push(`<${i}>`);

/** Microseconds since the epoch (for the RFC 5424 / ISO headers). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** The line as `target` must receive it at `level`; `ms` is the send time. */
export function frame(t: LogTargetSpec, level: number, o: Origin, msg: string, ms: number, sd = '-'): string {
  const lvl = Math.max(level, t.minLevel);
  const pri = PRI[t.facility * 8 + lvl];
  let out: string;
  switch (t.format) {
    case 'rfc3164':
      out = `${pri}${rfc3164Date(ms)} ${o.hostname ?? 'localhost'} ${o.tag}[${o.pid}]: ${msg}\n`;
      break;
    case 'default':
    case 'local':
      out =
        o.hostname !== null && t.format === 'default'
          ? `${pri}${rfc3164Date(ms)} ${o.hostname} ${o.tag}[${o.pid}]: ${msg}\n`
          : `${pri}${rfc3164Date(ms)} ${o.tag}[${o.pid}]: ${msg}\n`;
      break;
    case 'rfc5424':
      out = `${pri}1 ${isoDate(nowMicros())} ${o.hostname ?? '-'} ${o.tag} ${o.pid} - ${sd} ${msg}\n`;
      break;
    case 'short':
      out = `${PRI[lvl]}${msg}\n`;
      break;
    case 'timed':
      out = `${PRI[lvl]}${isoDate(nowMicros())} ${msg}\n`;
      break;
    case 'iso':
      out = `${isoDate(nowMicros())} ${msg}\n`;
      break;
    case 'priority':
      out = `${pri}${msg}\n`;
      break;
    default:
      out = `${msg}\n`;
  }
  if (out.length > t.len + 1) out = `${out.slice(0, t.len)}\n`;
  return out;
}
