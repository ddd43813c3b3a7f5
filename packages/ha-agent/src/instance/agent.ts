// The whole agent: builds trackers, instances, sync groups and the status API from a KeepalivedConfig,
// and handles reloads keeping the state of unchanged instances.
import { isDeepStrictEqual } from 'node:util';
import type { KeepalivedConfig, TrackRef, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import { EventLoopMonitor } from '../api/event-loop-monitor.ts';
import { type RunningStatusApi, startStatusApi } from '../api/server.ts';
import type { AgentStatus } from '../api/status-schema.ts';
import type { Logger } from '../log.ts';
import { Notifier } from '../notify/notifier.ts';
import { resolveScriptUser } from '../notify/script-user.ts';
import { BalancerTracker } from '../track/balancer.ts';
import { InterfaceTracker } from '../track/interface.ts';
import { ScriptTracker } from '../track/script.ts';
import type { Tracker } from '../track/tracker.ts';
import { SyncGroupRuntime } from './sync-group.ts';
import { VERSION } from './version.ts';
import { type TrackBinding, VrrpInstanceRuntime } from './vrrp-instance.ts';

export interface AgentOptions {
  logger: Logger;
  /** false in tests that do not want an HTTP port */
  statusApi?: boolean;
}

/** How long start-up waits for trackers' first readings before starting the instances. */
const TRACKER_SETTLE_MS = 2000;

interface TrackerEntry {
  tracker: Tracker;
  /** the definition it was built from, to reuse it across reloads */
  def: unknown;
}

/** Instance configuration minus where it was written: moving a block in the file is not a change. */
function comparable(i: VrrpInstance): unknown {
  const { file: _f, line: _l, ...rest } = i;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === 'file' || k === 'line' ? undefined : v)));
}

export class Agent {
  #config: KeepalivedConfig;
  readonly #log: Logger;
  readonly #opts: AgentOptions;
  readonly #notifier: Notifier;
  readonly #trackers = new Map<string, TrackerEntry>();
  #instances = new Map<string, VrrpInstanceRuntime>();
  #groups: SyncGroupRuntime[] = [];
  #api: RunningStatusApi | null = null;
  #eventLoop: EventLoopMonitor;
  readonly #startedAt = new Date();

  constructor(config: KeepalivedConfig, opts: AgentOptions) {
    this.#config = config;
    this.#opts = opts;
    this.#log = opts.logger;
    this.#notifier = this.#makeNotifier(config);
    const minAdvert = Math.min(1, ...config.instances.map((i) => i.advertInt));
    this.#eventLoop = new EventLoopMonitor({ thresholdMs: (minAdvert * 1000) / 4, logger: this.#log });
  }

