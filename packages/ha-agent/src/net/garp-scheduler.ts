import { type Clock, realClock } from '../clock.ts';
import type { TrackLogger } from '../track/tracker.ts';
import { silentLogger } from '../track/tracker.ts';
import { buildGratuitousArp, buildUnsolicitedNa } from './garp.ts';

/** One announcement to put on the wire: the frame, plus what a frame-less fallback (arping) needs. */
export interface Announcement {
  ifname: string;
  family: 4 | 6;
  vip: string;
  frame: Buffer;
}

export type AnnouncementSender = (a: Announcement) => void;

export interface GarpVip {
  address: string;
  family: 4 | 6;
  /** the link it lives on (the instance interface when the VIP has no `dev`) */
  ifname: string;
}

/** keepalived's knobs, in SECONDS like keepalived.conf (the model's instance garp* fields). */
export interface GarpTiming {
  /** second burst after becoming MASTER; 0 = none (garp_master_delay, default 5) */
  masterDelay: number;
  /** announcements per VIP per burst (garp_master_repeat, default 5) */
  masterRepeat: number;
  /** periodic refresh while MASTER; 0 = off (garp_master_refresh) */
  masterRefresh: number;
  /** announcements per VIP per refresh (garp_master_refresh_repeat, default 1) */
  masterRefreshRepeat: number;
  /** second burst after a lower-priority advert received as MASTER (garp_lower_prio_delay) */
  lowerPrioDelay: number;
  /** announcements per VIP when a lower-priority advert is received as MASTER; 0 = none */
  lowerPrioRepeat: number;
  /** minimum spacing of gratuitous ARPs on one interface (vrrp_garp_interval) */
  garpInterval: number;
  /** minimum spacing of unsolicited NAs on one interface (vrrp_gna_interval) */
  gnaInterval: number;
}

export const DEFAULT_GARP_TIMING: GarpTiming = {
  masterDelay: 5,
  masterRepeat: 5,
  masterRefresh: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelay: 5,
  lowerPrioRepeat: 5,
  garpInterval: 0,
  gnaInterval: 0,
};

export interface GarpSchedulerOptions {
  vips: readonly GarpVip[];
  /** the source MAC for a link: the interface's own, or the VMAC with use_vmac */
  macOf(ifname: string): Buffer | string;
  send: AnnouncementSender;
  timing?: Partial<GarpTiming>;
  /** set the NA Router flag (the node forwards IPv6) */
  router?: boolean;
  clock?: Clock;
  logger?: TrackLogger;
}

interface Lane {
  items: Announcement[];
  nextAt: number;
  timer: unknown;
}

/**
 * When to announce the VIPs, with keepalived's semantics:
 * - becoming MASTER: `masterRepeat` announcements per VIP at once (VIP after VIP, repeated), a second
 *   identical burst after `masterDelay`, then `masterRefreshRepeat` every `masterRefresh` while MASTER;
 * - a lower-priority advert received as MASTER: `lowerPrioRepeat` at once and again after `lowerPrioDelay`;
 * - on one interface, ARPs are spaced by `garpInterval` and NAs by `gnaInterval` (separate lanes, as
 *   keepalived keeps separate next-send times); with 0 they all leave synchronously, inside the call;
 * - leaving MASTER (or stop) cancels everything pending, queued packets included.
 * Pure timing: frames go to `send`, time comes from `clock`.
 */
export class GarpScheduler {
  readonly #opts: GarpSchedulerOptions;
  readonly #t: GarpTiming;
  readonly #clock: Clock;
  readonly #log: TrackLogger;
  readonly #lanes = new Map<string, Lane>();
  readonly #timers = new Set<unknown>();
  #master = false;
  #sendErrors = 0;
  /** announcements handed to `send` so far */
  sent = 0;

  constructor(opts: GarpSchedulerOptions) {
    this.#opts = opts;
    this.#t = { ...DEFAULT_GARP_TIMING, ...opts.timing };
    this.#clock = opts.clock ?? realClock;
    this.#log = opts.logger ?? silentLogger;
  }

  get isMaster(): boolean {
    return this.#master;
  }

