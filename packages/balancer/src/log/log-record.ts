/**
 * The per-exchange log record: what an access-log line says about one HTTP request or one TCP
 * connection, in HAProxy's terms. The sessions fill it when the exchange ends (http/http-log.ts,
 * tcp/tcp-session.ts) and every formatter reads only this: the built-in formats (access-formats.ts)
 * and the `log-format` engine of the rules module (its `%ci`, `%Ta`, `%tsc`, … are these fields).
 * One record per session, reused: no allocation per request beyond the line itself.
 *
 * Timers are HAProxy 2.6's (doc/configuration.txt §8.4), in ms, -1 when the phase was not reached:
 *   Th  accept → connection ready (0: no TLS handshake here)
 *   Ti  idle time before the first byte of the request (keep-alive wait, or since the accept)
 *   TR  first byte → complete request head
 *   Tw  time in queues (0: no queues yet)
 *   Tc  time to establish the server connection (0 for a reused one)
 *   Tr  server connection ready / request sent → response head
 *   Ta  active time: first byte of the request → end of the response
 *   Tt  total: accept (or the previous request's end) → end; Tt = Th + Ti + Ta
 */
import type { RuleContext } from '../rules/context.ts';
import type { ClientTls } from '../tls/tls-info.ts';

const NO_CAPTURES: readonly (string | null)[] = [];

/** HAProxy's uniq_id: every stream (HTTP request or TCP connection) of the process takes the next one. */
let streams = 0;
export const nextStreamId = (): number => streams++;

export class LogRecord {
  mode: 'http' | 'tcp' = 'http';
  /** %ci %cp: client address (IPv4-mapped shown as IPv4, as HAProxy) and port */
  clientIp = '';
  clientPort = 0;
  /** %fi %fp: the address and port the client connected to */
  frontendIp = '';
  frontendPort = 0;
  /** %f %b %s: frontend, backend (the frontend's name when none was chosen), server (`<NOSRV>`) */
  frontend = '';
  /** the client connection's TLS facts: %ft prints the frontend as `NAME~`, httpslog its TLS fields */
  tls: ClientTls | null = null;
  backend = '';
  server = '<NOSRV>';
  /** %t: accept date (ms since the epoch; the start of the request's stream for keep-alive requests) */
  acceptDate = 0;
  /** %tr: the date the request started (acceptDate + Th + Ti) */
  requestDate = 0;
  Th = 0;
  Ti = 0;
  TR = -1;
  Tw = -1;
  Tc = -1;
  Tr = -1;
  Ta = 0;
  Tt = 0;
  /** %ST: status sent to the client (0: none) */
  status = 0;
  /** %B: bytes sent to the client (head and body); %U: bytes received from it */
  bytesOut = 0;
  bytesIn = 0;
  /** %ts: two characters, who ended the exchange and in which phase (`--`, `SC`, `cD`, …) */
  termCause = '-';
  termPhase = '-';
  /** %tsc's last two: persistence cookie of the request (N I D V E O U) and of the response (N P D I R U); '-' without cookie persistence */
  cookieReq = '-';
  cookieRes = '-';
  /** %ac %fc %bc %sc: connections of the process, frontend, backend, server, at log time */
  actconn = 0;
  feconn = 0;
  beconn = 0;
  srvconn = 0;
  /** %rc: retries; %rc is printed `+N` when the exchange was redispatched */
  retries = 0;
  redispatched = false;
  /** %sq %bq: queue positions (no queues yet: 0) */
  srvQueue = 0;
  beQueue = 0;
  /** %r: the request line as received (`<BADREQ>` when none could be read) */
  requestLine = '';
  /** %bi %bp: the local address of the server connection; %si %sp: the server's address ('' / 0: none) */
  backendIp = '';
  backendPort = 0;
  serverIp = '';
  serverPort = 0;
  /** %ID: the request's unique id (`unique-id-format`), '' when none */
  uniqueId = '';
  /** %rt: the process-wide stream counter of this exchange (HAProxy's uniq_id) */
  requestCounter = 0;
  /** %hr %hrl / %hs %hsl: the frontend's header captures (the rule context's arrays), empty without */
  reqCaptures: readonly (string | null)[] = NO_CAPTURES;
  resCaptures: readonly (string | null)[] = NO_CAPTURES;
  /** what `%[sample]` expressions of a log-format read (the session's rule context); null without rules */
  ctx: RuleContext | null = null;
  /** `http-request set-log-level`: the level this exchange logs at (-1: the proxy's choice) */
  level = -1;
  /** %lc: lines this frontend logged before this one (set by the logger) */
  logCount = 0;
  /** `option logasap`: logged at the response head, Ta/Tt and %B so far, printed with a leading `+` */
  asap = false;
  /** the exchange ended with an error (HAProxy's "error" for dontlog-normal / log-separate-errors) */
  error = false;
}
