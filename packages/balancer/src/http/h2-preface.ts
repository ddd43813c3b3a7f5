/**
 * HAProxy 2.6 upgrades an HTTP/1 connection to HTTP/2 when its first bytes are the HTTP/2 client
 * preface (RFC 9113 §3.4: prior knowledge on a bind without `proto h2`), unless `option
 * disable-h2-upgrade`. The session spots the preface (prefaceAt); the connection then goes to an
 * H2Connection over `replayed()`, a stream that gives the bytes already read first (Node's http2 reads
 * a socket's handle directly and would not see bytes taken from it).
 */
import { Duplex } from 'node:stream';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const PREFACE_NO = 0;
export const PREFACE_PARTIAL = 1;
export const PREFACE_YES = 2;

/** Is `buf` the HTTP/2 preface (YES), the start of it (PARTIAL: wait for more), or not (NO)? */
export function prefaceAt(buf: Buffer): number {
  const n = Math.min(buf.length, PREFACE.length);
  for (let i = 0; i < n; i++) if (buf[i] !== PREFACE[i]) return PREFACE_NO;
  return n === PREFACE.length ? PREFACE_YES : PREFACE_PARTIAL;
}

/** The socket as a Duplex that yields `already` first, then what the socket reads. */
export function replayed(socket: import('node:net').Socket, already: Buffer): Duplex {
  const d = new Duplex({
    read() {
      if (socket.isPaused()) socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (socket.write(chunk)) cb();
      else socket.once('drain', () => cb());
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  d.push(already);
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  return d;
}
