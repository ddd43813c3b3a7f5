/**
 * The new process's half of a `-sf`/`-st` hand-over on the health API: before it signals the old
 * process, it tells it (`POST /health/successor`) that it takes over, so that the old one's watchers (the
 * ha-agent) get `replaced` and reconnect instead of `stopping` and moving the VIP.
 */
import net from 'node:net';
import { SUCCESSOR_PATH } from '@ha-lb/shared-config/health-api';

/**
 * Announces `pid` to whatever serves the health socket at `path`. Resolves true once it answered 204;
 * false when nothing serves it, it is not a balancer that knows the announcement (an older one answers
 * 405), or no answer came within `timeoutMs`. Never throws.
 */
export function announceSuccessor(path: string, pid: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ pid });
    const sock = net.connect({ path });
    let head = '';
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => settle(false), timeoutMs);
    sock.on('connect', () => {
      sock.write(
        `POST ${SUCCESSOR_PATH} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const eol = head.indexOf('\r\n');
      if (eol >= 0) settle(/^HTTP\/1\.[01] 204 /.test(head.slice(0, eol + 1)));
    });
    sock.on('error', () => settle(false));
    sock.on('close', () => settle(false));
  });
}
