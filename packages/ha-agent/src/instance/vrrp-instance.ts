// One vrrp_instance at run time: configuration → state machine → transport, timers, VIPs, GARP,
// notify, trackers. The state machine decides; this class only carries out its actions. Everything it
// does to the host comes through InstanceIo and the VIP manager, so it runs without root in its tests.
import { EventEmitter } from 'node:events';
import type { GlobalDefs, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import type { InstanceStatus, Transition, VrrpStateName } from '../api/status-schema.ts';
import { trackerStatus } from '../api/tracker-status.ts';
import { frontendPorts } from '../handover/bridge-plan.ts';
import { HandoverBridge } from '../handover/handover-bridge.ts';
import type { Logger } from '../log.ts';
import { GarpScheduler, garpTimingFromConfig } from '../net/garp-scheduler.ts';
import { linkFrameSender } from '../net/garp-senders.ts';
import { type BridgeHost, hostBridge } from '../net/handover-nft.ts';
import type { NoAcceptFirewall } from '../net/no-accept.ts';
import { emptyCounters, type PacketCounters, VrrpTransport } from '../net/transport.ts';
import { VipManager } from '../net/vip.ts';
import { vmacMac } from '../net/vmac.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { BalancerTracker } from '../track/balancer.ts';
import type { TrackedRef } from '../track/registry.ts';
import { type TimerName, type VrrpAction, type VrrpState, VrrpStateMachine } from '../vrrp/state-machine.ts';
import { hostIo, type InstanceIo } from './instance-io.ts';
import { type InstanceTracking, instanceTracking } from './tracking.ts';

/** A tracker as one instance applies it (the weight and reverse written in its track_* block). */
export type TrackBinding = TrackedRef;

/** The part of VipManager an instance uses. */
export type InstanceVips = Pick<VipManager, 'add' | 'remove' | 'reconcile'>;

export interface InstanceDeps {
  logger: Logger;
  notifier: Notifier;
  /** sockets, link frames, VMAC, clock; default: the host's (one LocalVrids per instance then) */
  io?: InstanceIo;
  /** default: a VipManager running `ip` */
  vipManager?: InstanceVips;
  /** the agent's nftables table; required for an instance with no_accept to enforce it */
  firewall?: NoAcceptFirewall;
  /** what the handover bridge does to the host (handover_peer); default: nft, /proc/sys, conntrack */
  bridgeHost?: BridgeHost;
}

const HISTORY = 20;
const RETRY_OPEN_MS = 1000;

/** What the SIGUSR1/SIGUSR2 dumps show of one instance (src/dump/), beyond its configuration. */
export interface InstanceDumpState {
  readonly config: VrrpInstance;
  readonly state: VrrpState | 'STOP';
  readonly sourceAddress: string | null;
  readonly basePriority: number;
  readonly effectivePriority: number;
  /** base + every tracker delta, before clamping (keepalived's total_priority) */
  readonly totalPriority: number;
  readonly master: { address: string; priority: number } | null;
  readonly masterAdverIntervalMs: number;
  readonly masterDownIntervalMs: number;
  /** wall clock, ms */
  readonly lastTransitionAt: number;
  /** wall clock of the running timer (next advert as MASTER, master down as BACKUP), null if none */
  readonly timerDueAt: number | null;
  readonly vipsInstalled: boolean;
  /** the instance cannot open its interface (keepalived's config faults) */
  readonly configFaults: number;
  /** trackers putting it in FAULT now */
  readonly trackerFaults: number;
  /** trackers not read yet */
  readonly trackersInit: number;
  readonly counters: PacketCounters;
  readonly becameMaster: number;
  readonly releasedMaster: number;
  readonly priorityZeroReceived: number;
  readonly priorityZeroSent: number;
}

export interface InstanceEvents {
  transition: [t: { from: VrrpState; to: VrrpState; reason: string }];
}

export class VrrpInstanceRuntime extends EventEmitter<InstanceEvents> {
  readonly config: VrrpInstance;
  readonly #globals: GlobalDefs;
  readonly #log: Logger;
  readonly #notifier: Notifier;
  readonly #io: InstanceIo;
  readonly #vip: InstanceVips;
  readonly #firewall: NoAcceptFirewall | null;
  readonly #bindings: TrackBinding[];
  readonly #timers = new Map<TimerName, unknown>();
  /** when each running timer fires, on the wall clock (for the dumps) */
  readonly #timerDueAt = new Map<TimerName, number>();
  #lastTransitionAt = Date.now();
  #releasedMaster = 0;
  readonly #transitions: Transition[] = [];
  readonly #transitionCounts: Record<string, number> = {};
  readonly counters: PacketCounters = emptyCounters();
  #sm: VrrpStateMachine | null = null;
  #transport: VrrpTransport | null = null;
  #garp: GarpScheduler | null = null;
  #vipsInstalled = false;
  #externalFault: string | null = null;
  #ownFault: string | null = null;
  #priority: number;
  #lastAdvertAt: number | null = null;
  #priorityZeroReceived = 0;
  #priorityZeroSent = 0;
  #stopped = false;
  #openError: string | null = null;
  #retryTimer: unknown = null;
  #vmacCreated = false;
  /** our VIPs are in the no_accept firewall set */
  #blocking = false;
  #onTrackerChange = () => this.#reevaluate();
  /** handover_peer / handover_bridge: null when off */
  readonly #bridge: HandoverBridge | null;
  /** the bridge is being decided (probe, nft): the fault waits for it */
  #bridgeStarting = false;
  /** every VIP add/remove in order, so a quick MASTER→BACKUP→MASTER never reorders them */
  #vipQueue: Promise<void> = Promise.resolve();

  constructor(config: VrrpInstance, globals: GlobalDefs, bindings: TrackBinding[], deps: InstanceDeps) {
    super();
    this.config = config;
    this.#globals = globals;
    this.#bindings = bindings;
    this.#log = deps.logger.child({ instance: config.name });
    this.#notifier = deps.notifier;
    this.#io = deps.io ?? hostIo();
    this.#vip = deps.vipManager ?? new VipManager({ defaultDev: this.vipDev, logger: this.#log });
    this.#priority = config.priority;
    this.#firewall = deps.firewall ?? null;
    this.#bridge = config.handover
      ? new HandoverBridge({
          instance: config.name,
          vrid: config.virtualRouterId,
          dev: this.vipDev,
          vips: this.advertisedVips.map((v) => v.address),
          peer: config.handover.peer,
          drainMs: config.handover.drain * 1000,
          host: deps.bridgeHost ?? hostBridge(),
          clock: this.#io.clock,
          logger: this.#log,
          removeVips: () => this.#removeVips(),
          rearm: () => this.#armBridge(),
        })
      : null;
  }

  /**
   * Accept_Mode = False (no_accept, or vrrp_strict's default): a MASTER that is not the address owner
   * drops traffic to its VIPs. keepalived exempts priority 255 owners the same way.
   */
  get blocksVips(): boolean {
    return !this.config.accept && this.config.priority !== 255;
  }

  #blockedAddresses() {
    return this.allVips.map((v) => ({ address: v.address, family: v.family }));
  }

  get name(): string {
    return this.config.name;
  }
  get state(): VrrpState {
    return this.#sm?.state ?? (this.#openError ? 'FAULT' : 'INIT');
  }
  /** Where VIPs without `dev` live: the VMAC with use_vmac, else the instance's interface. */
  get vipDev(): string {
    return this.config.useVmac ?? this.config.interface;
  }
  get effectivePriority(): number {
    return this.#priority;
  }
  get advertisedVips() {
    return this.config.virtualIpaddresses.filter((v) => v.family === this.config.family);
  }
  get allVips() {
    return [...this.config.virtualIpaddresses, ...this.config.virtualIpaddressesExcluded];
  }

  async start(): Promise<void> {
    const c = this.config;
    if (c.authentication?.type === 'AH') {
      this.#log.warn(
        'auth_type AH is not supported (deprecated by RFC 3768/9568); sending and expecting no authentication',
      );
    }
    if (this.blocksVips && !this.#firewall) {
      this.#log.warn('no_accept needs a firewall and none was given to this instance');
    }
    await this.#bridge?.clearLeftover();
    // A VIP left behind by a crashed agent must not answer while we are not MASTER.
    await this.#vip
      .reconcile(this.allVips, false)
      .catch((err) => this.#log.error({ err }, 'VIP reconcile failed'));
    await this.#open();
  }

  /**
   * Opens the wire and starts the state machine. A missing interface (or one without an address yet)
   * is not fatal: like keepalived, the instance sits in FAULT and retries every second.
   */
  async #open(): Promise<void> {
    this.#retryTimer = null;
    if (this.#stopped) return;
    const c = this.config;
    try {
      if (c.useVmac && !this.#vmacCreated) {
        await this.#io.createVmac({
          name: c.useVmac,
          parent: c.interface,
          vrid: c.virtualRouterId,
          family: c.family,
        });
        this.#vmacCreated = true;
      }
      this.#transport = this.#newTransport();
    } catch (err) {
      const reason = `cannot open VRRP on ${c.interface}: ${(err as Error).message}`;
      if (this.#openError === null) {
        this.#log.error(
          { err: (err as Error).message },
          'interface not usable; FAULT until it is (retrying every 1 s)',
        );
        this.#onTransition('INIT', 'FAULT', reason);
      }
      this.#openError = reason;
      if (!this.#stopped)
        this.#retryTimer = this.#io.clock.setTimeout(() => void this.#open(), RETRY_OPEN_MS);
      return;
    }
    if (this.#openError !== null) this.#log.info('interface usable again');
    this.#openError = null;
    this.#startMachine();
  }

  #newTransport(): VrrpTransport {
    const c = this.config;
    return new VrrpTransport(
      {
        family: c.family,
        ifname: c.interface,
        version: c.version,
        vrid: c.virtualRouterId,
        advertIntCs: Math.round(c.advertInt * 100),
        authPass: c.authentication?.type === 'PASS' ? c.authentication.pass : null,
        addresses: this.advertisedVips.map((v) => v.address),
        unicastPeers: c.unicastPeers,
        sourceAddress: c.unicastSrcIp ?? c.mcastSrcIp,
        excludeAddresses: this.allVips.map((v) => v.address),
        checksumForm: c.v3ChecksumAsV2 ? 'message' : 'pseudo',
        xmitIfname: this.#xmitIfname(),
      },
      {
        onAdvert: (r) => this.#onAdvert(r.advert.priority, r.advert.advertIntCs, r.src),
        onDrop: (reason, src, detail) => this.#log.debug({ reason, src, detail }, 'dropped VRRP packet'),
        onSendError: (err) => this.#log.warn({ err: err.message }, 'advert send failed'),
      },
      { counters: this.counters, vrids: this.#io.vrids, openSocket: this.#io.openSocket },
    );
  }

  /**
   * keepalived sends adverts from the VMAC (switches then learn the virtual MAC) unless
   * vmac_xmit_base. IPv6 stays on the base interface: the VMAC has its own link-local address, and
   * the kernel refuses the base's link-local as the source of a packet leaving another interface.
   */
  #xmitIfname(): string | undefined {
    const c = this.config;
    if (!c.useVmac || c.vmacXmitBase || c.family !== 4) return undefined;
    return c.useVmac;
  }

  #startMachine(): void {
    const c = this.config;
    const transport = this.#transport as VrrpTransport;
    const vmac = c.useVmac ? vmacMac(c.virtualRouterId, c.family) : null;
    this.#garp = new GarpScheduler({
      vips: this.allVips.map((v) => ({ address: v.address, family: v.family, ifname: v.dev ?? this.vipDev })),
      macOf: (ifname) => (vmac && ifname === c.useVmac ? vmac : this.#io.interfaceMac(ifname)),
      send: linkFrameSender(this.#io.sendLinkFrame),
      timing: garpTimingFromConfig(c, this.#globals),
      clock: this.#io.clock,
      logger: this.#log,
    });
    for (const b of this.#bindings) b.tracker.on('change', this.#onTrackerChange);
    const reading = this.#readTrackers();
    this.#sm = new VrrpStateMachine({
      version: c.version,
      priority: this.#priority,
      advertIntervalMs: c.advertInt * 1000,
      preempt: !c.nopreempt,
      preemptDelayMs: c.preemptDelay * 1000,
      primaryAddress: transport.sourceAddress,
    });
    this.#log.info(
      {
        src: transport.sourceAddress,
        priority: this.#priority,
        version: c.version,
        vrid: c.virtualRouterId,
      },
      'starting',
    );
    // A FAULT reading goes INIT → FAULT without ever advertising; otherwise start-up proper.
    this.#dispatch({ type: 'tracking', priority: reading.priority, fault: reading.fault });
    this.#dispatch({ type: 'startup' });
  }

  /** Shutdown: priority 0 if MASTER, VIPs removed, sockets closed, notify_stop. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const b of this.#bindings) b.tracker.off('change', this.#onTrackerChange);
    if (this.#sm) this.#dispatch({ type: 'shutdown' });
    if (this.#retryTimer !== null) this.#io.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    for (const t of this.#timers.values()) this.#io.clock.clearTimeout(t);
    this.#timers.clear();
    this.#garp?.stop();
    this.#transport?.close();
    await this.#bridge?.stop();
    await this.#vipQueue;
    // Belt and braces: whatever the state, no VIP of ours stays on the link.
    await this.#vip.reconcile(this.allVips, false).catch(() => {});
    this.#unblockVips();
    await this.#vipQueue;
    if (this.#vmacCreated && this.config.useVmac) await this.#io.deleteVmac(this.config.useVmac);
    this.#notifier.notify('INSTANCE', this.config, 'STOP', 0);
  }

  /** Sync groups: a sibling's FAULT (or its end). */
  setExternalFault(reason: string | null): void {
    if (this.#externalFault === reason) return;
    this.#externalFault = reason;
    this.#reevaluate();
  }

  /** Sync groups: a sibling became MASTER / left MASTER. */
  syncTo(state: 'MASTER' | 'BACKUP', reason: string): void {
    if (!this.#sm || this.#stopped) return;
    this.#dispatch(state === 'MASTER' ? { type: 'syncMaster', reason } : { type: 'syncBackup', reason });
  }

  /** the trackers this instance follows, as it applies them */
  get trackers(): readonly TrackBinding[] {
    return this.#bindings;
  }

  get ownFault(): string | null {
    return this.#ownFault;
  }

  /** Reads the trackers into #ownFault/#priority; the state machine gets the reading to decide on. */
  #readTrackers() {
    const r = instanceTracking(this.#bindings, this.config.priority, this.#externalFault);
    this.#ownFault = r.ownFault;
    this.#priority = r.priority;
    return r;
  }

  #reevaluate(): void {
    if (this.#stopped) return;
    const before = this.#priority;
    const r = this.#readTrackers();
    if (!this.#sm) return;
    // While the bridge is decided the fault waits; the reading of that moment is acted on after.
    if (this.#bridgeStarting) return;
    if (r.fault !== null && this.state === 'MASTER' && this.#bridge && this.#balancerDown()) {
      this.#bridgeStarting = true;
      const bridge = this.#bridge;
      void bridge
        .begin({
          state: this.state,
          ownAddresses: this.#ownAddresses(),
          ports: this.#frontendPorts(),
          takeoverMs: this.#sm.masterDownIntervalMs(),
          stillMaster: () => this.state === 'MASTER',
        })
        .catch((err) => {
          this.#log.error({ err: String(err) }, 'handover bridge failed');
          return false;
        })
        .then(async (installed) => {
          this.#bridgeStarting = false;
          if (this.#stopped) return;
          const now = this.#readTrackers();
          // the balancer came back while the bridge went in: nothing to hand over
          if (installed && now.fault === null) await bridge.abort('the balancer is up again');
          this.#applyReading(before, now);
        });
      return;
    }
    this.#applyReading(before, r);
    // the balancer's listeners may have changed (a reload): the armed rules follow
    if (r.fault === null && this.#bridge && this.state === 'MASTER' && !this.#bridge.active)
      this.#queueVip(() => this.#armBridge(), 'handover bridge arm');
  }

  /** MASTER with a bridge configured: its rules armed for the balancer's current ports. */
  async #armBridge(): Promise<void> {
    const sm = this.#sm;
    if (!this.#bridge || !sm || this.#stopped || this.state !== 'MASTER') return;
    await this.#bridge.arm({
      state: this.state,
      ownAddresses: this.#ownAddresses(),
      ports: this.#frontendPorts(),
      takeoverMs: sm.masterDownIntervalMs(),
    });
  }

  #applyReading(before: number, r: InstanceTracking): void {
    if (r.priority !== before) {
      this.#log.info(
        { from: before, to: r.priority },
        `Changing effective priority from ${before} to ${r.priority}`,
      );
    }
    this.#dispatch({ type: 'tracking', priority: r.priority, fault: r.fault });
  }

  /** a balancer tracker of this instance puts it in FAULT (what the bridge is for) */
  #balancerDown(): boolean {
    return this.#bindings.some(
      (b) => b.tracker.kind === 'balancer' && b.tracker.effect(b.weight, b.reverse).fault,
    );
  }

  #frontendPorts() {
    const vips = this.advertisedVips.map((v) => v.address);
    return frontendPorts(
      this.#bindings.flatMap(
        (b) => (b.tracker as Partial<Pick<BalancerTracker, 'frontendListeners'>>).frontendListeners ?? [],
      ),
      vips,
    );
  }

  #ownAddresses(): string[] {
    const c = this.config;
    return [
      ...this.allVips.map((v) => v.address),
      ...[this.#transport?.sourceAddress, c.unicastSrcIp, c.mcastSrcIp].filter((a): a is string => !!a),
    ];
  }

  #removeVips(): void {
    this.#vipsInstalled = false;
    this.#queueVip(() => this.#vip.remove(this.allVips), 'remove');
    this.#unblockVips();
  }

  #onAdvert(priority: number, advertIntCs: number, src: string): void {
    if (!this.#sm) return;
    this.#lastAdvertAt = Date.now();
    if (priority === 0) this.#priorityZeroReceived++;
    const sm = this.#sm;
    this.#bridge?.noteAdvert(
      src,
      priority,
      priority === 0
        ? {
            ownAddresses: this.#ownAddresses(),
            ports: this.#frontendPorts(),
            takeoverMs: sm.masterDownIntervalMs(),
          }
        : undefined,
    );
    this.#dispatch({ type: 'advert', priority, advertIntervalMs: advertIntCs * 10, src });
  }

  #dispatch(ev: Parameters<VrrpStateMachine['handle']>[0]): void {
    const sm = this.#sm;
    if (!sm) return;
    const actions = sm.handle(ev, this.#io.clock.now());
    for (const a of actions) this.#run(a);
  }

  #run(a: VrrpAction): void {
    switch (a.type) {
      case 'sendAdvert':
        if (a.priority === 0) this.#priorityZeroSent++;
        this.#transport?.sendAdvert(a.priority);
        return;
      case 'startTimer': {
        this.#clearTimer(a.timer);
        const t = this.#io.clock.setTimeout(() => {
          this.#timers.delete(a.timer);
          this.#timerDueAt.delete(a.timer);
          this.#dispatch({ type: 'timer', timer: a.timer });
        }, a.delayMs);
        this.#timers.set(a.timer, t);
        this.#timerDueAt.set(a.timer, Date.now() + a.delayMs);
        return;
      }
      case 'stopTimer':
        this.#clearTimer(a.timer);
        return;
      case 'addVips':
        this.#vipsInstalled = true;
        // The drop goes in before the address, so a no_accept VIP never answers even briefly.
        if (this.blocksVips && this.#firewall && !this.#blocking) {
          this.#blocking = true;
          const fw = this.#firewall;
          this.#queueVip(() => fw.block(this.#blockedAddresses()), 'block');
        }
        this.#queueVip(() => this.#vip.add(this.allVips), 'add');
        return;
      case 'removeVips':
        // The bridge forwards to the peer: the VIP stays (answering ARP) until the peer advertises.
        if (this.#bridge?.holdsVips) return;
        this.#removeVips();
        return;
      case 'startGarp':
        // After the VIPs are on the link, so that the announced address answers.
        this.#vipQueue = this.#vipQueue.then(() => {
          if (this.state === 'MASTER') this.#garp?.becomeMaster();
        });
        return;
      case 'stopGarp':
        this.#garp?.leaveMaster();
        return;
      case 'lowerPriorityGarp':
        this.#garp?.lowerPriorityAdvert();
        return;
      case 'transition':
        this.#onTransition(a.from, a.to, a.reason);
        return;
    }
  }

  /** after the VIPs are gone (queued behind their removal) */
  #unblockVips(): void {
    if (!this.#blocking || !this.#firewall) return;
    this.#blocking = false;
    const fw = this.#firewall;
    this.#queueVip(() => fw.unblock(this.#blockedAddresses()), 'unblock');
  }

  #queueVip(fn: () => Promise<void>, what: string): void {
    this.#vipQueue = this.#vipQueue
      .then(fn)
      .catch((err) => this.#log.error({ err: String(err) }, `VIP ${what} failed`));
  }

  #clearTimer(t: TimerName): void {
    const h = this.#timers.get(t);
    if (h !== undefined) this.#io.clock.clearTimeout(h);
    this.#timers.delete(t);
    this.#timerDueAt.delete(t);
  }

  #onTransition(from: VrrpState, to: VrrpState, reason: string): void {
    this.#log.info({ from, to, reason, priority: this.#priority }, `Entering ${to} STATE`);
    this.#transitions.push({ at: new Date().toISOString(), from, to, reason });
    if (this.#transitions.length > HISTORY) this.#transitions.shift();
    this.#transitionCounts[to] = (this.#transitionCounts[to] ?? 0) + 1;
    this.#lastTransitionAt = Date.now();
    if (from === 'MASTER') this.#releasedMaster++;
    const bridge = this.#bridge;
    if (bridge && to === 'MASTER') {
      // after the VIPs are up (queued behind them); a handover still running ends first
      this.#queueVip(async () => {
        if (bridge.active) await bridge.abort('MASTER again');
        await this.#armBridge();
      }, 'handover bridge arm');
    } else if (bridge && from === 'MASTER' && !bridge.active) {
      this.#queueVip(() => bridge.disarm(`left MASTER for ${to}`), 'handover bridge disarm');
    }
    if (to === 'MASTER' || to === 'BACKUP' || to === 'FAULT') {
      this.#notifier.notify('INSTANCE', this.config, to, to === 'FAULT' ? 0 : this.#priority);
    }
    this.emit('transition', { from, to, reason });
  }

  dumpState(): InstanceDumpState {
    const sm = this.#sm;
    const reading = instanceTracking(this.#bindings, this.config.priority, this.#externalFault);
    const delta = this.#bindings.reduce(
      (sum, b) => sum + (b.faultOnly ? 0 : b.tracker.effect(b.weight, b.reverse).delta),
      0,
    );
    const due = this.#timerDueAt.get(this.state === 'MASTER' ? 'adver' : 'masterDown') ?? null;
    return {
      config: this.config,
      state: this.#stopped ? 'STOP' : this.state,
      sourceAddress: this.#transport?.sourceAddress ?? null,
      basePriority: this.config.priority,
      effectivePriority: this.#priority,
      totalPriority: this.config.priority === 255 ? 255 : this.config.priority + delta,
      master: sm?.masterSeen ? { address: sm.masterSeen.address, priority: sm.masterSeen.priority } : null,
      masterAdverIntervalMs: sm?.masterAdverIntervalMs ?? this.config.advertInt * 1000,
      masterDownIntervalMs: sm?.masterDownIntervalMs() ?? 0,
      lastTransitionAt: this.#lastTransitionAt,
      timerDueAt: this.state === 'FAULT' ? null : due,
      vipsInstalled: this.#vipsInstalled,
      configFaults: this.#openError === null ? 0 : 1,
      trackerFaults:
        reading.ownFault === null
          ? 0
          : this.#bindings.filter((b) => b.tracker.effect(b.weight, b.reverse).fault).length,
      trackersInit: this.#bindings.filter((b) => !b.tracker.observed).length,
      counters: { ...this.counters },
      becameMaster: this.#transitionCounts.MASTER ?? 0,
      releasedMaster: this.#releasedMaster,
      priorityZeroReceived: this.#priorityZeroReceived,
      priorityZeroSent: this.#priorityZeroSent,
    };
  }

  status(): InstanceStatus {
    const c = this.config;
    const sm = this.#sm;
    const master = sm?.masterSeen ?? null;
    const isMaster = this.state === 'MASTER';
    const trackers = this.#bindings.map((b) => trackerStatus(b.tracker, b));
    const drops: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.counters)) {
      if (!['received', 'accepted', 'sent', 'sendErrors'].includes(k) && v > 0) drops[k] = v;
    }
    return {
      name: c.name,
      state: this.#stopped ? 'STOP' : (this.state as VrrpStateName),
      interface: c.interface,
      virtualRouterId: c.virtualRouterId,
      version: c.version,
      family: c.family,
      advertInterval: c.advertInt,
      basePriority: c.priority,
      effectivePriority: this.#priority,
      syncGroup: c.syncGroup,
      master: {
        seen: isMaster || master !== null,
        address: isMaster ? (this.#transport?.sourceAddress ?? null) : (master?.address ?? null),
        priority: isMaster ? this.#priority : (master?.priority ?? null),
        lastAdvertAt: this.#lastAdvertAt === null ? null : new Date(this.#lastAdvertAt).toISOString(),
      },
      vips: this.allVips.map((v) => ({
        address: v.address,
        prefix: v.prefix,
        family: v.family,
        dev: v.dev ?? this.vipDev,
        installed: this.#vipsInstalled,
      })),
      trackers,
      transitions: [...this.#transitions],
      transitionCounts: { ...this.#transitionCounts },
      counters: {
        advertsSent: this.counters.sent,
        advertsReceived: this.counters.accepted,
        priorityZeroReceived: this.#priorityZeroReceived,
        priorityZeroSent: this.#priorityZeroSent,
        drops,
      },
      ...(this.#bridge ? { handover: this.#bridge.status() } : {}),
    };
  }
}
