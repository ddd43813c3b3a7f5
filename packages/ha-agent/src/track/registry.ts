import type { KeepalivedConfig, SyncGroup, TrackRef, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import { resolveScriptUser } from '../notify/script-user.ts';
import { BalancerTracker } from './balancer.ts';
import { InterfaceTracker } from './interface.ts';
import { ScriptTracker } from './script.ts';
import type { Tracker, TrackLogger } from './tracker.ts';
import { trackEffect } from './weight.ts';

/** A tracker as one instance uses it: the weight and direction come from the instance's reference. */
export interface TrackedRef {
  tracker: Tracker;
  weight: number;
  reverse: boolean;
}

export interface TrackingVerdict {
  /** some weight-0 tracker is down (or up, with reverse): the instance must be in FAULT */
  fault: boolean;
  /** why, one line per faulting tracker */
  faultReasons: string[];
  /** Σ priority adjustments (feed effectivePriority(base, [delta])) */
  delta: number;
}

/** keepalived's combination of every tracker an instance follows (vrrp_track.c). */
export function evaluateTracking(refs: readonly TrackedRef[]): TrackingVerdict {
  const faultReasons: string[] = [];
  let delta = 0;
  for (const r of refs) {
    const e = trackEffect(r.tracker.state.up, r.weight, r.reverse);
    if (e.fault) faultReasons.push(`${r.tracker.kind} ${r.tracker.name}: ${r.tracker.state.reason}`);
    delta += e.delta;
  }
  return { fault: faultReasons.length > 0, faultReasons, delta };
}

export interface TrackerRegistryOptions {
  logger?: TrackLogger;
  /** run interface monitors with `ip -n NETNS` */
  netns?: string | null;
}

/**
 * Builds each tracked object once from the keepalived model — a vrrp_script tracked by three instances
 * runs once, as in keepalived — and hands every instance its list with the instance's own weights. Only
 * objects some instance or sync group references are built (keepalived does not run unused scripts).
 */
export class TrackerRegistry {
  readonly scripts = new Map<string, ScriptTracker>();
  readonly balancers = new Map<string, BalancerTracker>();
  readonly interfaces = new Map<string, InterfaceTracker>();
  readonly #config: KeepalivedConfig;
  readonly #opts: TrackerRegistryOptions;

  constructor(config: KeepalivedConfig, opts: TrackerRegistryOptions = {}) {
    this.#config = config;
    this.#opts = opts;
    const holders: { trackScripts: TrackRef[]; trackBalancers: TrackRef[]; trackInterfaces: TrackRef[] }[] = [
      ...config.instances,
      ...config.syncGroups,
    ];
    for (const h of holders) {
      for (const r of h.trackScripts) this.#script(r.name);
      for (const r of h.trackBalancers) this.#balancer(r.name);
      for (const r of h.trackInterfaces) this.interfaceTracker(r.name);
    }
  }

  all(): Tracker[] {
    return [...this.scripts.values(), ...this.balancers.values(), ...this.interfaces.values()];
  }

  start(): void {
    for (const t of this.all()) t.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((t) => t.stop()));
  }

  /** The (shared) link tracker of an interface, created on first use. */
  interfaceTracker(ifname: string): InterfaceTracker {
    let t = this.interfaces.get(ifname);
    if (!t) {
      t = new InterfaceTracker({ name: ifname, netns: this.#opts.netns, logger: this.#opts.logger });
      this.interfaces.set(ifname, t);
    }
    return t;
  }

  /**
   * Everything an instance follows: its own track_* lists, its sync group's, and its own interface with
   * weight 0 unless `dont_track_primary` (keepalived puts the instance in FAULT when its link is down).
   */
  forInstance(inst: VrrpInstance): TrackedRef[] {
    const group: SyncGroup | undefined = inst.syncGroup
      ? this.#config.syncGroups.find((g) => g.name === inst.syncGroup)
      : undefined;
    const refs: TrackedRef[] = [];
    const add = (tracker: Tracker, r: TrackRef) =>
      refs.push({ tracker, weight: r.weight, reverse: r.reverse });
    for (const h of group ? [inst, group] : [inst]) {
      for (const r of h.trackScripts) add(this.#script(r.name), r);
      for (const r of h.trackBalancers) add(this.#balancer(r.name), r);
      for (const r of h.trackInterfaces) add(this.interfaceTracker(r.name), r);
    }
    if (!inst.dontTrackPrimary && !refs.some((r) => r.tracker === this.interfaces.get(inst.interface))) {
      refs.push({ tracker: this.interfaceTracker(inst.interface), weight: 0, reverse: false });
    }
    return refs;
  }

  #script(name: string): ScriptTracker {
    let t = this.scripts.get(name);
    if (!t) {
      const s = this.#config.vrrpScripts[name];
      if (!s) throw new RangeError(`vrrp_script ${name} is not defined`);
      const user = s.user ?? this.#config.globalDefs.scriptUser;
      t = new ScriptTracker({
        name,
        script: s.script,
        interval: s.interval,
        timeout: s.timeout,
        rise: s.rise,
        fall: s.fall,
        weight: s.weight,
        reverse: s.weightReverse,
        initFail: s.initFail,
        identity: user ? resolveScriptUser(user.user, user.group) : null,
        scriptSecurity: this.#config.globalDefs.enableScriptSecurity,
        logger: this.#opts.logger,
      });
      this.scripts.set(name, t);
    }
    return t;
  }

  #balancer(name: string): BalancerTracker {
    let t = this.balancers.get(name);
    if (!t) {
      const b = this.#config.trackBalancers[name];
      if (!b) throw new RangeError(`vrrp_track_balancer ${name} is not defined`);
      t = new BalancerTracker({
        name,
        socket: b.socket,
        weight: b.weight,
        rise: b.rise,
        fall: b.fall,
        heartbeatTimeout: b.heartbeatTimeout,
        logger: this.#opts.logger,
      });
      this.balancers.set(name, t);
    }
    return t;
  }
}
