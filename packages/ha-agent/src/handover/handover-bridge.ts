// One instance's handover bridge at run time: gathers what decideBridge() needs, installs the rules
// before the instance resigns, and feeds adverts, deadlines and connection counts to stepBridge(),
// carrying out what it answers. Host effects go through BridgeHost, time through the Clock.
import type { HandoverStatus } from '../api/status-schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { type BridgeHost, handoverMark, handoverTable } from '../net/handover-nft.ts';
import {
  type BridgeAction,
  type BridgeContext,
  type BridgeEvent,
  type BridgeOutcome,
  type BridgePhase,
  type BridgeTiming,
  decideBridge,
  type PortRange,
  startBridge,
  stepBridge,
} from './bridge-plan.ts';

/** A peer that does not accept a connection this fast is not one to forward to (a LAN round trip is < 1 ms). */
const PROBE_TIMEOUT_MS = 100;
/** how often the connections open through the bridge are counted */
const COUNT_EVERY_MS = 100;

export interface HandoverBridgeOptions {
  instance: string;
  vrid: number;
  /** where the VIPs live (their forwarding switch is this interface's) */
  dev: string;
  vips: readonly string[];
  peer: string;
  /** handover_drain, ms */
  drainMs: number;
  host: BridgeHost;
  clock: Clock;
  logger: Logger;
  /** the instance removes its VIPs now (the peer has them) */
  removeVips: () => void;
}

export interface BeginContext {
  state: BridgeContext['state'];
  ownAddresses: readonly string[];
  ports: readonly PortRange[];
  /** the longest wait for the peer to advertise as MASTER: Master_Down_Interval */
  takeoverMs: number;
}

export class HandoverBridge {
  readonly #o: HandoverBridgeOptions;
  readonly #table: string;
  readonly #mark: number;
  #phase: BridgePhase | null = null;
  #timing: BridgeTiming = { takeoverMs: 0, drainMs: 0 };
  #ports: readonly PortRange[] = [];
  #restoreForwarding: (() => Promise<void>) | null = null;
  #deadlineTimer: unknown = null;
  #countTimer: unknown = null;
  #peerResignedAt: number | null = null;
  #open: number | null = null;
  #peak = 0;
  #startedAt: number | null = null;
  #last: { at: string; outcome: BridgeOutcome; reason: string } | null = null;
  readonly #outcomes: Record<string, number> = {};
  /** every host change in order */
  #queue: Promise<void> = Promise.resolve();

  constructor(o: HandoverBridgeOptions) {
    this.#o = o;
    this.#table = handoverTable(o.instance);
    this.#mark = handoverMark(o.vrid);
  }

  /** forwarding or draining */
  get active(): boolean {
    return this.#phase !== null && this.#phase.phase !== 'done';
  }

  /** the VIPs stay until the peer advertises as MASTER */
  get holdsVips(): boolean {
    return this.#phase?.phase === 'forwarding';
  }

  /** At start: a table a crashed agent left behind goes. */
  async clearLeftover(): Promise<void> {
    await this.#o.host.remove(this.#table).catch(() => {});
  }

