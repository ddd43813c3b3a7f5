import type net from 'node:net';
import type { BackendState } from '../backend/backend.ts';
import { balance, Dispatch, type DispatchOwner, QUEUED, TAKEN } from '../backend/dispatch.ts';
import type { ServerConn } from '../backend/server-conn.ts';
import { nextSessionId, type ProxyRuntime, type StreamSummary } from '../engine/proxy-runtime.ts';
import { normalizeClientAddress } from '../http/forwardfor.ts';
import type { ConnGate } from '../listen/conn-gate.ts';
import { LogRecord } from '../log/log-record.ts';
import { NO_ENV, RuleContext } from '../rules/context.ts';
import { CLOSE, type Decision, REJECT, switchBackend } from '../rules/tcp-content.ts';
import { type ClientTls, clientTlsOf } from '../tls/tls-info.ts';
import { ContentInspection } from './content-inspection.ts';
import { logTcpSession, TcpLogState } from './tcp-log.ts';

/**
 * One client connection in `mode tcp`: dispatch to a server (backend/dispatch.ts: pick, connect,
 * `retries`), then move bytes both ways with backpressure and half-close. Timeouts as HAProxy:
 * `timeout client`/`server` are inactivity timers per side, `timeout tunnel` replaces both once the
 * connection is established, and once a side has been shut (its peer's FIN passed on), `timeout
 * client-fin`/`server-fin` bound how long it may stay idle.
 */
