/**
 * A bounded keep-alive load, counted as wrk counts it: `connections` sockets each send GET, read the
 * response (Content-Length framed), and send the next at once; a response with `connection: close` is
 * followed by a fresh connection (not an error). A connect failure, a reset, or an EOF while a request
 * is outstanding is a socket error (wrk's "read" error) — the request a reload must never lose.
 * Nothing is retried.
 */
import net from 'node:net';

export interface LoadCounts {
  responses: number;
  non2xx: number;
  socketErrors: number;
  /** status code → count */
  statuses: Record<number, number>;
  /** response body → count (which server answered, when the upstream says so) */
  bodies: Record<string, number>;
  errors: string[];
}

export interface LoadLoop {
  /** stops sending; resolves once every connection is done */
  stop(): Promise<LoadCounts>;
  counts: LoadCounts;
}

export function loadLoop(
  port: number,
  opts: { connections?: number; path?: string; host?: string } = {},
): LoadLoop {
  const counts: LoadCounts = {
    responses: 0,
    non2xx: 0,
    socketErrors: 0,
    statuses: {},
    bodies: {},
    errors: [],
  };
  const host = opts.host ?? '127.0.0.1';
  const req = Buffer.from(`GET ${opts.path ?? '/'} HTTP/1.1\r\nhost: load\r\n\r\n`, 'latin1');
  let running = true;
  const done: Promise<void>[] = [];
  const live = new Set<net.Socket>();
  const fail = (why: string) => {
    counts.socketErrors++;
    if (counts.errors.length < 20) counts.errors.push(why);
  };
  const runConnection = () =>
    new Promise<void>((finish) => {
      const open = () => {
        if (!running) return finish();
        const sock = net.connect({ port, host, noDelay: true });
        live.add(sock);
        let buf = Buffer.alloc(0);
        let outstanding = false;
        let closing = false;
        const send = () => {
          if (!running) {
            closing = true;
            sock.end();
            return;
          }
          outstanding = true;
          sock.write(req);
        };
        sock.on('connect', send);
        sock.on('data', (d) => {
          buf = buf.length ? Buffer.concat([buf, d]) : d;
          for (;;) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buf.toString('latin1', 0, end);
            const m = /content-length:\s*(\d+)/i.exec(head);
            const len = m ? Number(m[1]) : 0;
            if (buf.length < end + 4 + len) return;
            const status = Number(head.slice(9, 12));
            const body = buf.toString('latin1', end + 4, end + 4 + len);
            buf = buf.subarray(end + 4 + len);
            outstanding = false;
            counts.responses++;
            counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
            counts.bodies[body] = (counts.bodies[body] ?? 0) + 1;
            if (status < 200 || status > 299) counts.non2xx++;
            if (/\r\nconnection:\s*close/i.test(head)) {
              closing = true;
              sock.end();
              return;
            }
            send();
          }
        });
        sock.on('error', (e) => {
          if (!closing || outstanding) fail(`${(e as NodeJS.ErrnoException).code ?? e.message}`);
          closing = true;
          outstanding = false;
        });
        sock.on('end', () => {
          if (outstanding) fail('EOF with a request outstanding');
          outstanding = false;
          closing = true;
          sock.end();
        });
        sock.on('close', () => {
          live.delete(sock);
          sock.removeAllListeners();
          open();
        });
      };
      open();
    });
  for (let i = 0; i < (opts.connections ?? 8); i++) done.push(runConnection());
  return {
    counts,
    /** stops sending; a connection still waiting for a response after 3 s is destroyed (and counted) */
    async stop() {
      running = false;
      const t = setTimeout(() => {
        for (const s of live) {
          fail('no response within 3 s of stop');
          s.destroy();
        }
      }, 3000);
      await Promise.all(done);
      clearTimeout(t);
      return counts;
    },
  };
}
