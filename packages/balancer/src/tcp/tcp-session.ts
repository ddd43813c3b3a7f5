import type net from 'node:net';
import { Dispatch } from '../backend/dispatch.ts';
import type { ServerConn, ServerConnOwner } from '../backend/server-conn.ts';
import type { ProxyRuntime } from '../engine/proxy-runtime.ts';
import type { ConnGate } from '../listen/conn-gate.ts';

/**
 * One client connection in `mode tcp`: dispatch to a server (backend/dispatch.ts: pick, connect,
 * `retries`), then move bytes both ways with backpressure and half-close. Timeouts as HAProxy:
 * `timeout client`/`server` are inactivity timers per side, `timeout tunnel` replaces both once the
 * connection is established, and once a side has been shut (its peer's FIN passed on), `timeout
 * client-fin`/`server-fin` bound how long it may stay idle.
 */
export class TcpSession implements ServerConnOwner {
  private readonly px: ProxyRuntime;
  private readonly gate: ConnGate;
  private readonly client: net.Socket;
  private readonly dispatch: Dispatch | null;
  private clientEnded = false;
  private serverEnded = false;
  private closed = false;
  /** accept and connect times, for the counters' ctime/ttime */
  private readonly tStart = Date.now();
  private tConnected = -1;

  constructor(px: ProxyRuntime, client: net.Socket, gate: ConnGate) {
    this.px = px;
    this.gate = gate;
    this.client = client;
    client.setNoDelay(true);
    if (px.tClient) client.setTimeout(px.tClient);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => {
      const conn = this.dispatch?.conn;
      if (conn?.socket.isPaused()) conn.socket.resume();
    });
    client.on('timeout', () => this.close());
    client.on('error', () => {});
    client.on('close', () => this.close());
    px.sessions.add(this);
    px.frontend.counters.accept(this.tStart);
    const be = px.be;
    const clientAddress = client.remoteAddress ?? '';
    const server = be ? be.lb.pick({ clientAddress, exclude: null, request: null }) : null;
    if (be === null || server === null) {
      this.dispatch = null;
      this.close();
      return;
    }
    this.dispatch = new Dispatch(this);
    this.dispatch.begin(be, server, px.retries, false, clientAddress, this.tStart);
    this.dispatch.connect(null);
    client.resume();
  }

  private onClientData(chunk: Buffer): void {
    const d = this.dispatch;
    this.countBytes(chunk.length, 0);
    if (d !== null && !d.send(chunk, this.px.bufsize)) this.client.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    // HAProxy (recorded here): once we shut the server's direction, the server has `timeout server-fin`
    // to finish; once we shut the client's direction, the client has `timeout client-fin`.
    const d = this.dispatch;
    if (d !== null && !d.connecting && d.conn !== null) this.shutServer(d.conn);
    if (this.serverEnded) this.close();
  }

  private shutServer(conn: ServerConn): void {
    if (this.px.tServerFin) conn.socket.setTimeout(this.px.tServerFin);
    conn.socket.end();
  }

  private mine(conn: ServerConn): boolean {
    return this.dispatch !== null && conn === this.dispatch.conn;
  }

  onServerConnect(conn: ServerConn): void {
    if (!this.mine(conn)) return;
    conn.reusable = false;
    this.tConnected = Date.now();
    const px = this.px;
    if (px.tTunnel) {
      this.client.setTimeout(px.tTunnel);
      conn.socket.setTimeout(px.tTunnel);
    }
    const ok = this.dispatch!.connected();
    if (this.clientEnded) this.shutServer(conn);
    if (ok && this.client.isPaused()) this.client.resume();
  }

  onServerConnectError(conn: ServerConn, _err: Error): void {
    if (!this.mine(conn)) return;
    if (!this.closed && this.dispatch!.retry()) return;
    this.close();
  }

  onServerData(conn: ServerConn, chunk: Buffer): void {
    if (!this.mine(conn)) return;
    this.countBytes(0, chunk.length);
    if (!this.client.write(chunk)) conn.socket.pause();
  }

  onServerEnd(conn: ServerConn): void {
    if (!this.mine(conn)) return;
    this.serverEnded = true;
    if (this.px.tClientFin) this.client.setTimeout(this.px.tClientFin);
    this.client.end();
    if (this.clientEnded) this.close();
  }

  onServerClose(conn: ServerConn): void {
    if (!this.mine(conn)) return;
    this.dispatch!.release();
    if (this.serverEnded) {
      // graceful close from the server: let our FIN to the client flush
      if (this.clientEnded) this.close();
      return;
    }
    this.close();
  }

  onServerDrain(conn: ServerConn): void {
    if (this.mine(conn) && this.client.isPaused()) this.client.resume();
  }

  onServerTimeout(conn: ServerConn): void {
    if (this.mine(conn)) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const d = this.dispatch;
    if (d !== null && d.server !== null && this.tConnected >= 0) {
      const now = Date.now();
      const tc = this.tConnected - this.tStart;
      this.px.be!.counters.addTimes(0, tc, -1, now - this.tStart);
      d.server.counters.addTimes(0, tc, -1, now - this.tStart);
    }
    d?.abort();
    d?.end();
    this.client.destroy();
    if (this.px.sessions.delete(this)) {
      this.px.frontend.counters.close();
      this.gate.release();
    }
  }

  /** Bytes in (from the client) and out (to it) on the frontend, the backend and the server. */
  private countBytes(bin: number, bout: number): void {
    const fc = this.px.frontend.counters;
    fc.bin += bin;
    fc.bout += bout;
    const srv = this.dispatch?.server;
    if (srv == null) return;
    const bc = this.px.be!.counters;
    bc.bin += bin;
    bc.bout += bout;
    srv.counters.bin += bin;
    srv.counters.bout += bout;
  }

  shutdown(): void {
    // TCP connections carry no request boundary: they keep running until the grace period ends
  }

  idle(): boolean {
    return false;
  }

  usesServer(server: unknown): boolean {
    return this.dispatch?.conn?.server === server;
  }
}
