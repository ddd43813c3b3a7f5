/**
 * Sends log lines to their targets without ever making a request wait: `send` only queues the line;
 * the queue is flushed on the next turn of the event loop (setImmediate), one datagram per line for
 * syslog over UDP (what a syslog server expects, and what HAProxy sends) — all of a flush's
 * datagrams in one sendmmsg(2) through @ha-lb/sd-notify's addon (`DatagramBatch`, non-blocking; Node's
 * dgram costs ~7 µs per datagram, bench/log-line.ts), or Node's dgram when the addon lacks it or the
 * target is a host name — and one write for all queued lines on stdout/stderr. A target that cannot keep up loses lines, and counts them: a queue holds at
 * most QUEUE_LIMIT lines (UDP) or QUEUE_BYTES bytes in flight (stdout/stderr), the rest is dropped.
 * A dead UDP target costs nothing (datagrams to a closed port are simply lost, as with HAProxy).
 *
 * Unix datagram targets (`/dev/log`, `unix@PATH`): Node has no AF_UNIX SOCK_DGRAM, so the lines go
 * through @ha-lb/sd-notify's addon (`sendUnixDatagram`: one non-blocking sendto per line, in the same
 * deferred flush); a full or absent receiver loses the line (counted).
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import { isIP } from 'node:net';
import { DatagramBatch, sendUnixDatagram } from '@ha-lb/sd-notify';
import type { LogTargetSpec } from './log-spec.ts';
import { frame, type Origin } from './syslog-frame.ts';

const QUEUE_LIMIT = 4096;
const QUEUE_BYTES = 1 << 20;

export interface LogCounters {
  /** lines handed to the kernel (UDP, unix) or written (stdout/stderr) */
  sent: number;
  /** lines lost: queue full, send error (a UDP target refusing counts here too), target not supported */
  dropped: number;
}

/** One `log` line's destination: level and sampling filters, the header, the queue. */
export class LogTarget {
  readonly spec: LogTargetSpec;
  readonly counters: LogCounters = { sent: 0, dropped: 0 };
  private queue: string[] = [];
  private scheduled = false;
  /** stdout/stderr: bytes handed to fs.write and not written yet */
  private inFlightBytes = 0;
  private sampleIndex = 0;
  /** the UDP socket, connected to the target (no address lookup per datagram); null until made */
  private socket: dgram.Socket | null = null;
  private connected = false;
  /** sendmmsg through the addon: all of a flush's datagrams in one system call (null: dgram instead) */
  private batch: DatagramBatch | null | undefined;
  private readonly flushFn = () => this.flush();

  constructor(spec: LogTargetSpec) {
    this.spec = spec;
  }

  /** Queues `msg` at `level` from `origin`; returns at once. `sd`: RFC 5424 structured data (`log-format-sd`). */
  send(level: number, origin: Origin, msg: string, ms: number, sd = '-'): void {
    const t = this.spec;
    if (level > t.maxLevel) return;
    if (t.sample !== null && !this.sampled()) return;
    if (t.kind === 'unix' && t.path === '') {
      this.counters.dropped++; // ring@ and other targets not built
      return;
    }
    if (this.queue.length >= QUEUE_LIMIT) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(frame(t, level, origin, msg, ms, sd));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushFn);
    }
  }

  private sampled(): boolean {
    const s = this.spec.sample!;
    const n = (this.sampleIndex % s.size) + 1;
    this.sampleIndex = n;
    for (const [lo, hi] of s.ranges) if (n >= lo && n <= hi) return true;
    return false;
  }

  private flush(): void {
    this.scheduled = false;
    const lines = this.queue;
    if (lines.length === 0) return;
    this.queue = [];
    const t = this.spec;
    if (t.kind === 'udp') {
      if (this.batch === undefined)
        this.batch = isIP(t.host) !== 0 ? DatagramBatch.open(t.host, t.port, t.family) : null;
      if (this.batch !== null) {
        const n = this.batch.send(lines);
        this.counters.sent += n;
        this.counters.dropped += lines.length - n;
        return;
      }
      const sock = this.udp();
      if (!this.connected) {
        // lines wait (bounded by QUEUE_LIMIT) until the socket is connected
        this.queue = lines;
        return;
      }
      // no completion callback: a datagram handed to the kernel is sent; errors arrive as 'error'
      for (const line of lines) sock.send(line);
      this.counters.sent += lines.length;
      return;
    }
    if (t.kind === 'unix') {
      for (const line of lines) {
        if (sendUnixDatagram(t.path, Buffer.from(line, 'latin1')) === 0) this.counters.sent++;
        else this.counters.dropped++;
      }
      return;
    }
    // stdout / stderr: one write for the batch, never more than QUEUE_BYTES waiting
    const text = lines.length === 1 ? lines[0] : lines.join('');
    if (this.inFlightBytes + text.length > QUEUE_BYTES) {
      this.counters.dropped += lines.length;
      return;
    }
    this.inFlightBytes += text.length;
    const n = lines.length;
    fs.write(t.kind === 'stdout' ? 1 : 2, text, (err) => {
      this.inFlightBytes -= text.length;
      if (err) this.counters.dropped += n;
      else this.counters.sent += n;
    });
  }

  private udp(): dgram.Socket {
    if (this.socket === null) {
      const s = dgram.createSocket(this.spec.family === 6 ? 'udp6' : 'udp4');
      // ECONNREFUSED (nobody listens: an ICMP came back) and other send errors: a line lost
      s.on('error', () => {
        this.counters.dropped++;
      });
      s.connect(this.spec.port, this.spec.host, () => {
        this.connected = true;
        if (this.queue.length > 0 && !this.scheduled) {
          this.scheduled = true;
          setImmediate(this.flushFn);
        }
      });
      s.unref();
      this.socket = s;
    }
    return this.socket;
  }

  /** Flushes what is queued and closes the socket (at stop). */
  close(): void {
    this.flush();
    this.batch?.close();
    this.batch = null;
    const s = this.socket;
    this.socket = null;
    if (s !== null) setTimeout(() => s.close(), 50).unref();
  }
}
