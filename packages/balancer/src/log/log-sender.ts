/**
 * Sends log lines to their targets without ever making a request wait: `send` only queues the line;
 * the queue is flushed on the next turn of the event loop (setImmediate), one datagram per line for
 * syslog over UDP (what a syslog server expects, and what HAProxy sends), one write for all queued
 * lines on stdout/stderr. A target that cannot keep up loses lines, and counts them: a queue holds at
 * most QUEUE_LIMIT lines (UDP) or QUEUE_BYTES bytes in flight (stdout/stderr), the rest is dropped.
 * A dead UDP target costs nothing (datagrams to a closed port are simply lost, as with HAProxy).
 *
 * Unix datagram targets (`/dev/log`, `unix@PATH`): Node has no AF_UNIX SOCK_DGRAM, so the lines go
 * through @ha-lb/sd-notify's addon (`sendUnixDatagram`: one non-blocking sendto per line, in the same
 * deferred flush); a full or absent receiver loses the line (counted).
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import { sendUnixDatagram } from '@ha-lb/sd-notify';
import type { LogTargetSpec } from './log-spec.ts';
import { frame, type Origin } from './syslog-frame.ts';

const QUEUE_LIMIT = 4096;
const QUEUE_BYTES = 1 << 20;

export interface LogCounters {
  /** lines handed to the kernel (UDP) or written (stdout/stderr) */
  sent: number;
  /** lines lost: queue full, send error, target not supported */
  dropped: number;
}

/** One `log` line's destination: level and sampling filters, the header, the queue. */
export class LogTarget {
  readonly spec: LogTargetSpec;
  readonly counters: LogCounters = { sent: 0, dropped: 0 };
  private queue: string[] = [];
  private scheduled = false;
  private inFlight = 0;
  private sampleIndex = 0;
  private socket: dgram.Socket | null = null;
  private readonly flushFn = () => this.flush();
  private readonly onSent = (err: Error | null) => {
    this.inFlight--;
    if (err) this.counters.dropped++;
    else this.counters.sent++;
  };

  constructor(spec: LogTargetSpec) {
    this.spec = spec;
  }

  /** Queues `msg` at `level` from `origin`; returns at once. */
  send(level: number, origin: Origin, msg: string, ms: number): void {
    const t = this.spec;
    if (level > t.maxLevel) return;
    if (t.sample !== null && !this.sampled()) return;
    if (t.kind === 'unix' && t.path === '') {
      this.counters.dropped++; // ring@ and other targets not built
      return;
    }
    if (this.queue.length + this.inFlight >= QUEUE_LIMIT) {
      this.counters.dropped++;
      return;
    }
    this.queue.push(frame(t, level, origin, msg, ms));
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
      const sock = this.udp();
      for (const line of lines) {
        this.inFlight++;
        sock.send(line, t.port, t.host, this.onSent);
      }
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
    if (this.inFlight + text.length > QUEUE_BYTES) {
      this.counters.dropped += lines.length;
      return;
    }
    this.inFlight += text.length;
    const n = lines.length;
    fs.write(t.kind === 'stdout' ? 1 : 2, text, (err) => {
      this.inFlight -= text.length;
      if (err) this.counters.dropped += n;
      else this.counters.sent += n;
    });
  }

  private udp(): dgram.Socket {
    if (this.socket === null) {
      const s = dgram.createSocket(this.spec.family === 6 ? 'udp6' : 'udp4');
      s.on('error', () => {});
      s.unref();
      this.socket = s;
    }
    return this.socket;
  }

  /** Flushes what is queued and closes the socket (at stop). */
  close(): void {
    this.flush();
    const s = this.socket;
    this.socket = null;
    if (s !== null) setTimeout(() => s.close(), 50).unref();
  }
}
