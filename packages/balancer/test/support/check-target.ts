/**
 * A server that health checks probe, whose behaviour a test switches at run time on a fixed port:
 * not listening (connection refused), accepting only (a pure TCP check passes), answering every
 * request with a given HTTP status / raw bytes, accepting and never answering (read timeouts), or
 * closing right after the request. It records what each connection sent and when it arrived.
 */
import type net from 'node:net';
import { type Blackhole, startBlackhole } from './blackhole.ts';
import { splitRequests } from './http1.ts';
import { type RawServer, startRawServer } from './raw-server.ts';
import { canDropSyns, dropSyns, type SynDrop } from './syn-drop.ts';

export type TargetMode =
  | { kind: 'down' }
  | { kind: 'accept' }
  | { kind: 'http'; status: number; reason?: string; body?: string }
  | { kind: 'raw'; reply: string; onConnect?: boolean }
  | { kind: 'silent' }
  | { kind: 'close' }
  /**
   * SYNs go unanswered (connect timeouts on loopback): an nftables drop rule in front of the open
   * listener when root, else a listener whose accept queue is full, swapped in on the same port
   */
  | { kind: 'blackhole' };

export interface Probe {
  /** Date.now() when the connection was accepted */
  at: number;
  bytes: string;
  /** the peer closed its side (FIN) */
  ended: boolean;
}

export interface CheckTarget {
  readonly port: number;
  readonly probes: Probe[];
  /** Switches behaviour; resolves once the listener state matches (bound or closed). */
  set(mode: TargetMode): Promise<void>;
  close(): Promise<void>;
}

/** The reply to one request in `mode`, or null for none. */
function replyOf(mode: TargetMode): string | null {
  if (mode.kind === 'http') {
    const body = mode.body ?? '';
    const reason = mode.reason ?? (mode.status === 200 ? 'OK' : 'Service Unavailable');
    return `HTTP/1.1 ${mode.status} ${reason}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
  }
  if (mode.kind === 'raw' && !mode.onConnect) return mode.reply;
  return null;
}

export async function startCheckTarget(port: number, initial: TargetMode): Promise<CheckTarget> {
  const probes: Probe[] = [];
  let mode: TargetMode = initial;
  let server: RawServer | null = null;
  let hole: Blackhole | null = null;
  let drop: SynDrop | null = null;
  const useNft = canDropSyns();

  const onConn = (sock: net.Socket) => {
    const probe: Probe = { at: Date.now(), bytes: '', ended: false };
    probes.push(probe);
    const m = mode;
    if (m.kind === 'raw' && m.onConnect) sock.write(m.reply);
    let answered = false;
    sock.on('data', (d) => {
      probe.bytes += d.toString('latin1');
      if (answered) return;
      if (m.kind === 'close') {
        answered = true;
        sock.destroy();
        return;
      }
      // a request (with its declared body) is answered once it is all in; raw bytes at once
      if (m.kind !== 'raw' && splitRequests(probe.bytes)[0]?.complete !== true) return;
      const reply = replyOf(m);
      if (reply === null) return;
      answered = true;
      sock.end(reply);
    });
    // a peer that closes gets a close back (no half-open connection outlives a check or a probe)
    sock.on('end', () => {
      probe.ended = true;
      if (m.kind !== 'silent') sock.end();
    });
  };

  const listen = async () => {
    if (server === null) server = await startRawServer(onConn, { port, allowHalfOpen: true });
  };
  const unlisten = async () => {
    const s = server;
    server = null;
    await s?.close();
  };
  const closeHole = async () => {
    drop?.close();
    drop = null;
    const h = hole;
    hole = null;
    await h?.close();
  };

  const target: CheckTarget = {
    port,
    probes,
    async set(next) {
      mode = next;
      if (next.kind === 'blackhole') {
        if (useNft) {
          drop ??= dropSyns(port);
          return;
        }
        await unlisten();
        hole ??= await startBlackhole(port);
        return;
      }
      await closeHole();
      if (next.kind === 'down') await unlisten();
      else await listen();
    },
    async close() {
      await closeHole();
      await unlisten();
    },
  };
  await target.set(initial);
  return target;
}
