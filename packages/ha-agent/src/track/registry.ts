import type { KeepalivedConfig, SyncGroup, TrackRef, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import { HaError } from '../errors.ts';
import { resolveScriptUser } from '../notify/script-user.ts';
import { BalancerTracker } from './balancer.ts';
import { FileTracker } from './file.ts';
import { InterfaceTracker } from './interface.ts';
import { ProcessTracker } from './process.ts';
import { ProcessTable } from './process-table.ts';
import { ScriptTracker } from './script.ts';
import type { Tracker, TrackLogger } from './tracker.ts';

/** A tracker as one instance uses it: the weight and direction come from the instance's reference. */
export interface TrackedRef {
  tracker: Tracker;
  weight: number;
  reverse: boolean;
  /** from the sync group: only its FAULT effect applies (keepalived ignores group weights by default) */
  faultOnly?: boolean;
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
    const e = r.tracker.effect(r.weight, r.reverse);
    if (e.fault) faultReasons.push(`${r.tracker.kind} ${r.tracker.name}: ${r.tracker.state.reason}`);
    if (!r.faultOnly) delta += e.delta;
  }
  return { fault: faultReasons.length > 0, faultReasons, delta };
}

export interface TrackerRegistryOptions {
  logger?: TrackLogger;
  /** run interface monitors with `ip -n NETNS` */
  netns?: string | null;
  /**
   * The registry of the configuration before a reload: a tracker whose definition did not change is
   * taken over, running, with its state (a reload does not re-run rise/fall from scratch). Call
   * `previous.stopUnused(this)` once the new one is in use.
   */
  previous?: TrackerRegistry | null;
  /** how often vrrp_track_process reads /proc (ms, default 200) */
  processScanMs?: number;
}

interface Built<T extends Tracker> {
  tracker: T;
  /** the definition it was built from (everything that shapes it, place in the file left out) */
  def: string;
}

/**
 * Builds each tracked object once from the keepalived model — a vrrp_script tracked by three instances
 * runs once, as in keepalived — and hands every instance its list with the instance's own weights. Only
 * objects some instance or sync group references are built (keepalived does not run unused scripts).
 * This is the one place where the model's vrrp_script / vrrp_track_balancer / track_file /
 * vrrp_track_process / interfaces become trackers, global_defs (`script_user`, `enable_script_security`) included.
 */
export class TrackerRegistry {
  readonly #scripts = new Map<string, Built<ScriptTracker>>();
  readonly #balancers = new Map<string, Built<BalancerTracker>>();
  readonly #interfaces = new Map<string, Built<InterfaceTracker>>();
  readonly #files = new Map<string, Built<FileTracker>>();
  readonly #processes = new Map<string, Built<ProcessTracker>>();
  readonly #config: KeepalivedConfig;
  readonly #opts: TrackerRegistryOptions;
  /** one /proc scan for every vrrp_track_process; handed on across reloads with the trackers */
  readonly #processTable: ProcessTable;

  constructor(config: KeepalivedConfig, opts: TrackerRegistryOptions = {}) {
    this.#config = config;
    this.#opts = opts;
    const previous = opts.previous;
    this.#processTable = previous
      ? previous.#processTable
      : new ProcessTable({ intervalMs: opts.processScanMs });
    for (const g of config.syncGroups) this.#refsOf(g, false);
    // Every instance's list, so the trackers exist (and start together) before any instance runs.
    for (const inst of config.instances) this.forInstance(inst);
  }

