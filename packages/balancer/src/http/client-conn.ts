/**
 * The client side an HttpSession talks to: a socket for HTTP/1.1, or one HTTP/2 stream made to look
 * like one (http/h2-stream-client.ts). One request path, two framings: the session reads HTTP/1.1
 * bytes and writes HTTP/1.1 bytes either way; a net.Socket is a ClientConn as it is.
 */
export interface ClientConn {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly destroyed: boolean;
  readonly writable: boolean;
  readonly writableNeedDrain: boolean;
  write(data: Buffer): boolean;
  end(): unknown;
  end(data: Buffer): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  setTimeout(ms: number): unknown;
  setNoDelay(on: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'drain' | 'timeout' | 'error' | 'close', listener: () => void): unknown;
}

/**
 * What a session learns from the connection that carries it when its client is a stream of a
 * multiplexed connection (HTTP/2): that connection owns the accept, the counters of connections, the
 * gate slot and the timeouts of the client side; the session owns the one exchange.
 */
export interface StreamCarrier {
  /** requests the connection carried before this one (`http-reuse safe` shares after the first) */
  readonly requestsBefore: number;
  /** the request has a body of unknown length: it goes to the server chunked, as HAProxy sends it */
  readonly chunkedBody: boolean;
  /** the request line as the logs show it (`GET /a HTTP/2.0`) */
  readonly logLine: string;
  /**
   * an extended CONNECT (RFC 8441) sent on as an HTTP/1.1 Upgrade to this protocol: its `upgrade` and
   * `connection` fields stay where the request put them, as HAProxy sends them; null otherwise
   */
  readonly upgradeTo: string | null;
  /** the request's `:scheme` and `:authority` (an HTTP/2 server gets them as they came), null without authority */
  readonly origin: { scheme: string; authority: string } | null;
  /** a WebSocket key made up for it (sent last; the server's accept must match), null when none */
  readonly wsKey: string | null;
  /** the session is over (counted and logged): the connection forgets it; called once or more */
  ended(): void;
}
