import type net from 'node:net';
import type { ServerState } from '../backend/server.ts';
import { ServerConn, type ServerConnOwner } from '../backend/server-conn.ts';
import type { ProxyRuntime } from '../engine/proxy-runtime.ts';
import { normalizeClientAddress } from '../http/forwardfor.ts';
import type { ConnGate } from '../listen/conn-gate.ts';

/**
 * One client connection in `mode tcp`: connect to a server (with `retries`), then move bytes both ways
 * with backpressure and half-close. Timeouts as HAProxy: `timeout client`/`server` are inactivity timers
 * per side, `timeout tunnel` replaces both once the connection is established, and after a side sent its
 * FIN, `timeout client-fin`/`server-fin` apply to it.
 */
export class TcpSession implements ServerConnOwner {
  private readonly px: ProxyRuntime;
  private readonly gate: ConnGate;
  private readonly client: net.Socket;
  private srv: ServerConn | null = null;
  private server: ServerState | null = null;
  private attempts = 0;
  private pending: Buffer[] | null = [];
  private pendingBytes = 0;
  private clientEnded = false;
  private serverEnded = false;
  private closed = false;

  constructor(px: ProxyRuntime, client: net.Socket, gate: ConnGate) {
    this.px = px;
    this.gate = gate;
    this.client = client;
    client.setNoDelay(true);
    if (px.tClient) client.setTimeout(px.tClient);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => {
      if (this.srv?.socket.isPaused()) this.srv.socket.resume();
    });
    client.on('timeout', () => this.close());
    client.on('error', () => {});
    client.on('close', () => this.close());
    px.sessions.add(this);
    const be = px.be;
    const server = be
      ? be.lb.pick({ clientAddress: normalizeClientAddress(client.remoteAddress), exclude: null })
      : null;
    if (server === null) {
      this.close();
      return;
    }
    this.server = server;
    this.connect();
    client.resume();
  }

  private connect(): void {
    this.attempts++;
    this.srv = new ServerConn(this.server!, this.px.be!, this);
  }

  private onClientData(chunk: Buffer): void {
    if (this.pending !== null) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > this.px.bufsize) this.client.pause();
      return;
    }
    const srv = this.srv;
    if (srv !== null && !srv.socket.write(chunk)) this.client.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    // HAProxy (recorded here): once we shut the server's direction, the server has `timeout server-fin`
    // to finish; once we shut the client's direction, the client has `timeout client-fin`.
    if (this.pending === null && this.srv !== null) this.shutServer(this.srv);
    if (this.serverEnded) this.close();
  }

  onServerConnect(conn: ServerConn): void {
    if (conn !== this.srv) return;
    conn.reusable = false;
    const px = this.px;
    if (px.tTunnel) {
      this.client.setTimeout(px.tTunnel);
      conn.socket.setTimeout(px.tTunnel);
    }
    const p = this.pending!;
    this.pending = null;
    this.pendingBytes = 0;
    for (const b of p) conn.socket.write(b);
    if (this.clientEnded) this.shutServer(conn);
    if (this.client.isPaused()) this.client.resume();
  }

  private shutServer(conn: ServerConn): void {
    if (this.px.tServerFin) conn.socket.setTimeout(this.px.tServerFin);
    conn.socket.end();
  }

  onServerConnectError(conn: ServerConn, _err: Error): void {
    if (conn !== this.srv) return;
    this.srv = null;
    if (this.attempts <= this.px.retries && !this.closed) {
      this.connect();
      return;
    }
    this.close();
  }

  onServerData(conn: ServerConn, chunk: Buffer): void {
    if (conn !== this.srv) return;
    if (!this.client.write(chunk)) conn.socket.pause();
  }

  onServerEnd(conn: ServerConn): void {
    if (conn !== this.srv) return;
    this.serverEnded = true;
    if (this.px.tClientFin) this.client.setTimeout(this.px.tClientFin);
    this.client.end();
    if (this.clientEnded) this.close();
  }

  onServerClose(conn: ServerConn): void {
    if (conn !== this.srv) return;
    this.srv = null;
    if (this.serverEnded) {
      // graceful close from the server: let our FIN to the client flush
      if (this.clientEnded) this.close();
      return;
    }
    this.close();
  }

  onServerDrain(conn: ServerConn): void {
    if (conn === this.srv && this.client.isPaused()) this.client.resume();
  }

  onServerTimeout(conn: ServerConn): void {
    if (conn === this.srv) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const srv = this.srv;
    this.srv = null;
    if (srv) {
      srv.owner = null;
      srv.socket.destroy();
    }
    this.client.destroy();
    if (this.px.sessions.delete(this)) this.gate.release();
  }

  shutdown(): void {
    // TCP connections carry no request boundary: they keep running until the grace period ends
  }

  idle(): boolean {
    return false;
  }
}
