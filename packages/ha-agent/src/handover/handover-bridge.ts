// One instance's handover bridge at run time. While MASTER it keeps the rules ARMED (installed, inert
// while the balancer's listening socket exists: see bridgeScript), so the kernel forwards from the
// first SYN after a crash; when the tracker reports the crash it decides (decideBridge, with a probe
// of the peer's balancer) whether to keep forwarding — then resigns, keeping the VIP until the peer
// advertises — or to take the rules out and resign as keepalived would. Adverts, deadlines and
// connection counts then go to stepBridge(). Host effects go through BridgeHost, time through the Clock.
import type { HandoverStatus } from '../api/status-schema.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import {
  type BridgeHost,
  type BridgeRules,
  handoverMark,
  handoverTable,
  returnTable,
} from '../net/handover-nft.ts';
import {
  type BridgeAction,
  type BridgeContext,
  type BridgeEvent,
  type BridgeOutcome,
  type BridgePhase,
  type BridgeTiming,
  decideBridge,
  decideReturnPath,
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
  /** the instance calls arm() again with what holds now */
  rearm: () => Promise<void>;
}

export interface BeginContext {
  state: BridgeContext['state'];
  ownAddresses: readonly string[];
  ports: readonly PortRange[];
  /** the longest wait for the peer to advertise as MASTER: Master_Down_Interval */
  takeoverMs: number;
  /** begin(): still MASTER after the probe (an advert may have moved us meanwhile) */
  stillMaster?: () => boolean;
}