  becomeMaster(): void {
    this.leaveMaster();
    this.#master = true;
    this.#burst(this.#t.masterRepeat);
    if (this.#t.masterDelay > 0) this.#after(this.#t.masterDelay, () => this.#burst(this.#t.masterRepeat));
    if (this.#t.masterRefresh > 0) this.#refreshLoop();
  }

  lowerPriorityAdvert(): void {
    if (!this.#master || this.#t.lowerPrioRepeat <= 0) return;
    this.#burst(this.#t.lowerPrioRepeat);
    if (this.#t.lowerPrioDelay > 0)
      this.#after(this.#t.lowerPrioDelay, () => this.#burst(this.#t.lowerPrioRepeat));
  }

  leaveMaster(): void {
    this.#master = false;
    for (const h of this.#timers) this.#clock.clearTimeout(h);
    this.#timers.clear();
    for (const lane of this.#lanes.values()) if (lane.timer !== null) this.#clock.clearTimeout(lane.timer);
    this.#lanes.clear();
  }

  stop(): void {
    this.leaveMaster();
  }

  #refreshLoop(): void {
    this.#after(this.#t.masterRefresh, () => {
      this.#burst(this.#t.masterRefreshRepeat);
      this.#refreshLoop();
    });
  }

  #after(seconds: number, fn: () => void): void {
    const h = this.#clock.setTimeout(() => {
      this.#timers.delete(h);
      if (this.#master) fn();
    }, seconds * 1000);
    this.#timers.add(h);
  }

  #burst(repeat: number): void {
    if (!this.#master) return;
    const frames = this.#opts.vips.map((v) => this.#announcement(v));
    for (let i = 0; i < repeat; i++) {
      for (const a of frames) {
        const key = `${a.ifname}/${a.family}`;
        let lane = this.#lanes.get(key);
        if (!lane) {
          lane = { items: [], nextAt: this.#clock.now(), timer: null };
          this.#lanes.set(key, lane);
        }
        lane.items.push(a);
      }
    }
    for (const [key, lane] of this.#lanes) this.#pump(key, lane);
  }

  #announcement(v: GarpVip): Announcement {
    const mac = this.#opts.macOf(v.ifname);
    const frame =
      v.family === 4
        ? buildGratuitousArp({ mac, vip: v.address })
        : buildUnsolicitedNa({ mac, vip: v.address, router: this.#opts.router });
    return { ifname: v.ifname, family: v.family, vip: v.address, frame };
  }

  #pump(key: string, lane: Lane): void {
    if (lane.timer !== null) return; // a timer will pump when the interface may send again
    const spacingMs = (key.endsWith('/6') ? this.#t.gnaInterval : this.#t.garpInterval) * 1000;
    while (lane.items.length > 0) {
      const now = this.#clock.now();
      if (now < lane.nextAt) {
        lane.timer = this.#clock.setTimeout(() => {
          lane.timer = null;
          if (this.#lanes.get(key) === lane) this.#pump(key, lane);
        }, lane.nextAt - now);
        return;
      }
      const a = lane.items.shift()!;
      this.#sendOne(a);
      lane.nextAt = now + spacingMs;
    }
  }

  #sendOne(a: Announcement): void {
    try {
      this.#opts.send(a);
      this.sent++;
    } catch (err) {
      // A link that just went down must not break the state machine; say so now and then.
      if (this.#sendErrors++ % 50 === 0) {
        this.#log.warn(
          { ifname: a.ifname, vip: a.vip, err: (err as Error).message },
          'cannot send gratuitous ARP/NA',
        );
      }
    }
  }
}

/** The scheduler's timing for one instance of the keepalived model (instance values already resolved). */
export function garpTimingFromConfig(
  inst: {
    garpMasterDelay: number;
    garpMasterRepeat: number;
    garpMasterRefresh: number;
    garpMasterRefreshRepeat: number;
    garpLowerPrioDelay: number;
    garpLowerPrioRepeat: number;
  },
  globalDefs: { vrrpGarpInterval: number; vrrpGnaInterval: number },
): GarpTiming {
  return {
    masterDelay: inst.garpMasterDelay,
    masterRepeat: inst.garpMasterRepeat,
    masterRefresh: inst.garpMasterRefresh,
    masterRefreshRepeat: inst.garpMasterRefreshRepeat,
    lowerPrioDelay: inst.garpLowerPrioDelay,
    lowerPrioRepeat: inst.garpLowerPrioRepeat,
    garpInterval: globalDefs.vrrpGarpInterval,
    gnaInterval: globalDefs.vrrpGnaInterval,
  };
}