export class TcpSession implements DispatchOwner {
  /** the frontend and the backend serving it: the default one until use_backend chose */
  private px: ProxyRuntime;
  private readonly gate: ConnGate;
  private readonly client: net.Socket;
  /** the TLS facts of the client connection (ssl_fc* / ssl_c_* fetches); null on clear text */
  readonly tls: ClientTls | null;
  private dispatch: Dispatch | null = null;
  /** `tcp-request content` inspection in progress (tcp/content-inspection.ts); null: none or decided */
  private inspection: ContentInspection | null = null;
  /** `tcp-response content` inspection of the server's bytes in progress; null: none or decided */
  private resInspection: ContentInspection | null = null;
  private rctx: RuleContext | null = null;
  /** the backend's own content rules have run (or are running) */
  private beInspected = false;
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
      if (this.inspection !== null) return this.inspectionTimeout();
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
    const tc = px.fe.tcpContent ?? null;
    if (tc === null) {
      this.route(px.be, null);
      return;
    }
    const c = this.ruleContext();
    if (tc.rules.length === 0) {
      // use_backend alone: decided at once, on no content (HAProxy does not wait without content rules)
      this.route(this.backendFor(switchBackend(tc, c)), null);
      return;
    }
    this.inspection = new ContentInspection(tc, c, px.bufsize - px.maxrewrite, (d) => this.decided(d));
    this.inspection.begin();
    if (!this.closed) client.resume();
  }

  /** `timeout client` during the content rules' wait: PR if they reject, else cR (logged with the chosen backend). */
  private inspectionTimeout(): void {
    const ins = this.inspection!;
    this.inspection = null;
    if (ins.timedOut() === REJECT) {
      this.decidedReject();
      return;
    }
    const be = this.backendFor(switchBackend(ins.tc, ins.ctx));
    if (be !== this.px.be) this.px = this.px.frontend.pairFor(be);
    this.st.terminate('c', 'R');
    this.close();
  }

  private decidedReject(): void {
    this.px.frontend.counters.dreq++;
    // by the frontend's rules no backend was chosen: the log names the frontend; by a backend's, that backend
    if (this.beInspected) this.px.be!.counters.dreq++;
    else this.px = this.px.frontend.pairFor(null);
    this.st.terminate('P', 'R');
    this.close();
  }

  /** The rule context of this connection's content rules (the log-format's when it has one). */
  private ruleContext(): RuleContext {
    if (this.rctx !== null) return this.rctx;
    const c = this.logRec?.ctx ?? new RuleContext();
    const client = this.client;
    c.env = this.px.frontend.ruleEnv ?? NO_ENV;
    c.src = normalizeClientAddress(client.remoteAddress);
    c.srcPort = client.remotePort ?? 0;
    c.dst = normalizeClientAddress(client.localAddress);
    c.dstPort = client.localPort ?? 0;
    c.tls = this.tls;
    c.feName = this.px.fe.name;
    c.beName = this.px.be?.spec.name ?? this.px.fe.name;
    this.rctx = c;
    return c;
  }

  /** The tcp-response content rules decided: pass on what the server sent, close after it, or cut (`PD`). */
  private responseDecided(d: Decision): void {
    const ins = this.resInspection!;
    this.resInspection = null;
    if (this.closed) return;
    const conn = this.dispatch?.conn ?? null;
    if (d === REJECT) {
      this.px.be!.counters.dresp++;
      this.px.frontend.counters.dresp++;
      this.st.terminate('P', 'D');
      this.close();
      return;
    }
    const held = ins.held();
    if (held !== null && !this.client.write(held)) conn?.socket.pause();
    if (d === CLOSE) {
      // HAProxy closes the server's side; the client gets what came, then our FIN
      this.serverEnded = true;
      this.client.end();
      conn?.socket.destroy();
      return;
    }
    if (this.serverEnded) {
      this.client.end();
      if (this.clientEnded) this.close();
    }
  }

  /** The content rules decided (tcp/content-inspection.ts): connect, or close as HAProxy's `PR`. */
  private decided(d: Decision): void {
    const ins = this.inspection!;
    this.inspection = null;
    if (this.closed) return;
    if (d === REJECT) {
      this.decidedReject();
      return;
    }
    this.route(this.beInspected ? this.px.be : this.backendFor(switchBackend(ins.tc, ins.ctx)), ins.held());
  }

  /**
   * To backend `be`: through its own content rules first when it has some (HAProxy's backend
   * inspection, after switching), then to a server, the bytes held so far first.
   */
  private route(be: BackendState | null, held: Buffer | null): void {
    if (be !== this.px.be) this.px = this.px.frontend.pairFor(be);
    const br = be?.spec.tcpRequest ?? null;
    if (br !== null && !this.beInspected) {
      this.beInspected = true;
      const c = this.ruleContext();
      c.beName = be!.spec.name;
      const px = this.px;
      this.inspection = new ContentInspection(
        br,
        c,
        px.bufsize - px.maxrewrite,
        (d) => this.decided(d),
        false,
        held,
      );
      this.inspection.begin();
      if (this.clientEnded) this.inspection?.final();
      else if (!this.closed) this.client.resume();
      return;
    }
    this.start(be);
    if (this.closed) return;
    if (held !== null && this.dispatch !== null) {
      // the frontend counted them as they came; the backend and server count them now
      this.countBytes(0, 0, held.length);
      if (!this.dispatch.send(held, this.px.bufsize)) this.client.pause();
    }
    if (this.clientEnded) this.onClientEnd();
  }

  /** The backend use_backend named (it exists: checked at start-up, else the default backend). */
  private backendFor(name: string | null): BackendState | null {
    if (name === null) return this.px.be;
    const be = this.px.frontend.ruleEnv?.backend(name) ?? null;
    return be !== null && be.spec.mode === 'tcp' ? be : this.px.be;
  }

  /** Dispatches the connection to `be` (null: no backend, closed as HAProxy's `SC`). */
  private start(be: BackendState | null): void {
    const client = this.client;
    if (be !== this.px.be) this.px = this.px.frontend.pairFor(be);
    const clientAddress = client.remoteAddress ?? '';
    if (be === null) {
      this.st.terminate('S', 'C');
      this.close();
      return;
    }
    // (null: every server is at its maxconn, and the connection waits in the backend queue)
    const server = balance(be, { clientAddress, exclude: null, request: null });
    this.dispatch = new Dispatch(this);
    const r = this.dispatch.begin(be, server, this.px.retries, false, clientAddress, this.st.tAccept);
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
    if (this.inspection !== null) {
      // held back until the content rules decide (a full buffer makes them decide)
      if (!this.inspection.add(chunk)) this.client.pause();
      return;
    }
    if (d !== null && !d.send(chunk, this.px.bufsize)) this.client.pause();
  }

  private onClientEnd(): void {
    this.clientEnded = true;
    // the content rules decide on what came (HAProxy: a shut input makes every sample final)
    if (this.inspection !== null) {
      this.inspection.final();
      return;
    }
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
    const tr = this.px.be?.spec.tcpResponse ?? null;
    if (tr !== null) {
      const c = this.ruleContext();
      c.beName = this.px.be!.spec.name;
      c.srvName = this.dispatch!.server?.spec.name ?? '';
      this.resInspection = new ContentInspection(
        tr,
        c,
        px.bufsize - px.maxrewrite,
        (d) => this.responseDecided(d),
        true,
      );
      this.resInspection.begin();
      if (this.closed) return;
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
    if (this.resInspection !== null) {
      // held back until the tcp-response content rules decide
      if (!this.resInspection.add(chunk)) conn.socket.pause();
      return;
    }
    if (!this.client.write(chunk)) conn.socket.pause();
  }

  onServerEnd(conn: ServerConn): void {
    if (!this.mine(conn)) return;
    this.serverEnded = true;
    if (this.resInspection !== null) {
      // the server shut its side: the response rules decide on what came (responseDecided ends the client)
      this.resInspection.final();
      return;
    }
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
    this.inspection?.stop();
    this.resInspection?.stop();
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
  private countBytes(bin: number, bout: number, held = 0): void {
    const fc = this.px.frontend.counters;
    fc.bin += bin;
    fc.bout += bout;
    const srv = this.dispatch?.server;
    if (srv == null) return;
    const bc = this.px.be!.counters;
    bc.bin += bin + held;
    bc.bout += bout;
    srv.counters.bin += bin + held;
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
