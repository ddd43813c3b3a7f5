/** A scripted upstream for the request tables: it records the exact bytes of every connection. */
import { startUpstream, type UpstreamConn } from './harness.ts';
import { waitFor } from './wait-for.ts';

/** How the fake backend answers. */
export type BackendScript =
  /** Every complete request gets `200 OK` with a small Content-Length body. */
  | { kind: 'ok' }
  /** The first complete request gets these raw bytes; then optionally the backend closes. */
  | { kind: 'raw'; response: string; closeAfter?: boolean };

export type RecordedConn = UpstreamConn;

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
  let script = initial;
  const up = await startUpstream((_req, socket, _up, conn) => {
    if (script.kind === 'ok') socket.write(OK_RESPONSE);
    else if (conn?.requests === 1) {
      socket.write(Buffer.from(script.response, 'latin1'));
      if (script.closeAfter) socket.end();
    }
  });
  return {
    port: up.port,
    get script() {
      return script;
    },
    set script(s) {
      script = s;
    },
    take: () => up.conns.splice(0),
    settle: async (ms) => void (await waitFor(() => up.conns.every((c) => c.closed), ms)),
    close: up.close,
  };
}
