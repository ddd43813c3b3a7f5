/**
 * A tiny WebSocket echo server on node:net (RFC 6455 handshake and framing, no extensions), so the
 * tunnel test needs no dependency. It echoes text/binary frames, answers pings and close, and keeps
 * every handshake head it read (`heads`). A path under `/wrong-accept` gets a 101 whose
 * Sec-WebSocket-Accept does not match the key, one under `/refuse` a 403: what a proxy does with
 * those is part of the recordings.
 */
import { createHash } from 'node:crypto';
import type { Server } from 'node:net';
import { header, splitHead } from './http1.ts';
import { startRawServer } from './raw-server.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const wsAccept = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

/** Encodes one frame: unmasked (server to client), or masked with `mask` (4 bytes, client to server). */
export function wsFrame(opcode: number, payload: Buffer, mask?: Buffer): Buffer {
  if (mask !== undefined) {
    const framed = wsFrame(opcode, Buffer.from(payload.map((b, k) => b ^ mask[k & 3])));
    const at = framed.length - payload.length;
    framed[1] |= 0x80;
    return Buffer.concat([framed.subarray(0, at), mask, framed.subarray(at)]);
  }
  const n = payload.length;
  const head =
    n < 126
      ? Buffer.from([0x80 | opcode, n])
      : n < 65536
        ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
        : (() => {
            const b = Buffer.alloc(10);
            b[0] = 0x80 | opcode;
            b[1] = 127;
            b.writeBigUInt64BE(BigInt(n), 2);
            return b;
          })();
  return Buffer.concat([head, payload]);
}

/** Parses complete frames from `buf`; returns them and the unconsumed rest. */
export function wsParse(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let i = 0;
  while (buf.length - i >= 2) {
    const opcode = buf[i] & 0x0f;
    const masked = (buf[i + 1] & 0x80) !== 0;
    let len = buf[i + 1] & 0x7f;
    let p = i + 2;
    if (len === 126) {
      if (buf.length < p + 2) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length < p + 8) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const maskLen = masked ? 4 : 0;
    if (buf.length < p + maskLen + len) break;
    const payload = Buffer.from(buf.subarray(p + maskLen, p + maskLen + len));
    if (masked) for (let k = 0; k < len; k++) payload[k] ^= buf[p + (k & 3)];
    frames.push({ opcode, payload });
    i = p + maskLen + len;
  }
  return { frames, rest: buf.subarray(i) };
}

export type WsEchoServer = {
  port: number;
  server: Server;
  /** the handshake heads read, in arrival order (latin1) */
  heads: string[];
  close: () => Promise<void>;
};

export const WS_REFUSAL =
  'HTTP/1.1 403 Forbidden\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nno\n';

export async function startWsEcho(): Promise<WsEchoServer> {
  const heads: string[] = [];
  const { port, server, close } = await startRawServer((sock) => {
    let head = '';
    let upgraded = false;
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      if (!upgraded) {
        head += chunk.toString('latin1');
        const h = splitHead(head);
        if (!h) return;
        heads.push(head.slice(0, h.end));
        const path = h.startLine.split(' ')[1] ?? '';
        if (path.startsWith('/refuse')) {
          sock.end(WS_REFUSAL);
          return;
        }
        const key = header(h, 'sec-websocket-key');
        if (!key || !/websocket/i.test(header(h, 'upgrade') ?? '')) {
          sock.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        sock.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${path.startsWith('/wrong-accept') ? wsAccept('wrong') : wsAccept(key)}\r\n\r\n`,
        );
        upgraded = true;
        chunk = Buffer.from(head.slice(h.end), 'latin1');
      }
      buf = Buffer.concat([buf, chunk]);
      const { frames, rest } = wsParse(buf);
      buf = rest;
      for (const f of frames) {
        if (f.opcode === 0x1 || f.opcode === 0x2) sock.write(wsFrame(f.opcode, f.payload));
        else if (f.opcode === 0x9) sock.write(wsFrame(0xa, f.payload));
        else if (f.opcode === 0x8) sock.end(wsFrame(0x8, f.payload.subarray(0, 2)));
      }
    });
  });
  return { port, server, heads, close };
}
