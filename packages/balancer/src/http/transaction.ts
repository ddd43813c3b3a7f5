/**
 * One HTTP request and its response: what the session knows about the exchange in flight, separate
 * from the client connection that carries it (http-session.ts). It holds the request's framing and
 * flags, the response's progress, its timers in HAProxy's log terms, byte counts and how it ended
 * (HAProxy's two-letter termination state), which the logging, stats and rule engines read.
 *
 * A session keeps one Transaction and resets it for each request: no allocation per request.
 */
import { CookieExchange } from '../backend/persistence/cookie-persistence.ts';
import { BodyFraming } from './body-framing.ts';

/**
 * First letter of HAProxy's termination state: who or what ended the exchange (`-` normally).
 * C client abort, S server abort or error, P proxy (invalid or denied), L answered locally (return,
 * redirect, auth), R resource, I internal,
 * D server down, K killed (runtime API), c client timeout, s server timeout.
 */
export type TerminationCause = '-' | 'C' | 'S' | 'P' | 'L' | 'R' | 'I' | 'D' | 'K' | 'c' | 's';
/** Second letter: where the exchange was. R request, Q queue, C connect, H headers, D data, L last, T tarpit. */
export type TerminationPhase = '-' | 'R' | 'Q' | 'C' | 'H' | 'D' | 'L' | 'T';

/** HAProxy's timers for one request, in ms (-1 when that phase was never reached), as `%Tq %Tw %Tc %Tr %Tt`. */
export interface TransactionTimers {
  /** time to receive the complete request head (from the accept, or from the end of the previous response) */
  Tq: number;
  /** time waiting in queues */
  Tw: number;
  /** time to establish the server connection */
  Tc: number;
  /** time for the server to send the response head */
  Tr: number;
  /** total */
  Tt: number;
}

/** `set-log-level silent`: the exchange is not logged. */
export const LOG_SILENT = -2;

export class Transaction {
  // ---- request
  isHead = false;
  http10 = false;
  wantsUpgrade = false;
  isConnect = false;
  /** the client connection closes after this exchange (Connection: close, HTTP/1.0, TE+CL, stopping) */
  closeAfter = false;
  readonly reqBody = new BodyFraming();
  /** the request head as sent, kept when the request has no body so it can be replayed */
  replay: Buffer | null = null;
  /** what the request's persistence cookie said (reset by the cookie step itself, when configured) */
  readonly cookie = new CookieExchange();
  // ---- response
  readonly resBody = new BodyFraming();
  /** response bytes waiting for a complete head */
  resbuf: Buffer | null = null;
  resStarted = false;
  resHeadDone = false;
  /** the client connection stays open after the response */
  keepClient = true;
  status = 0;
  // ---- accounting
  bytesIn = 0;
  /** response bytes as HAProxy counts them (%B): the head's HTX size (htx-size.ts), then body bytes */
  bytesOut = 0;
  /** connection retries on the same server and redispatches to another (the dispatch step counts them) */
  retries = 0;
  redispatches = 0;
  cause: TerminationCause = '-';
  phase: TerminationPhase = '-';
  // ---- timestamps (Date.now() ms; -1 = not reached)
  tStart = -1;
  /** the first byte of the request head arrived (HAProxy's end of Ti, start of TR and Ta) */
  tFirstByte = -1;
  tRequest = -1;
  tConnect = -1;
  tConnected = -1;
  tResponse = -1;
  tEnd = -1;
  // ---- logging (http/http-log.ts): set only when the frontend logs
  /** the request line as received, '' until a head is parsed */
  requestLine = '';
  /** the access line of this exchange was sent (or it must not be: monitor-uri) */
  logged = false;
  /** %rt: the stream number (HAProxy's uniq_id), taken when the request's first byte arrives */
  uniqId = 0;
  /** %ID: `unique-id-format` evaluated for this request ('' without) */
  uniqueId = '';
  /** %bi %bp: the local address of the server connection, once connected */
  connIp = '';
  connPort = 0;
  /**
   * `set-log-level`: the syslog severity of this exchange's access line (0 emerg … 7 debug), LOG_SILENT
   * for no line at all, -1 when no rule set it (the logger decides: info, or err with log-separate-errors)
   */
  logLevel = -1;

  /** A new request starts being read at `now` (the accept, or the end of the previous exchange). */
  reset(now: number): void {
    this.isHead = false;
    this.http10 = false;
    this.wantsUpgrade = false;
    this.isConnect = false;
    this.closeAfter = false;
    this.replay = null;
    this.resbuf = null;
    this.resStarted = false;
    this.resHeadDone = false;
    this.keepClient = true;
    this.status = 0;
    this.bytesIn = 0;
    this.bytesOut = 0;
    this.retries = 0;
    this.redispatches = 0;
    this.cause = '-';
    this.phase = '-';
    this.tStart = now;
    this.tFirstByte = -1;
    this.tRequest = -1;
    this.tConnect = -1;
    this.tConnected = -1;
    this.tResponse = -1;
    this.tEnd = -1;
    this.requestLine = '';
    this.logged = false;
    this.uniqueId = '';
    this.connIp = '';
    this.connPort = 0;
    this.logLevel = -1;
  }

  /** Records the first reason the exchange ended abnormally (later ones are consequences). */
  terminate(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.cause !== '-') return;
    this.cause = cause;
    this.phase = phase;
  }

  /** The termination state as HAProxy logs its first two characters (`--`, `SC`, `cR`, …). */
  terminationState(): string {
    return `${this.cause}${this.phase}`;
  }

  timers(): TransactionTimers {
    const since = (from: number, to: number) => (from < 0 || to < 0 ? -1 : to - from);
    return {
      Tq: since(this.tStart, this.tRequest),
      // from the end of the request head to the server slot (time in the queues)
      Tw: since(this.tRequest, this.tConnect < 0 ? -1 : this.tConnect),
      Tc: since(this.tConnect, this.tConnected),
      Tr: since(this.tConnected, this.tResponse),
      Tt: since(this.tStart, this.tEnd),
    };
  }
}
