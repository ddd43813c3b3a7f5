/**
 * An HTTP/2 origin server on node:http2 for the tests of HTTP/2 to servers: clear text with prior
 * knowledge (`server … proto h2`) or TLS with ALPN h2 (`server … ssl alpn h2`). It keeps every
 * connection it accepted and every stream's header list as it arrived (Node's raw [name, value, …]
 * list: pseudo-headers first, in order) with its body, and answers 200 with a small body naming the
 * stream. A request whose path starts with `/hold` is answered only when `release()` is called, so a
 * test can keep a stream open while others come. With `connectProtocol`, it advertises
 * SETTINGS_ENABLE_CONNECT_PROTOCOL and answers an extended CONNECT (RFC 8441, `:protocol websocket`)
 * with 200, then echoes the WebSocket frames of the stream.
 */
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type net from 'node:net';
import { wsFrame, wsParse } from './ws-echo.ts';

export interface OriginStream {
  /** index of the connection (in accept order) */
  conn: number;
  raw: string[];
  body: string;
}

export interface H2Origin {
  port: number;
  /** connections accepted so far */
  conns: () => number;
  streams: OriginStream[];
  /** answers the held `/hold…` streams */
  release: () => void;
  close: () => Promise<void>;
}

export async function startH2Origin(
  tls: { pem: string } | null = null,
  opts: { connectProtocol?: boolean } = {},
): Promise<H2Origin> {
  const streams: OriginStream[] = [];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let held: (() => void)[] = [];
  const onStream = (
    stream: http2.ServerHttp2Stream,
    _h: http2.IncomingHttpHeaders,
    _f: number,
    raw: string[],
  ) => {
    const conn = (stream.session as unknown as { originIndex: number }).originIndex;
    const rec: OriginStream = { conn, raw: [...raw], body: '' };
    streams.push(rec);
    stream.on('error', () => {});
    if (raw[raw.indexOf(':method') + 1] === 'CONNECT' && raw.includes(':protocol')) {
      stream.respond({ ':status': 200 });
      let buf: Buffer = Buffer.alloc(0);
      stream.on('data', (d: Buffer) => {
        const { frames, rest } = wsParse(Buffer.concat([buf, d]));
        buf = rest;
        for (const f of frames) {
          if (f.opcode === 0x1 || f.opcode === 0x2) stream.write(wsFrame(f.opcode, f.payload));
          else if (f.opcode === 0x8) stream.end(wsFrame(0x8, f.payload.subarray(0, 2)));
        }
      });
      return;
    }
    stream.on('data', (d: Buffer) => {
      rec.body += d.toString('latin1');
    });
    stream.on('end', () => {
      const answer = () => {
        if (stream.destroyed || stream.closed) return;
        const body = `stream ${streams.indexOf(rec)}\n`;
        stream.respond({
          ':status': 200,
          'content-type': 'text/plain',
          'content-length': body.length,
          'x-origin': 'h2',
        });
        stream.end(body);
      };
      const path = raw[raw.indexOf(':path') + 1] ?? '';
      if (path.startsWith('/hold')) held.push(answer);
      else answer();
    });
  };
  const server = tls
    ? http2.createSecureServer({
        key: readFileSync(tls.pem),
        cert: readFileSync(tls.pem),
        allowHTTP1: false,
        settings: { enableConnectProtocol: opts.connectProtocol === true },
      })
    : http2.createServer({ settings: { enableConnectProtocol: opts.connectProtocol === true } });
  server.on('session', (s) => {
    (s as unknown as { originIndex: number }).originIndex = accepted++;
    s.on('error', () => {});
  });
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  if (tls) server.on('secureConnection', (sock: net.Socket) => sockets.add(sock));
  server.on('stream', onStream as never);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns: () => accepted,
    streams,
    release: () => {
      const h = held;
      held = [];
      for (const f of h) f();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}