  /**
   * Called while MASTER, before the fault is acted on: true when the rules are in (the caller then
   * resigns, keeping its VIPs until the peer advertises); false: resign as keepalived would.
   */
  async begin(c: BeginContext): Promise<boolean> {
    const o = this.#o;
    const now = o.clock.now();
    const timing = { takeoverMs: c.takeoverMs, drainMs: o.drainMs };
    const ctx: BridgeContext = {
      state: c.state,
      peer: o.peer,
      ownAddresses: c.ownAddresses,
      ports: c.ports,
      bridging: this.active,
      peerResignedAgoMs: this.#peerResignedAt === null ? null : now - this.#peerResignedAt,
      holdMs: c.takeoverMs + o.drainMs,
    };
    let verdict = decideBridge(ctx);
    if (verdict.action === 'probe') {
      const answers = await o.host.probe(o.peer, c.ports[0][0], PROBE_TIMEOUT_MS);
      verdict = decideBridge({ ...ctx, peerAnswers: answers });
    }
    if (verdict.action === 'resign') {
      o.logger.info({ peer: o.peer, reason: verdict.reason }, 'handover bridge not installed: plain resign');
      return false;
    }
    try {
      this.#restoreForwarding = await o.host.enableForwarding(o.dev);
    } catch (err) {
      o.logger.warn(
        { err: (err as Error).message, dev: o.dev },
        `handover bridge not installed: cannot turn IPv4 forwarding on (set net.ipv4.conf.${o.dev}.forwarding=1 in /etc/sysctl.d)`,
      );
      return false;
    }
    try {
      await o.host.install({
        table: this.#table,
        mark: this.#mark,
        vips: o.vips,
        ports: c.ports,
        peer: o.peer,
      });
    } catch (err) {
      o.logger.error({ err: (err as Error).message }, 'handover bridge not installed: nft failed');
      await this.#putForwardingBack();
      return false;
    }
    this.#timing = timing;
    this.#ports = c.ports;
    this.#open = 0;
    this.#peak = 0;
    this.#startedAt = Date.now();
    this.#phase = startBridge(o.peer, o.clock.now(), timing);
    o.logger.info(
      { peer: o.peer, ports: portText(c.ports), table: this.#table },
      `handover bridge: forwarding new connections to ${o.peer} until it advertises as MASTER`,
    );
    this.#armDeadline();
    this.#armCount();
    return true;
  }

  /** Every advert the instance hears. */
  noteAdvert(src: string, priority: number): void {
    if (src === this.#o.peer && priority === 0) this.#peerResignedAt = this.#o.clock.now();
    if (this.active) this.#feed({ type: 'advert', src, priority, now: this.#o.clock.now() });
  }

  /** The instance is MASTER again, or stops: the rules go at once. */
  async abort(reason: string): Promise<void> {
    if (this.active) this.#feed({ type: 'abort', reason });
    await this.#queue;
  }

  status(): HandoverStatus {
    const p = this.#phase;
    const active = p !== null && p.phase !== 'done';
    return {
      peer: this.#o.peer,
      phase: active ? p.phase : 'off',
      since: active && this.#startedAt !== null ? new Date(this.#startedAt).toISOString() : null,
      ports: active ? portText(this.#ports) : [],
      openConnections: active ? this.#open : null,
      peakConnections: this.#peak,
      outcomes: { ...this.#outcomes },
      last: this.#last,
    };
  }

  #feed(ev: BridgeEvent): void {
    if (!this.#phase) return;
    const before = this.#phase.phase;
    const step = stepBridge(this.#phase, ev, this.#timing);
    this.#phase = step.next;
    if (step.next.phase !== before && step.next.phase !== 'done') {
      this.#o.logger.info({ peer: this.#o.peer }, `handover bridge: ${this.#o.peer} is MASTER, draining`);
      this.#armDeadline();
    }
    for (const a of step.actions) this.#run(a);
    if (step.next.phase === 'done') {
      const { outcome, reason } = step.next;
      this.#outcomes[outcome] = (this.#outcomes[outcome] ?? 0) + 1;
      this.#last = { at: new Date().toISOString(), outcome, reason };
      this.#o.logger.info({ outcome, peak: this.#peak }, `handover bridge removed: ${reason}`);
      this.#clearTimers();
    }
  }

  #run(a: BridgeAction): void {
    switch (a) {
      case 'removeVips':
        this.#o.removeVips();
        return;
      case 'watchDrain':
        return; // the count runs for the whole bridge; draining only changes what it decides
      case 'removeRules':
        this.#queue = this.#queue
          .then(() => this.#o.host.remove(this.#table))
          .catch((err) => this.#o.logger.error({ err: String(err) }, 'handover bridge: nft delete failed'))
          .then(() => this.#putForwardingBack());
        return;
    }
  }

  async #putForwardingBack(): Promise<void> {
    const restore = this.#restoreForwarding;
    this.#restoreForwarding = null;
    await restore?.().catch((err) =>
      this.#o.logger.warn({ err: String(err) }, 'handover bridge: could not restore IPv4 forwarding'),
    );
  }

  #armDeadline(): void {
    const c = this.#o.clock;
    if (this.#deadlineTimer !== null) c.clearTimeout(this.#deadlineTimer);
    const p = this.#phase;
    if (!p || p.phase === 'done') return;
    this.#deadlineTimer = c.setTimeout(
      () => {
        this.#deadlineTimer = null;
        this.#feed({ type: 'deadline', now: c.now() });
      },
      Math.max(0, p.deadlineMs - c.now()),
    );
  }

  #armCount(): void {
    const c = this.#o.clock;
    this.#countTimer = c.setTimeout(async () => {
      this.#countTimer = null;
      if (!this.active) return;
      const n = await this.#o.host.liveConnections(this.#mark);
      if (!this.active) return;
      this.#open = n;
      if (n !== null && n > this.#peak) this.#peak = n;
      if (this.#phase?.phase === 'draining') this.#feed({ type: 'live', count: n, now: c.now() });
      if (this.active) this.#armCount();
    }, COUNT_EVERY_MS);
  }

  #clearTimers(): void {
    const c = this.#o.clock;
    if (this.#deadlineTimer !== null) c.clearTimeout(this.#deadlineTimer);
    if (this.#countTimer !== null) c.clearTimeout(this.#countTimer);
    this.#deadlineTimer = null;
    this.#countTimer = null;
  }
}

function portText(ports: readonly PortRange[]): string[] {
  return ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}
