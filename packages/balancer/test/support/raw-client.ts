/**
 * The client side of the balancer's tests: a raw TCP connection that keeps what it receives
 * (`openClient`), and `exchange`, the one "write these bytes, collect the reply" of every test.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ParsedResponse, splitResponses } from './http1.ts';

/** An open connection and what arrived on it so far. */
export interface RawClient {
  sock: net.Socket;
  /** resolves once connected (or failed: then closed() is true) */
  connected: Promise<void>;
  /** everything received, as latin1 */
  text(): string;
  /** the peer's FIN arrived */
  ended(): boolean;
  /** the connection is over: FIN or RST from the peer, or destroyed */
  closed(): boolean;
  /** Date.now() when it closed, null while open */
  closedAt(): number | null;
  /** Date.now() of the last bytes received (of the connect before any) */
  lastDataAt(): number;
  /** writes latin1 text or bytes */
  write(data: string | Buffer): void;
  /** resolves at the next data or close, or after `ms` */
  next(ms: number): Promise<void>;
  /** waits until what arrived satisfies `pred` (polled on each arrival), at most `ms`; says whether it did */
  until(pred: (text: string) => boolean, ms?: number): Promise<boolean>;
}

/** Connects to host:port (default 127.0.0.1) and keeps what arrives. */
export function openClient(port: number, opts: { host?: string; allowHalfOpen?: boolean } = {}): RawClient {
  const sock = net.connect({ port, host: opts.host ?? '127.0.0.1', allowHalfOpen: opts.allowHalfOpen });
  sock.setNoDelay(true);
  return adoptClient(sock, opts);
}

/** The same for a socket the caller made (its own local address, say); from now on. */
export function adoptClient(sock: net.Socket, opts: { allowHalfOpen?: boolean } = {}): RawClient {
  const chunks: Buffer[] = [];
  let cached = '';
  let cachedChunks = 0;
  let ended = false;
  let closedAt: number | null = null;
  let lastDataAt = Date.now();
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const close = () => {
    closedAt ??= Date.now();
    poke();
  };
  sock.on('data', (b: Buffer) => {
    chunks.push(b);
    lastDataAt = Date.now();
    poke();
  });
  sock.on('end', () => {
    ended = true;
    if (!opts.allowHalfOpen) close();
    else poke();
  });
  sock.on('error', close);
  sock.on('close', close);
  const connected = new Promise<void>((ok) => {
    if (!sock.connecting) return ok();
    sock.once('connect', () => ok());
    sock.once('error', () => ok());
  });
  const client: RawClient = {
    sock,
    connected,
    text() {
      if (cachedChunks !== chunks.length) {
        cached = Buffer.concat(chunks).toString('latin1');
        cachedChunks = chunks.length;
      }
      return cached;
    },
    ended: () => ended,
    closed: () => closedAt !== null || sock.destroyed,
    closedAt: () => closedAt,
    lastDataAt: () => lastDataAt,
    write(data) {
      sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    },
    next(ms) {
      return new Promise<void>((ok) => {
        const t = setTimeout(() => {
          wake = null;
          ok();
        }, ms);
        wake = () => {
          clearTimeout(t);
          ok();
        };
      });
    },
    async until(pred, ms = 2000) {
      const deadline = Date.now() + ms;
      while (!pred(client.text())) {
        const left = deadline - Date.now();
        if (left <= 0 || client.closed()) return pred(client.text());
        await client.next(left);
      }
      return true;
    },
  };
  return client;
}

/** A step of an exchange: bytes to write (strings as latin1) or a pause. */
export type Step = string | Buffer | { delayMs: number };

export interface ExchangeOpts {
  /** give up after this long, from the connect (default 2000 ms) */
  ms?: number;
  /** stop as soon as what arrived satisfies this (the connection then counts as open) */
  until?: (text: string) => boolean;
  /**
   * Stop once nothing arrived for `idleMs` after a complete final response (the connection is then
   * judged kept open), or for `slowIdleMs` (default 1500) without one: a loaded machine may just be slow.
   */
  idleMs?: number;
  slowIdleMs?: number;
  /** `headRequests[i]`: the i-th final response answers a HEAD (for `responses`) */
  headRequests?: boolean[];
  /** send a FIN after the last step */
  halfClose?: boolean;
  host?: string;
}

export interface Exchange {
  /** everything received, as latin1 */
  text: string;
  /** the peer closed (FIN or RST) before we stopped waiting */
  closed: boolean;
  /** how long it took, from the connect */
  ms: number;
  responses: ParsedResponse[];
}

/**
 * Connects to host:port (default 127.0.0.1), writes `steps` in order and collects the reply until the
 * peer closes, `until` holds, the idle rule says the reply is over (with `idleMs`), or `ms` passed.
 */
export async function exchange(
  port: number,
  steps: Step | Step[],
  opts: ExchangeOpts = {},
): Promise<Exchange> {
  const start = Date.now();
  const deadline = start + (opts.ms ?? 2000);
  const c = openClient(port, { host: opts.host });
  await c.connected;
  let lastWrite = Date.now();
  for (const s of Array.isArray(steps) ? steps : [steps]) {
    if (c.closed()) break;
    if (typeof s === 'string' || Buffer.isBuffer(s)) {
      c.write(s);
      lastWrite = Date.now();
    } else {
      await sleep(s.delayMs);
      lastWrite = Date.now();
    }
  }
  if (opts.halfClose && !c.closed()) c.sock.end();
  // with the idle rule, judge "kept open" only once a final response is complete
  const settled = (): boolean => {
    const rs = splitResponses(c.text(), false, opts.headRequests);
    const last = rs[rs.length - 1];
    return last?.complete === true && (last.status >= 200 || last.status === 101);
  };
  const slowIdleMs = opts.slowIdleMs ?? 1500;
  for (;;) {
    if (c.closed() || opts.until?.(c.text())) break;
    const now = Date.now();
    if (now >= deadline) break;
    let wait = deadline - now;
    if (opts.idleMs !== undefined) {
      const quiet = now - Math.max(lastWrite, c.lastDataAt());
      if (quiet >= opts.idleMs && (quiet >= slowIdleMs || settled())) break;
      // new bytes wake the wait early; otherwise look again when the next idle limit is reached
      wait = Math.min(wait, Math.max(1, (quiet < opts.idleMs ? opts.idleMs : slowIdleMs) - quiet));
    }
    await c.next(wait);
  }
  const closed = c.closed();
  c.sock.destroy();
  const text = c.text();
  return { text, closed, ms: Date.now() - start, responses: splitResponses(text, closed, opts.headRequests) };
}
