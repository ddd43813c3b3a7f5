// The whole agent: builds trackers, instances, sync groups and the status API from a KeepalivedConfig,
// and handles reloads keeping the state of unchanged instances.
import { realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { KeepalivedConfig, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import { EventLoopMonitor } from '../api/event-loop-monitor.ts';
import { type RunningStatusApi, startStatusApi } from '../api/server.ts';
import type { AgentStatus } from '../api/status-schema.ts';
import { type DumpSnapshot, formatDataDump } from '../dump/data-dump.ts';
import { hostInterfaces } from '../dump/host-interfaces.ts';
import { formatJsonDump } from '../dump/json-dump.ts';
import { formatStatsDump } from '../dump/stats-dump.ts';
import type { Logger } from '../log.ts';
import { NoAcceptFirewall } from '../net/no-accept.ts';
import { LocalVrids } from '../net/transport.ts';
import { Notifier } from '../notify/notifier.ts';
import { resolveScriptUser } from '../notify/script-user.ts';
import { type TrackedRef, TrackerRegistry } from '../track/registry.ts';
import type { Tracker } from '../track/tracker.ts';
import { hostIo, type InstanceIo } from './instance-io.ts';
import { SyncGroupRuntime } from './sync-group.ts';
import { VERSION } from './version.ts';
import { type InstanceVips, VrrpInstanceRuntime } from './vrrp-instance.ts';

export interface AgentOptions {
  logger: Logger;
  /** false in tests that do not want an HTTP port */
  statusApi?: boolean;
  /** injectable for tests; default: the nftables table `inet ha_agent`, made when no_accept needs it */
  firewall?: NoAcceptFirewall;
  /** what the instances do to the host (tests: in memory); default: the host's, one VRID table for all */
  io?: InstanceIo;
  /** each instance's VIP manager (tests: in memory); default: `ip` */
  vipManager?: (instance: VrrpInstance) => InstanceVips;
  /** how long start-up waits for trackers' first readings (ms, default 2000) */
  trackerSettleMs?: number;
}

/** How long start-up waits for trackers' first readings before starting the instances. */
const TRACKER_SETTLE_MS = 2000;

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
  readonly #io: InstanceIo;
  #trackers: TrackerRegistry | null = null;
  #instances = new Map<string, VrrpInstanceRuntime>();
  #groups: SyncGroupRuntime[] = [];
  #api: RunningStatusApi | null = null;
  #eventLoop: EventLoopMonitor;
  readonly #startedAt = new Date();
  #firewall: NoAcceptFirewall | null = null;

  constructor(config: KeepalivedConfig, opts: AgentOptions) {
    this.#config = config;
    this.#opts = opts;
    this.#log = opts.logger;
    this.#notifier = this.#makeNotifier(config);
    this.#io = opts.io ?? hostIo(new LocalVrids());
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
    await this.#build(this.#config, new Map(), this.#newRegistry(this.#config, null));
  }

  /** SIGTERM: priority 0 from every MASTER, VIPs removed, trackers and API stopped. */
  async stop(): Promise<void> {
    for (const g of this.#groups) g.dispose();
    this.#groups = [];
    // Each instance lets go of its trackers at once (synchronously), so the trackers can stop alongside:
    // a tracker's child process (`ip monitor`) hit by the same stop signal is then not restarted.
    const instances = Promise.all(this.instances.map((i) => i.stop()));
    const trackers = this.#trackers?.stop();
    this.#trackers = null;
    await instances;
    await trackers;
    await this.#api?.close();
    this.#eventLoop.stop();
    await Promise.race([this.#notifier.drain(), new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.#firewall?.teardown();
  }

  /**
   * The no_accept table exists from the start (replacing one a crashed agent left) when an instance
   * needs it; each such instance adds its VIPs to it while MASTER. A reload may bring the first one.
   */
  async #firewallFor(config: KeepalivedConfig): Promise<NoAcceptFirewall | undefined> {
    if (!config.instances.some((i) => !i.accept && i.priority !== 255)) return this.#firewall ?? undefined;
    if (!this.#firewall) {
      this.#firewall = this.#opts.firewall ?? new NoAcceptFirewall({ logger: this.#log });
      await this.#firewall.setup();
    }
    return this.#firewall;
  }

  /** SIGHUP: instances whose configuration (and trackers) did not change keep running, state and all. */
  async reload(next: KeepalivedConfig): Promise<void> {
    const old = this.#trackers;
    // Trackers whose definition did not change are taken over, running; an instance is kept when its
    // own configuration is the same and it follows the very same trackers the same way.
    const trackers = this.#newRegistry(next, old);
    const keep = new Map<string, VrrpInstanceRuntime>();
    const running = this.#instances;
    for (const inst of next.instances) {
      const cur = running.get(inst.name);
      if (
        cur &&
        isDeepStrictEqual(comparable(cur.config), comparable(inst)) &&
        sameRefs(cur.trackers, trackers.forInstance(inst))
      ) {
        keep.set(inst.name, cur);
      }
    }
    const gone = [...running.values()].filter((i) => keep.get(i.name) !== i);
    await Promise.all(gone.map((i) => i.stop()));
    this.#config = next;
    this.#log.info({ kept: [...keep.keys()], restarted: gone.map((i) => i.name) }, 'configuration reloaded');
    await this.#build(next, keep, trackers);
    // Trackers nobody uses any more (or replaced by a changed definition).
    await old?.stopUnused(trackers);
  }

  #newRegistry(config: KeepalivedConfig, previous: TrackerRegistry | null): TrackerRegistry {
    return new TrackerRegistry(config, { logger: this.#log, previous });
  }

  async #build(
    config: KeepalivedConfig,
    keep: Map<string, VrrpInstanceRuntime>,
    trackers: TrackerRegistry,
  ): Promise<void> {
    this.#trackers = trackers;
    const firewall = await this.#firewallFor(config);
    const instances = new Map<string, VrrpInstanceRuntime>();
    const fresh: VrrpInstanceRuntime[] = [];
    for (const inst of config.instances) {
      const kept = keep.get(inst.name);
      if (kept) {
        instances.set(inst.name, kept);
        continue;
      }
      const rt = new VrrpInstanceRuntime(inst, config.globalDefs, trackers.forInstance(inst), {
        logger: this.#log,
        notifier: this.#notifier,
        firewall,
        io: this.#io,
        vipManager: this.#opts.vipManager?.(inst),
      });
      instances.set(inst.name, rt);
      fresh.push(rt);
    }
    this.#instances = instances;
    for (const g of this.#groups) g.dispose();
    this.#groups = config.syncGroups.map(
      (g) =>
        new SyncGroupRuntime(
          g,
          g.members.map((m) => instances.get(m)).filter((m): m is VrrpInstanceRuntime => m !== undefined),
          this.#notifier,
        ),
    );
    trackers.start();
    await this.#trackersSettled(fresh, this.#opts.trackerSettleMs ?? TRACKER_SETTLE_MS);
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
    for (const i of instances) for (const b of i.trackers) trackers.add(b.tracker);
    const deadline = performance.now() + ms;
    while ([...trackers].some((t) => !t.state.up) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #makeNotifier(config: KeepalivedConfig): Notifier {
    return new Notifier({
      logger: this.#log,
      scriptUser: config.globalDefs.scriptUser,
      scriptSecurity: config.globalDefs.enableScriptSecurity,
    });
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

  /** Everything the SIGUSR1 data dump shows, as it is now. */
  dumpSnapshot(): DumpSnapshot {
    const empty = new Map();
    return {
      config: this.#config,
      instances: this.instances.map((i) => i.dumpState()),
      groups: this.#groups.map((g) => ({
        name: g.config.name,
        state: g.members.every((m) => m.state === 'MASTER')
          ? 'MASTER'
          : g.members.some((m) => m.state === 'FAULT')
            ? 'FAULT'
            : 'BACKUP',
        members: g.config.members,
        faulty: g.members.filter((m) => m.state === 'FAULT').length,
        init: g.members.filter((m) => m.state === 'INIT').length,
      })),
      scripts: this.#trackers?.scripts ?? empty,
      files: this.#trackers?.files ?? empty,
      processes: this.#trackers?.processes ?? empty,
      interfaces: hostInterfaces(),
      defaultScriptUser: this.#defaultScriptUser(),
    };
  }

  #defaultScriptUser(): { uid: number; gid: number } {
    const u = this.#config.globalDefs.scriptUser;
    if (u) {
      try {
        const id = resolveScriptUser(u.user, u.group);
        return { uid: id.uid, gid: id.gid };
      } catch {}
    }
    return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  }

  /** keepalived.data (SIGUSR1) */
  dataDump(): string {
    return formatDataDump(this.dumpSnapshot(), realCommand);
  }

  /** keepalived.json (keepalived's JSON signal, SIGRTMIN+2) */
  jsonDump(): string {
    return formatJsonDump(
      this.instances.map((i) => i.dumpState()),
      this.#trackers?.scripts ?? new Map(),
      realCommand,
    );
  }

  /** keepalived.stats (SIGUSR2) */
  statsDump(): string {
    return formatStatsDump(this.instances.map((i) => i.dumpState()));
  }
}

/** A script's program as keepalived shows it: found on PATH, symlinks resolved (/bin/true → /usr/bin/true). */
function realCommand(cmd: string): string {
  const candidates = isAbsolute(cmd)
    ? [cmd]
    : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      return realpathSync(c);
    } catch {}
  }
  return cmd;
}

/** The same trackers, in the same order, applied the same way. */
function sameRefs(a: readonly TrackedRef[], b: readonly TrackedRef[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (r, i) =>
        r.tracker === b[i].tracker &&
        r.weight === b[i].weight &&
        r.reverse === b[i].reverse &&
        !r.faultOnly === !b[i].faultOnly,
    )
  );
}
