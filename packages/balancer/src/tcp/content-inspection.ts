/**
 * The wait of one `mode tcp` connection for its `tcp-request content` rules to decide
 * (rules/tcp-content.ts): the client's bytes are held back and the rules evaluated on them each time
 * more arrive; a rule that needs bytes not there yet makes them wait, until `tcp-request
 * inspect-delay` ends, the client shuts its side or the buffer is full, when they are evaluated one
 * last time with every sample final. Without a delay they are final at once. The same wait holds a
 * server's bytes back for `tcp-response content` rules.
 */
import type { RuleContext } from '../rules/context.ts';
import { type Decision, inspectContent, type TcpContent, WAIT } from '../rules/tcp-content.ts';

export class ContentInspection {
  readonly tc: TcpContent;
  readonly ctx: RuleContext;
  private readonly limit: number;
  /** the server's bytes (tcp-response content) rather than the client's */
  private readonly response: boolean;
  private readonly done: (d: Decision) => void;
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | null = null;
  private over = false;

  constructor(
    tc: TcpContent,
    ctx: RuleContext,
    limit: number,
    done: (d: Decision) => void,
    response = false,
    /** bytes already held (a backend's rules after the frontend's) */
    held: Buffer | null = null,
  ) {
    this.response = response;
    if (held !== null) {
      this.chunks.push(held);
      this.size = held.length;
    }
    this.tc = tc;
    this.ctx = ctx;
    this.limit = limit;
    this.done = done;
  }

  /** The first evaluation (on no bytes yet), and the delay's timer. */
  begin(): void {
    if (this.tc.delay > 0) {
      this.timer = setTimeout(() => this.final(), this.tc.delay);
      this.timer.unref();
      this.evaluate(false);
    } else this.evaluate(true);
  }

  /** More bytes from the client; false when the buffer is full (stop reading: the rules decided). */
  add(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const full = this.size >= this.limit;
    this.evaluate(full);
    return !full;
  }

  /** Nothing more will count: the delay ended or the client shut its side. */
  final(): void {
    this.evaluate(true);
  }

  /**
   * The client's `timeout client` struck during the wait: the rules' final word, without going on
   * (HAProxy evaluates them final, then the read timeout ends the stream unless they rejected).
   */
  timedOut(): Decision {
    this.over = true;
    this.stop();
    const c = this.ctx;
    c.final = true;
    const d = inspectContent(this.tc, c);
    return d === WAIT ? 0 : d;
  }

  /** What was held back, in one buffer (null: nothing). */
  held(): Buffer | null {
    if (this.size === 0) return null;
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }

  stop(): void {
    this.over = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private evaluate(final: boolean): void {
    if (this.over) return;
    const c = this.ctx;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    const bytes = this.size === 0 ? null : this.chunks[0];
    if (this.response) c.resPayload = bytes;
    else c.payload = bytes;
    c.final = final;
    const d = inspectContent(this.tc, c);
    if (d === WAIT && !final) return;
    this.stop();
    // the decision is final for the use_backend rules that follow
    c.final = true;
    this.done(d === WAIT ? 0 : d);
  }
}
