/**
 * One AF_UNIX SOCK_DGRAM datagram to `path` (`@name`: abstract), never blocking: the same addon as
 * sd_notify (native/sd_notify_native.c `sendNowait`). The balancer sends its syslog lines to
 * `/dev/log` and `unix@PATH` targets with it. Returns 0 or the errno (EAGAIN: the receiver is full,
 * ENOENT/ECONNREFUSED: nobody listens); -1 when the addon is missing or was built before this function.
 */
import { loadAddon } from './addon.ts';

type Addon = { sendNowait?: (path: string, payload: Buffer) => number };
const load = () => loadAddon() as Addon | null;

/** Whether unix datagrams can be sent here (the addon is built and has `sendNowait`). */
export function unixDatagramAvailable(): boolean {
  return typeof load()?.sendNowait === 'function';
}

export function sendUnixDatagram(path: string, payload: Buffer): number {
  const a = load();
  if (a === null || typeof a.sendNowait !== 'function') return -1;
  return a.sendNowait(path, payload);
}

type BatchAddon = {
  udpOpen?: (ip: string, port: number, family: number) => number;
  sendBatch?: (fd: number, data: Buffer, lengths: Int32Array, count: number) => number;
  fdClose?: (fd: number) => void;
};

/**
 * A connected non-blocking UDP socket that sends many datagrams per system call (sendmmsg): the
 * balancer's syslog lines, one datagram each, a flush's worth at once. null when the addon lacks it
 * (built before these functions) or the address is not a literal IP: the caller falls back to dgram.
 */
export class DatagramBatch {
  private fd: number;
  private readonly a: Required<BatchAddon>;
  private lengths = new Int32Array(64);

  private constructor(fd: number, a: Required<BatchAddon>) {
    this.fd = fd;
    this.a = a;
  }

  static open(ip: string, port: number, family: 4 | 6): DatagramBatch | null {
    const a = load() as BatchAddon | null;
    if (a === null || typeof a.udpOpen !== 'function' || typeof a.sendBatch !== 'function') return null;
    const fd = a.udpOpen(ip, port, family);
    return fd < 0 ? null : new DatagramBatch(fd, a as Required<BatchAddon>);
  }

  /** Sends `lines` (latin1), one datagram each; returns how many the kernel took. */
  send(lines: readonly string[]): number {
    if (this.fd < 0) return 0;
    if (this.lengths.length < lines.length) this.lengths = new Int32Array(lines.length * 2);
    for (let i = 0; i < lines.length; i++) this.lengths[i] = lines[i].length;
    const data = Buffer.from(lines.length === 1 ? lines[0] : lines.join(''), 'latin1');
    const n = this.a.sendBatch(this.fd, data, this.lengths, lines.length);
    return Math.max(n, 0);
  }

  close(): void {
    if (this.fd >= 0) this.a.fdClose(this.fd);
    this.fd = -1;
  }
}
