/**
 * A UDP syslog listener for tests: keeps every datagram it receives (latin1), in order.
 */
import dgram from 'node:dgram';
import { waitFor } from './wait-for.ts';

export interface SyslogListener {
  port: number;
  lines: string[];
  /** waits until `n` lines arrived after index `from` (bounded); returns them */
  after(from: number, n: number, ms?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startSyslogListener(): Promise<SyslogListener> {
  const sock = dgram.createSocket('udp4');
  const lines: string[] = [];
  sock.on('message', (m) => lines.push(m.toString('latin1')));
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
  return {
    port: sock.address().port,
    lines,
    async after(from, n, ms = 8000) {
      await waitFor(() => lines.length >= from + n, ms);
      return lines.slice(from, from + n);
    },
    close: () => new Promise<void>((ok) => sock.close(() => ok())),
  };
}
