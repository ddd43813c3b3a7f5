import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitRequests } from './http1.ts';

/** How the fake backend answers. */
export type BackendScript =
  /** Every complete request gets `200 OK` with a small Content-Length body. */
  | { kind: 'ok' }
  /** The first complete request gets these raw bytes; then optionally the backend closes. */
  | { kind: 'raw'; response: string; closeAfter?: boolean };

export type RecordedConn = {
  acceptedAt: number;
  /** Everything the backend received on this connection, as latin1. */
  data: string;
  closed: boolean;
  socket: Socket;
};

export type Recorder = {
  port: number;
  script: BackendScript;
  /** Connections accepted since the last take(); the recorder forgets them. */
  take: () => RecordedConn[];
  /** Resolves once every recorded connection is closed or `ms` elapsed (bounded). */
  settle: (ms: number) => Promise<void>;
  close: () => Promise<void>;
};

export const OK_BODY = 'ok\n';
const OK_RESPONSE = `HTTP/1.1 200 OK\r\nContent-Length: ${OK_BODY.length}\r\nContent-Type: text/plain\r\n\r\n${OK_BODY}`;

/** A raw TCP HTTP/1 backend that records the exact bytes it gets. */
export async function startRecorder(initial: BackendScript = { kind: 'ok' }): Promise<Recorder> {
  let conns: RecordedConn[] = [];
  const all = new Set<Socket>();
  const rec: Recorder = {
    port: 0,
    script: initial,
    take: () => {
      const c = conns;
      conns = [];
      return c;
    },
    settle: async (ms) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && conns.some((c) => !c.closed)) await sleep(10);
    },
    close: async () => {
      for (const s of all) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
  const server: Server = createServer((socket) => {
    all.add(socket);
    const conn: RecordedConn = { acceptedAt: Date.now(), data: '', closed: false, socket };
    conns.push(conn);
    let answered = 0;
    socket.on('data', (b) => {
      conn.data += b.toString('latin1');
      const reqs = splitRequests(conn.data).filter((r) => r.complete);
      const script = rec.script;
      while (answered < reqs.length) {
        answered++;
        if (script.kind === 'ok') socket.write(OK_RESPONSE);
        else if (answered === 1) {
          socket.write(Buffer.from(script.response, 'latin1'));
          if (script.closeAfter) socket.end();
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      conn.closed = true;
      all.delete(socket);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no address');
  rec.port = a.port;
  return rec;
}
