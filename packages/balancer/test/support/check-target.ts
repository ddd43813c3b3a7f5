/**
 * A server that health checks probe, whose behaviour a test switches at run time on a fixed port:
 * not listening (connection refused), accepting only (a pure TCP check passes), answering every
 * request with a given HTTP status / raw bytes, accepting and never answering (read timeouts), or
 * closing right after the request. It records what each connection sent and when it arrived.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

export type TargetMode =
  | { kind: 'down' }
  | { kind: 'accept' }
  | { kind: 'http'; status: number; reason?: string; body?: string }
  | { kind: 'raw'; reply: string; onConnect?: boolean }
  | { kind: 'silent' }
  | { kind: 'close' }
  /** a listener whose accept queue is full: SYNs go unanswered (connect timeouts on loopback) */
  | { kind: 'blackhole' };

export interface Probe {
  /** Date.now() when the connection was accepted */
  at: number;
  bytes: string;
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
  const sockets = new Set<net.Socket>();
  let mode: TargetMode = initial;
  let server: net.Server | null = null;
  let hole: ChildProcess | null = null;

  const onConn = (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const probe: Probe = { at: Date.now(), bytes: '' };
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
      const complete = probe.bytes.includes('\r\n\r\n') || m.kind === 'raw';
      if (!complete) return;
      const reply = replyOf(m);
      if (reply === null) return;
      // a request with a body is answered once the declared body is in
      const cl = /\r\ncontent-length: *(\d+)/i.exec(probe.bytes);
      const headEnd = probe.bytes.indexOf('\r\n\r\n') + 4;
      if (cl && probe.bytes.length < headEnd + Number(cl[1])) return;
      answered = true;
      sock.end(reply);
    });
    // a peer that closes gets a close back (no half-open connection outlives a check or a probe)
    if (m.kind !== 'silent') sock.on('end', () => sock.end());
  };

  const listen = async () => {
    if (server !== null) return;
    const s = net.createServer({ allowHalfOpen: true }, onConn);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
    });
    server = s;
  };
  const unlisten = async () => {
    const s = server;
    if (s === null) return;
    server = null;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  // Node accepts eagerly, so the never-accepting listener is a small Python process (backlog 0, filled).
  const openHole = async () => {
    const script =
      'import socket,sys,time\ns=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n' +
      `s.bind(("127.0.0.1",${port}));s.listen(0)\nfill=[]\n` +
      'for _ in range(3):\n  c=socket.socket();c.setblocking(False);c.connect_ex(("127.0.0.1",' +
      `${port}));fill.append(c)\nprint("ready",flush=True)\ntime.sleep(120)\n`;
    const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    hole = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`blackhole on ${port} exited (${code})`)));
    });
  };
  const closeHole = async () => {
    const child = hole;
    if (child === null) return;
    hole = null;
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
  };

  const target: CheckTarget = {
    port,
    probes,
    async set(next) {
      mode = next;
      if (next.kind === 'blackhole') {
        await unlisten();
        if (hole === null) await openHole();
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
