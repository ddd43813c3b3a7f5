import type net from 'node:net';
import { balance, Dispatch, type DispatchOwner, QUEUED, TAKEN } from '../backend/dispatch.ts';
import type { ServerConn } from '../backend/server-conn.ts';
import { nextSessionId, type ProxyRuntime, type StreamSummary } from '../engine/proxy-runtime.ts';
import { normalizeClientAddress } from '../http/forwardfor.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import { LogRecord } from '../log/log-record.ts';
import { RuleContext } from '../rules/context.ts';
import { type ClientTls, clientTlsOf } from '../tls/tls-info.ts';
import { logTcpSession, TcpLogState } from './tcp-log.ts';

/**
 * One client connection in `mode tcp`: dispatch to a server (backend/dispatch.ts: pick, connect,
 * `retries`), then move bytes both ways with backpressure and half-close. Timeouts as HAProxy:
 * `timeout client`/`server` are inactivity timers per side, `timeout tunnel` replaces both once the
 * connection is established, and once a side has been shut (its peer's FIN passed on), `timeout
 * client-fin`/`server-fin` bound how long it may stay idle.
 */
export class TcpSession implements DispatchOwner {
  private readonly px: ProxyRuntime;
  private readonly gate: ConnGate;
  private readonly client: net.Socket;
  /** the TLS facts of the client connection (ssl_fc* / ssl_c_* fetches); null on clear text */
  readonly tls: ClientTls | null;
  private readonly dispatch: Dispatch | null;
  private clientEnded = false;
  private serverEnded = false;
  private closed = false;
  /** what the access log needs (tcp-log.ts); counted always, it is a few additions */
  private readonly st = new TcpLogState();
  private readonly logRec: LogRecord | null = null;
  /** the stream number `show sess` prints */
  readonly id = nextSessionId();

  constructor(px: ProxyRuntime, client: net.Socket, gate: ConnGate) {
    this.px = px;
    this.gate = gate;
    this.client = client;
    this.tls = clientTlsOf(client);
    client.setNoDelay(true);
    if (px.tClient) client.setTimeout(px.tClient);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('end', () => this.onClientEnd());
    client.on('drain', () => {
      const conn = this.dispatch?.conn;
      if (conn?.socket.isPaused()) conn.socket.resume();
    });
    client.on('timeout', () => {
      this.st.terminate('c', 'D');
      this.close();
    });
    client.on('error', () => this.st.terminate('C', 'D'));
    client.on('close', () => this.close());
    px.sessions.add(this);
    px.frontend.counters.accept(this.st.tAccept);
    const lg = px.frontend.logger;
    if (lg !== null) {
      const rec = new LogRecord();
      rec.tls = this.tls;
      rec.clientIp = normalizeClientAddress(client.remoteAddress);
      rec.clientPort = client.remotePort ?? 0;
      rec.frontendIp = normalizeClientAddress(client.localAddress);
      rec.frontendPort = client.localPort ?? 0;
      if (lg.spec.custom !== null) {
        // a log-format's %[sample] reads the connection's layer-4 facts (src, dst, …) from a rule context
        const c = new RuleContext();
        c.src = rec.clientIp;
        c.srcPort = rec.clientPort;
        c.dst = rec.frontendIp;
        c.dstPort = rec.frontendPort;
        c.tls = this.tls;
        c.feName = px.fe.name;
        c.beName = px.be?.spec.name ?? px.fe.name;
        rec.ctx = c;
      }
      this.logRec = rec;
      lg.connect(rec.clientIp, rec.clientPort, rec.frontendIp, rec.frontendPort, px.fe.name, 'tcp');
    }
    const be = px.be;
    const clientAddress = client.remoteAddress ?? '';
    if (be === null) {
      this.st.terminate('S', 'C');
      this.dispatch = null;
      this.close();
      return;
    }
    // (null: every server is at its maxconn, and the connection waits in the backend queue)
    const server = balance(be, { clientAddress, exclude: null, request: null });
    this.dispatch = new Dispatch(this);
    const r = this.dispatch.begin(be, server, px.retries, false, clientAddress, this.st.tAccept);
    if (r === TAKEN) {
      this.st.tConnect = Date.now();
      this.dispatch.connect(null);
    } else if (r !== QUEUED) {
      this.st.terminate('S', 'C');
      this.close();
      return;
    }
    client.resume();
  }

  onDequeued(): void {
    if (this.closed) return;
    this.st.tConnect = Date.now();
    this.dispatch!.connect(null);
  }

  onQueueError(timeout: boolean): void {
    this.st.terminate(timeout ? 's' : 'S', timeout ? 'Q' : 'C');
    this.close();
  }

  private onClientData(chunk: Buffer): void {
    const d = this.dispatch;
    this.st.bytesIn += chunk.length;
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
    this.st.tConnected = Date.now();
    // the local address is only for the log's %bi/%bp: a getsockname(2), skipped when nothing logs
    if (this.logRec !== null) {
      this.st.connIp = normalizeClientAddress(conn.socket.localAddress);
      this.st.connPort = conn.socket.localPort ?? 0;
    }
    const px = this.px;
    if (this.logRec !== null && px.frontend.logger!.spec.logasap)
      logTcpSession(px, this.st, this.dispatch, this.logRec, true);
    if (px.tTunnel) {
      this.client.setTimeout(px.tTunnel);
      conn.socket.setTimeout(px.tTunnel);
    }
    const ok = this.dispatch!.connected();
    if (this.clientEnded) this.shutServer(conn);
    if (ok && this.client.isPaused()) this.client.resume();
  }

  onServerConnectError(conn: ServerConn, err: Error): void {
    if (!this.mine(conn)) return;
    if (!this.closed && this.dispatch!.retry(null, err)) return;
    this.st.terminate('S', 'C');
    this.close();
  }

  onServerData(conn: ServerConn, chunk: Buffer): void {
    if (!this.mine(conn)) return;
    this.st.bytesOut += chunk.length;
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
    if (!this.mine(conn)) return;
    this.st.terminate('s', 'D');
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const d = this.dispatch;
    if (d !== null && d.server !== null && this.st.tConnected >= 0) {
      const now = Date.now();
      const tc = this.st.tConnected - this.st.tAccept;
      this.px.be!.counters.addTimes(0, tc, -1, now - this.st.tAccept);
      d.server.counters.addTimes(0, tc, -1, now - this.st.tAccept);
    }
    if (this.logRec !== null) logTcpSession(this.px, this.st, this.dispatch, this.logRec);
    this.dispatch?.abort();
    this.dispatch?.end();
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

  summary(): StreamSummary {
    return {
      id: this.id,
      family: this.client.remoteFamily === 'IPv6' ? 6 : 4,
      src: normalizeClientAddress(this.client.remoteAddress),
      srcPort: this.client.remotePort ?? 0,
      frontend: this.px.fe.name,
      backend: this.px.be?.spec.name ?? '<NONE>',
      server: this.dispatch?.server?.spec.name ?? '<none>',
      since: this.st.tAccept,
    };
  }

  kill(): void {
    this.st.terminate('K', this.st.tConnected >= 0 ? 'D' : 'C');
    this.close();
  }

  usesServer(server: unknown): boolean {
    return this.dispatch?.conn?.server === server;
  }
}
