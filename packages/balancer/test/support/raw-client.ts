import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ParsedResponse, splitResponses } from './http1.ts';

/** A step of a raw exchange: bytes to write (latin1) or a pause. */
export type Step = string | { delayMs: number };

export type Exchange = {
  /** Everything received, as latin1. */
  raw: string;
  /** The peer closed (FIN or RST) before we gave up waiting. */
  closed: boolean;
  responses: ParsedResponse[];
};

/**
 * Writes `steps` to 127.0.0.1:port and collects the reply until the peer closes, or nothing arrived
 * for `idleMs` after the last write/read with a complete final response (the connection is then judged
 * kept open) or for `slowIdleMs` without one, capped at maxMs.
 */
export async function exchange(
  port: number,
  steps: Step[],
  opts: {
    idleMs?: number;
    slowIdleMs?: number;
    maxMs?: number;
    headRequests?: boolean[];
    host?: string;
  } = {},
): Promise<Exchange> {
  const idleMs = opts.idleMs ?? 300;
  const maxMs = opts.maxMs ?? 5000;
  const sock = connect({ port, host: opts.host ?? '127.0.0.1' });
  sock.setNoDelay(true);
  const chunks: Buffer[] = [];
  let closed = false;
  let last = Date.now();
  sock.on('data', (b) => {
    chunks.push(b);
    last = Date.now();
  });
  sock.on('end', () => {
    closed = true;
  });
  sock.on('error', () => {
    closed = true;
  });
  sock.on('close', () => {
    closed = true;
  });
  await new Promise<void>((ok) => {
    sock.once('connect', ok);
    sock.once('error', () => ok());
  });
  const start = Date.now();
  for (const s of steps) {
    if (closed) break;
    if (typeof s === 'string') {
      sock.write(Buffer.from(s, 'latin1'));
      last = Date.now();
    } else {
      await sleep(s.delayMs);
      last = Math.max(last, Date.now());
    }
  }
  // Judge "kept open" only once a final response is complete; while one is missing or cut short,
  // a loaded machine may just be slow, so allow a longer quiet period before giving up.
  const settled = (): boolean => {
    const rs = splitResponses(Buffer.concat(chunks).toString('latin1'), false, opts.headRequests);
    const lastR = rs[rs.length - 1];
    return lastR?.complete === true && (lastR.status >= 200 || lastR.status === 101);
  };
  const slowIdleMs = opts.slowIdleMs ?? 1500;
  while (!closed && Date.now() - start < maxMs) {
    const quiet = Date.now() - last;
    if (quiet >= idleMs && (quiet >= slowIdleMs || settled())) break;
    await sleep(5);
  }
  sock.destroy();
  const raw = Buffer.concat(chunks).toString('latin1');
  return { raw, closed, responses: splitResponses(raw, closed, opts.headRequests) };
}