  get instances(): VrrpInstanceRuntime[] {
    return [...this.#instances.values()];
  }

  async start(): Promise<void> {
    this.#eventLoop.start();
    // The API first: fastify's start-up work is paid before any VRRP timer runs, not as a stall in one.
    if (this.#opts.statusApi !== false) {
      const s = this.#config.globalDefs.statusApi;
      try {
        this.#api = await startStatusApi({
          address: s.address,
          port: s.port,
          token: s.token,
          getStatus: () => this.status(),
          eventLoop: this.#eventLoop,
        });
        this.#log.info({ address: this.#api.address, port: this.#api.port }, 'status API listening');
      } catch (err) {
        // VRRP matters more than the API: keep running without it.
        this.#log.error({ err: String(err) }, 'status API could not start');
      }
    }
    await this.#build(this.#config, new Map());
  }

  /** SIGTERM: priority 0 from every MASTER, VIPs removed, trackers and API stopped. */
  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.stop()));
    await Promise.all([...this.#trackers.values()].map((t) => t.tracker.stop()));
    this.#trackers.clear();
    await this.#api?.close();
    this.#eventLoop.stop();
    await Promise.race([this.#notifier.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
  }

  /** SIGHUP: instances whose configuration (and trackers) did not change keep running, state and all. */
  async reload(next: KeepalivedConfig): Promise<void> {
    const keep = new Map<string, VrrpInstanceRuntime>();
    const old = this.#instances;
    for (const inst of next.instances) {
      const cur = old.get(inst.name);
      if (
        cur &&
        isDeepStrictEqual(comparable(cur.config), comparable(inst)) &&
        this.#trackersUnchanged(inst, next)
      ) {
        keep.set(inst.name, cur);
      }
    }
    const gone = [...old.values()].filter((i) => keep.get(i.name) !== i);
    await Promise.all(gone.map((i) => i.stop()));
    this.#config = next;
    this.#log.info({ kept: [...keep.keys()], restarted: gone.map((i) => i.name) }, 'configuration reloaded');
    await this.#build(next, keep);
    // Trackers nobody uses any more.
    const used = new Set<Tracker>();
    for (const i of this.#instances.values())
      for (const b of this.#bindingsOf(i.config, next)) used.add(b.tracker);
    for (const [key, e] of this.#trackers) {
      if (!used.has(e.tracker)) {
        await e.tracker.stop();
        this.#trackers.delete(key);
      }
    }
  }

  #trackersUnchanged(inst: VrrpInstance, next: KeepalivedConfig): boolean {
    const defs = (c: KeepalivedConfig) =>
      JSON.stringify([
        inst.trackScripts.map((r) => c.vrrpScripts[r.name] && { ...c.vrrpScripts[r.name], file: 0, line: 0 }),
        inst.trackBalancers.map(
          (r) => c.trackBalancers[r.name] && { ...c.trackBalancers[r.name], file: 0, line: 0 },
        ),
      ]);
    return defs(this.#config) === defs(next);
  }

  async #build(config: KeepalivedConfig, keep: Map<string, VrrpInstanceRuntime>): Promise<void> {
    const instances = new Map<string, VrrpInstanceRuntime>();
    const fresh: VrrpInstanceRuntime[] = [];
    for (const inst of config.instances) {
      const kept = keep.get(inst.name);
      if (kept) {
        instances.set(inst.name, kept);
        continue;
      }
      const rt = new VrrpInstanceRuntime(inst, config.globalDefs, this.#bindingsOf(inst, config), {
        logger: this.#log,
        notifier: this.#notifier,
      });
      instances.set(inst.name, rt);
      fresh.push(rt);
    }
    this.#instances = instances;
    this.#groups = config.syncGroups.map(
      (g) =>
        new SyncGroupRuntime(
          g,
          g.members.map((m) => instances.get(m)).filter((m): m is VrrpInstanceRuntime => m !== undefined),
          this.#notifier,
        ),
    );
    for (const e of this.#trackers.values()) e.tracker.start();
    await this.#trackersSettled(fresh, TRACKER_SETTLE_MS);
    for (const rt of fresh) {
      try {
        await rt.start();
      } catch (err) {
        this.#log.error({ instance: rt.name, err: String(err) }, 'instance could not start');
        await rt.stop().catch(() => {});
        throw err;
      }
    }
  }

  /**
   * Trackers start "down" until their first reading (a connect, a script run, a link read). Waiting a
   * moment for them keeps a healthy node from passing through FAULT (and running notify_fault) at start;
   * a tracker still down after the wait is really down.
   */
  async #trackersSettled(instances: VrrpInstanceRuntime[], ms: number): Promise<void> {
    const trackers = new Set<Tracker>();
    for (const i of instances)
      for (const b of this.#bindingsOf(i.config, this.#config)) trackers.add(b.tracker);
    const deadline = performance.now() + ms;
    while ([...trackers].some((t) => !t.state.up) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #bindingsOf(inst: VrrpInstance, config: KeepalivedConfig): TrackBinding[] {
    const group = inst.syncGroup ? config.syncGroups.find((g) => g.name === inst.syncGroup) : undefined;
    const bind = (refs: TrackRef[], kind: 'script' | 'balancer' | 'interface', faultOnly: boolean) =>
      refs.flatMap((r): TrackBinding[] => {
        const t = this.#tracker(kind, r.name, config);
        return t ? [{ tracker: t, weight: r.weight, reverse: r.reverse, faultOnly }] : [];
      });
    const groupFaultOnly = !(group?.syncGroupTrackingWeight ?? false);
    // keepalived tracks the instance's own interface unless `dont_track_primary`: link down → FAULT.
    const primary =
      inst.dontTrackPrimary || inst.trackInterfaces.some((r) => r.name === inst.interface)
        ? []
        : bind(
            [{ name: inst.interface, weight: 0, reverse: false, file: inst.file, line: inst.line }],
            'interface',
            false,
          );
    return [
      ...primary,
      ...bind(inst.trackScripts, 'script', false),
      ...bind(inst.trackBalancers, 'balancer', false),
      ...bind(inst.trackInterfaces, 'interface', false),
      ...bind(group?.trackScripts ?? [], 'script', groupFaultOnly),
      ...bind(group?.trackBalancers ?? [], 'balancer', groupFaultOnly),
      ...bind(group?.trackInterfaces ?? [], 'interface', groupFaultOnly),
    ];
  }

  #tracker(
    kind: 'script' | 'balancer' | 'interface',
    name: string,
    config: KeepalivedConfig,
  ): Tracker | null {
    const def =
      kind === 'script'
        ? config.vrrpScripts[name]
        : kind === 'balancer'
          ? config.trackBalancers[name]
          : { name };
    if (!def) return null;
    const key = `${kind}:${name}`;
    const cur = this.#trackers.get(key);
    const cmp = JSON.stringify({ ...def, file: 0, line: 0 });
    if (cur && cur.def === cmp) return cur.tracker;
    const logger = this.#log.child({ tracker: name });
    let tracker: Tracker;
    if (kind === 'balancer') {
      const b = config.trackBalancers[name];
      tracker = new BalancerTracker({
        name,
        socket: b.socket,
        weight: b.weight,
        rise: b.rise,
        fall: b.fall,
        heartbeatTimeout: b.heartbeatTimeout,
        logger,
      });
    } else if (kind === 'script') {
      const s = config.vrrpScripts[name];
      const user = s.user ?? config.globalDefs.scriptUser;
      tracker = new ScriptTracker({
        name,
        script: s.script,
        interval: s.interval,
        timeout: s.timeout,
        rise: s.rise,
        fall: s.fall,
        initFail: s.initFail,
        weight: s.weight,
        reverse: s.weightReverse,
        identity: user ? resolveScriptUser(user.user, user.group) : null,
        logger,
      });
    } else {
      tracker = new InterfaceTracker({ name, logger });
    }
    this.#trackers.set(key, { tracker, def: cmp });
    return tracker;
  }

  #makeNotifier(config: KeepalivedConfig): Notifier {
    return new Notifier({ logger: this.#log, scriptUser: config.globalDefs.scriptUser });
  }

  status(): AgentStatus {
    const el = this.#eventLoop.status();
    return {
      version: VERSION,
      pid: process.pid,
      routerId: this.#config.globalDefs.routerId,
      startedAt: this.#startedAt.toISOString(),
      uptimeSeconds: (Date.now() - this.#startedAt.getTime()) / 1000,
      instances: this.instances.map((i) => i.status()),
      eventLoop: el,
    };
  }

  get groups(): SyncGroupRuntime[] {
    return this.#groups;
  }
}