  get scripts(): ReadonlyMap<string, ScriptTracker> {
    return trackers(this.#scripts);
  }

  get balancers(): ReadonlyMap<string, BalancerTracker> {
    return trackers(this.#balancers);
  }

  get interfaces(): ReadonlyMap<string, InterfaceTracker> {
    return trackers(this.#interfaces);
  }

  get files(): ReadonlyMap<string, FileTracker> {
    return trackers(this.#files);
  }

  get processes(): ReadonlyMap<string, ProcessTracker> {
    return trackers(this.#processes);
  }

  all(): Tracker[] {
    return [
      ...this.#scripts.values(),
      ...this.#balancers.values(),
      ...this.#interfaces.values(),
      ...this.#files.values(),
      ...this.#processes.values(),
    ].map((b) => b.tracker);
  }

  /** Starts every tracker (idempotent: trackers taken over from the previous registry keep running). */
  start(): void {
    for (const t of this.all()) t.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((t) => t.stop()));
  }

  /** After a reload: stops this (old) registry's trackers that `next` did not take over. */
  async stopUnused(next: TrackerRegistry): Promise<void> {
    const used = new Set(next.all());
    await Promise.all(
      this.all()
        .filter((t) => !used.has(t))
        .map((t) => t.stop()),
    );
  }

  /** The (shared) link tracker of an interface, created on first use. */
  interfaceTracker(ifname: string): InterfaceTracker {
    return this.#get(
      this.#interfaces,
      ifname,
      { name: ifname },
      (previous) => previous.#interfaces,
      () => new InterfaceTracker({ name: ifname, netns: this.#opts.netns, logger: this.#opts.logger }),
    );
  }

  /**
   * Everything an instance follows: its own track_* lists, its sync group's (FAULT effect only unless
   * `sync_group_tracking_weight`), and its own interface with weight 0 unless `dont_track_primary` or
   * listed in its own track_interface (keepalived puts the instance in FAULT when its link is down).
   */
  forInstance(inst: VrrpInstance): TrackedRef[] {
    const group: SyncGroup | undefined = inst.syncGroup
      ? this.#config.syncGroups.find((g) => g.name === inst.syncGroup)
      : undefined;
    const refs = this.#refsOf(inst, false);
    if (group) refs.push(...this.#refsOf(group, !group.syncGroupTrackingWeight));
    if (!inst.dontTrackPrimary && !inst.trackInterfaces.some((r) => r.name === inst.interface)) {
      refs.push({ tracker: this.interfaceTracker(inst.interface), weight: 0, reverse: false });
    }
    return refs;
  }

  #refsOf(
    h: {
      trackScripts: TrackRef[];
      trackBalancers: TrackRef[];
      trackInterfaces: TrackRef[];
      trackFiles: TrackRef[];
      trackProcesses: TrackRef[];
    },
    faultOnly: boolean,
  ): TrackedRef[] {
    const ref = (tracker: Tracker, r: TrackRef): TrackedRef =>
      faultOnly
        ? { tracker, weight: r.weight, reverse: r.reverse, faultOnly }
        : { tracker, weight: r.weight, reverse: r.reverse };
    return [
      ...h.trackScripts.map((r) => ref(this.#script(r.name), r)),
      ...h.trackBalancers.map((r) => ref(this.#balancer(r.name), r)),
      ...h.trackInterfaces.map((r) => ref(this.interfaceTracker(r.name), r)),
      ...h.trackFiles.map((r) => ref(this.#file(r.name), r)),
      ...h.trackProcesses.map((r) => ref(this.#process(r.name), r)),
    ];
  }

  #file(name: string): FileTracker {
    const f = this.#config.trackFiles[name];
    if (!f) throw new HaError('HA_ERR_CONFIG', `track_file ${name} is not defined`);
    return this.#get(
      this.#files,
      name,
      f,
      (previous) => previous.#files,
      () =>
        new FileTracker({
          name,
          path: f.path,
          weight: f.weight,
          reverse: f.weightReverse,
          initFile: f.initFile,
          logger: this.#opts.logger,
        }),
    );
  }

  #process(name: string): ProcessTracker {
    const p = this.#config.trackProcesses[name];
    if (!p) throw new HaError('HA_ERR_CONFIG', `vrrp_track_process ${name} is not defined`);
    return this.#get(
      this.#processes,
      name,
      p,
      (previous) => previous.#processes,
      () =>
        new ProcessTracker({
          name,
          table: this.#processTable,
          process: p.process,
          params: p.params,
          paramMatch: p.paramMatch,
          fullCommand: p.fullCommand,
          quorum: p.quorum,
          quorumMax: p.quorumMax,
          forkDelay: p.forkDelay,
          terminateDelay: p.terminateDelay,
          weight: p.weight,
          reverse: p.weightReverse,
          logger: this.#opts.logger,
        }),
    );
  }

  #script(name: string): ScriptTracker {
    const s = this.#config.vrrpScripts[name];
    if (!s) throw new HaError('HA_ERR_CONFIG', `vrrp_script ${name} is not defined`);
    const g = this.#config.globalDefs;
    const user = s.user ?? g.scriptUser;
    const scriptSecurity = g.enableScriptSecurity;
    return this.#get(
      this.#scripts,
      name,
      { ...s, user, scriptSecurity },
      (previous) => previous.#scripts,
      () =>
        new ScriptTracker({
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
          scriptSecurity,
          logger: this.#opts.logger,
        }),
    );
  }

  #balancer(name: string): BalancerTracker {
    const b = this.#config.trackBalancers[name];
    if (!b) throw new HaError('HA_ERR_CONFIG', `vrrp_track_balancer ${name} is not defined`);
    return this.#get(
      this.#balancers,
      name,
      b,
      (previous) => previous.#balancers,
      () =>
        new BalancerTracker({
          name,
          socket: b.socket,
          weight: b.weight,
          rise: b.rise,
          fall: b.fall,
          heartbeatTimeout: b.heartbeatTimeout,
          restartGrace: b.restartGrace,
          logger: this.#opts.logger,
        }),
    );
  }

  /** The tracker `name` of this registry: built already, taken over from the previous one, or new. */
  #get<T extends Tracker>(
    own: Map<string, Built<T>>,
    name: string,
    definition: object,
    previousOf: (previous: TrackerRegistry) => Map<string, Built<T>>,
    build: () => T,
  ): T {
    const cur = own.get(name);
    if (cur) return cur.tracker;
    const def = JSON.stringify({ ...definition, file: 0, line: 0 });
    const old = this.#opts.previous ? previousOf(this.#opts.previous).get(name) : undefined;
    const b = old && old.def === def ? old : { tracker: build(), def };
    own.set(name, b);
    return b.tracker;
  }
}

function trackers<T extends Tracker>(m: Map<string, Built<T>>): ReadonlyMap<string, T> {
  return new Map([...m].map(([k, b]) => [k, b.tracker]));
}