export class HandoverBridge {
  readonly #o: HandoverBridgeOptions;
  readonly #table: string;
  readonly #returnTable: string;
  readonly #mark: number;
  /** the return path is in (we are the receiving end of the peer's handover) */
  #returnOpen = false;
  #returnTimer: unknown = null;
  #phase: BridgePhase | null = null;
  #timing: BridgeTiming = { takeoverMs: 0, drainMs: 0 };
  #ports: readonly PortRange[] = [];
  #restoreForwarding: (() => Promise<void>) | null = null;
  /** the rules are in (armed, forwarding or draining) for these ports; null: no rules */
  #installedPorts: readonly PortRange[] | null = null;
  #rearmTimer: unknown = null;
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
    this.#returnTable = returnTable(o.instance);
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
    await this.#o.host.remove(this.#returnTable).catch(() => {});
  }

  /** the return path is in: the peer resigned to us and may be bridging */
  get returnOpen(): boolean {
    return this.#returnOpen;
  }

  /** the rules are installed but no handover runs: inert while the balancer listens */
  get armed(): boolean {
    return this.#installedPorts !== null && !this.active;
  }

  #context(c: Omit<BeginContext, 'takeoverMs'> & { takeoverMs: number }): BridgeContext {
    const now = this.#o.clock.now();
    return {
      state: c.state,
      peer: this.#o.peer,
      ownAddresses: c.ownAddresses,
      ports: c.ports,
      bridging: this.active,
      peerResignedAgoMs: this.#peerResignedAt === null ? null : now - this.#peerResignedAt,
      holdMs: c.takeoverMs + this.#o.drainMs,
    };
  }

  /**
   * While MASTER (on becoming it, and when the balancer's listeners change): the rules go in, armed,
   * when everything but the probe allows a bridge; otherwise they go out (and, when only a recent
   * resignation of the peer stood in the way, it is tried again once that has passed).
   */
  async arm(c: BeginContext): Promise<void> {
    if (this.active) return;
    this.#clearRearm();
    const ctx = this.#context(c);
    const verdict = decideBridge(ctx);
    if (verdict.action !== 'probe') {
      if (this.#installedPorts !== null) await this.disarm(verdict.action === 'resign' ? verdict.reason : '');
      if (ctx.peerResignedAgoMs !== null && ctx.peerResignedAgoMs < ctx.holdMs && c.state === 'MASTER') {
        const c2 = this.#o.clock;
        this.#rearmTimer = c2.setTimeout(
          () => {
            this.#rearmTimer = null;
            void this.#o.rearm();
          },
          ctx.holdMs - ctx.peerResignedAgoMs + 1,
        );
      }
      return;
    }
    if (this.#installedPorts !== null && samePorts(this.#installedPorts, c.ports)) return;
    if (await this.#install(c.ports, 'armed')) {
      this.#o.logger.info(
        { peer: this.#o.peer, ports: portText(c.ports), table: this.#table },
        'handover bridge armed: new connections no local socket takes go to the peer',
      );
    }
  }

  /** Not MASTER any more without a handover (or a reason against it): the rules go. */
  async disarm(reason: string): Promise<void> {
    this.#clearRearm();
    if (this.active || this.#installedPorts === null) return;
    this.#installedPorts = null;
    this.#o.logger.info({ reason }, 'handover bridge disarmed');
    this.#run('removeRules');
    await this.#queue;
  }

  /**
   * Called while MASTER, before the fault is acted on: true when the rules are in and a handover
   * runs (the caller then resigns, keeping its VIPs until the peer advertises); false: the rules are
   * out and the caller resigns as keepalived would.
   */
  async begin(c: BeginContext): Promise<boolean> {
    const o = this.#o;
    this.#clearRearm();
    const ctx = this.#context(c);
    let verdict = decideBridge(ctx);
    if (verdict.action === 'probe') {
      const answers = await o.host.probe(o.peer, c.ports[0][0], PROBE_TIMEOUT_MS);
      const state = c.stillMaster && !c.stillMaster() ? 'BACKUP' : ctx.state;
      verdict = decideBridge({ ...ctx, state, peerAnswers: answers });
    }
    if (verdict.action === 'resign') {
      o.logger.info({ peer: o.peer, reason: verdict.reason }, 'handover bridge: none, plain resign');
      await this.disarm(verdict.reason);
      return false;
    }
    const armedAlready = this.#installedPorts !== null;
    if (!(await this.#install(c.ports, 'forward'))) return false;
    const timing = { takeoverMs: c.takeoverMs, drainMs: o.drainMs };
    this.#timing = timing;
    this.#ports = c.ports;
    this.#open = 0;
    this.#peak = 0;
    this.#startedAt = Date.now();
    this.#phase = startBridge(o.peer, o.clock.now(), timing);
    o.logger.info(
      { peer: o.peer, ports: portText(c.ports), table: this.#table, armedAlready },
      `handover bridge: forwarding new connections to ${o.peer} until it advertises as MASTER`,
    );
    this.#armDeadline();
    this.#armCount();
    return true;
  }

  /** forwarding on, then the table; false (logged) when either cannot be done */
  async #install(ports: readonly PortRange[], mode: BridgeRules['mode']): Promise<boolean> {
    const o = this.#o;
    await this.#queue;
    if (this.#restoreForwarding === null) {
      try {
        this.#restoreForwarding = await o.host.enableForwarding(o.dev);
      } catch (err) {
        o.logger.warn(
          { err: (err as Error).message, dev: o.dev },
          `handover bridge unavailable: cannot turn IPv4 forwarding on (set net.ipv4.conf.${o.dev}.forwarding=1 in /etc/sysctl.d)`,
        );
        return false;
      }
    }
    try {
      await o.host.install({ table: this.#table, mark: this.#mark, vips: o.vips, ports, peer: o.peer, mode });
    } catch (err) {
      o.logger.error({ err: (err as Error).message }, 'handover bridge unavailable: nft failed');
      this.#installedPorts = null;
      await this.#putForwardingBack();
      return false;
    }
    this.#installedPorts = ports;
    return true;
  }

  #clearRearm(): void {
    if (this.#rearmTimer !== null) this.#o.clock.clearTimeout(this.#rearmTimer);
    this.#rearmTimer = null;
  }

  /**
   * Every advert the instance hears. The peer's priority 0 may start a handover towards us: the
   * return path goes in (decideReturnPath) for as long as the peer may still be bridging (its
   * Master_Down_Interval, `takeoverMs`, and its drain — ours, the pair configured alike), then out.
   */
  noteAdvert(
    src: string,
    priority: number,
    here?: { ownAddresses: readonly string[]; ports: readonly PortRange[]; takeoverMs: number },
  ): void {
    if (src === this.#o.peer && priority === 0) {
      this.#peerResignedAt = this.#o.clock.now();
      if (here) this.#openReturn(src, priority, here);
    }
    if (this.active) this.#feed({ type: 'advert', src, priority, now: this.#o.clock.now() });
  }

  #openReturn(
    src: string,
    priority: number,
    here: { ownAddresses: readonly string[]; ports: readonly PortRange[]; takeoverMs: number },
  ): void {
    const o = this.#o;
    const verdict = decideReturnPath({ src, priority, peer: o.peer, bridging: this.active, ...here });
    if (!verdict.open) return;
    const c = o.clock;
    if (this.#returnTimer !== null) c.clearTimeout(this.#returnTimer);
    this.#returnTimer = c.setTimeout(() => {
      this.#returnTimer = null;
      void this.#closeReturn('the peer has drained');
    }, here.takeoverMs + o.drainMs);
    if (this.#returnOpen) return;
    this.#returnOpen = true;
    const rules = { table: this.#returnTable, vips: o.vips, ports: here.ports, peer: o.peer, dev: o.dev };
    this.#queue = this.#queue
      .then(() => o.host.installReturn(rules))
      .then(() =>
        o.logger.info(
          { peer: o.peer, table: this.#returnTable },
          `handover return path: ${o.peer} resigned; packets of the connections it bridged go back to it`,
        ),
      )
      .catch((err) => {
        this.#returnOpen = false;
        o.logger.error({ err: String(err) }, 'handover return path unavailable: nft failed');
      });
  }

  async #closeReturn(reason: string): Promise<void> {
    if (this.#returnTimer !== null) this.#o.clock.clearTimeout(this.#returnTimer);
    this.#returnTimer = null;
    if (!this.#returnOpen) return;
    this.#returnOpen = false;
    this.#queue = this.#queue
      .then(() => this.#o.host.remove(this.#returnTable))
      .then(() => this.#o.logger.info({ reason }, 'handover return path removed'))
      .catch((err) => this.#o.logger.error({ err: String(err) }, 'handover return path: nft delete failed'));
    await this.#queue;
  }

  /** The agent stops: every rule of ours goes. */
  async stop(): Promise<void> {
    await this.abort('the agent stops');
    await this.#closeReturn('the agent stops');
  }

  /** The instance is MASTER again (it re-arms after), or stops: the rules go at once. */
  async abort(reason: string): Promise<void> {
    if (this.active) this.#feed({ type: 'abort', reason });
    else await this.disarm(reason);
    await this.#queue;
  }

  status(): HandoverStatus {
    const p = this.#phase;
    const active = p !== null && p.phase !== 'done';
    return {
      peer: this.#o.peer,
      phase: active ? p.phase : this.#installedPorts !== null ? 'armed' : 'off',
      since: active && this.#startedAt !== null ? new Date(this.#startedAt).toISOString() : null,
      ports: active ? portText(this.#ports) : portText(this.#installedPorts ?? []),
      openConnections: active ? this.#open : null,
      peakConnections: this.#peak,
      returnPath: this.#returnOpen,
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
        this.#installedPorts = null;
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
      const readAt = c.now();
      const n = await this.#o.host.liveConnections(this.#table);
      if (!this.active) return;
      this.#open = n;
      if (n !== null && n > this.#peak) this.#peak = n;
      if (this.#phase?.phase === 'draining') this.#feed({ type: 'live', count: n, now: c.now(), readAt });
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

function samePorts(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  return a.length === b.length && a.every((p, i) => p[0] === b[i][0] && p[1] === b[i][1]);
}

function portText(ports: readonly PortRange[]): string[] {
  return ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}
