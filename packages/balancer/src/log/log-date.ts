/**
 * The dates HAProxy 2.6 writes in log lines, in local time, each cached per second so a busy second
 * formats its prefix once:
 *   `03/Dec/2026:10:51:31.613`          %t / %tr (accept date, request date), millisecond precision
 *   `03/Dec/2026:10:51:31 +0000`        %T / %trg with `option httplog clf` (log.c's date2str_log/gmt2str_log)
 *   `Dec  3 10:51:31`                   the RFC 3164 header
 *   `2026-12-03T10:51:31.681031+00:00`  RFC 5424 / iso / timed headers, microseconds
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const p2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const p3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
const p6 = (n: number) => `${n}`.padStart(6, '0');

/** `+0100` or `+01:00` for the local offset at `d`. */
function offset(d: Date, colon: boolean): string {
  const off = -d.getTimezoneOffset();
  const a = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${colon ? ':' : ''}${p2(a % 60)}`;
}

class PerSecond {
  private sec = -1;
  private text = '';
  private readonly make: (d: Date) => string;
  constructor(make: (d: Date) => string) {
    this.make = make;
  }
  get(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.sec) {
      this.sec = s;
      this.text = this.make(new Date(s * 1000));
    }
    return this.text;
  }
}

const logDay = new PerSecond(
  (d) =>
    `${p2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`,
);
const clfDay = new PerSecond((d) => `${logDay.get(d.getTime())} ${offset(d, false)}`);
const rfc3164 = new PerSecond(
  (d) =>
    `${MONTHS[d.getMonth()]} ${d.getDate() < 10 ? ' ' : ''}${d.getDate()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`,
);
const isoDay = new PerSecond(
  (d) =>
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`,
);
const isoOffset = new PerSecond((d) => offset(d, true));

/** `03/Dec/2026:10:51:31.613` (%t, %tr) */
export function logDate(ms: number): string {
  return `${logDay.get(ms)}.${p3(Math.floor(ms) % 1000)}`;
}

/** `03/Dec/2026:10:51:31 +0000` (the CLF date) */
export function clfDate(ms: number): string {
  return clfDay.get(ms);
}

/** `Dec  3 10:51:31` */
export function rfc3164Date(ms: number): string {
  return rfc3164.get(ms);
}

/** `2026-12-03T10:51:31.681031+00:00`; `us` is microseconds since the epoch */
export function isoDate(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${isoDay.get(ms)}.${p6(Math.floor(us) % 1000000)}${isoOffset.get(ms)}`;
}

const gmtDay = new PerSecond((d) => {
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} +0000`;
});

/** `03/Dec/2026:10:51:31 +0000` in UTC (%T, %trg: log.c's gmt2str_log) */
export function gmtDate(ms: number): string {
  return gmtDay.get(ms);
}
