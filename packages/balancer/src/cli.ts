// `balancer` with HAProxy's command line. One process, or a master and its workers (-W, -Ws,
// master-worker, nbthread N); in the background with -D or `daemon` unless -db, -d or -Ws say
// otherwise (cli/process-mode.ts). It speaks sd_notify when $NOTIFY_SOCKET is set, and never lets a
// signal kill it by accident (see cli/signals.ts).
import type http from 'node:http';
import { flushCompileCache } from 'node:module';
import { systemdNotifier } from '@ha-lb/sd-notify';
import { evaluateBlockCondition } from '@ha-lb/shared-config/haproxy';
import { type CliArgs, parseArgs, USAGE } from './cli/args.ts';
import { diagnosticLines, executablePath, runCheck } from './cli/check.ts';
import { daemonServes, isDaemonChild, launchDaemon } from './cli/daemonize.ts';
import { releaseOldPids, startTakingOver } from './cli/hand-over.ts';
import { enterJail } from './cli/jail.ts';
import { writePidfile } from './cli/pidfile.ts';
import { dropPrivileges, identityOf } from './cli/privileges.ts';
import { processMode } from './cli/process-mode.ts';
import { onSignals, type SignalAction } from './cli/signals.ts';
import { stateDump } from './cli/state-dump.ts';
import { closeUnused, TAKEN, takeOldSockets } from './cli/take-sockets.ts';
import { versionText } from './cli/version-text.ts';
import {
  type LoadedConfig,
  loadBalancerConfig,
  loadBalancerConfigText,
  NO_LISTENER_START,
} from './config/load.ts';
import { DEMO_SOURCE_NAME, defaultConfigText, startDemoServer } from './default-config.ts';
import type { Engine } from './engine/engine.ts';
import type { EngineConfig } from './engine/engine-config.ts';
import { UsageError } from './errors.ts';
import type { HealthServer, startHealthServer } from './health-api/health-server.ts';
import {
  describeSocket,
  type InheritedSocket,
  inheritedSockets,
  stillOpen,
  useInheritedSockets,
} from './listen/systemd-fds.ts';
import { stderrMessages } from './log/messages.ts';
import { BALANCER_VERSION } from './version.ts';
import type { Master } from './workers/master.ts';

/** How long a soft stop (SIGUSR1) waits for in-flight work unless `hard-stop-after` says. */
const DEFAULT_GRACE_MS = 10_000;

async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`[ALERT]    (${process.pid}) : ${err.message}\n${USAGE}`);
      return 1;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version > 0) {
    process.stdout.write(versionText(args.version as 1 | 2));
    return 0;
  }
  if (args.chdir !== null) {
    try {
      process.chdir(args.chdir);
    } catch (err) {
      process.stderr.write(
        `[ALERT]    (${process.pid}) : Cannot chdir to ${args.chdir}: ${(err as Error).message}\n`,
      );
      return 1;
    }
  }
  if (args.checkCondition !== null) return checkCondition(args.checkCondition);

  if (args.check) {
    if (args.files.length === 0) {
      process.stderr.write(
        `[ALERT]    (${process.pid}) : No configuration file specified (use -f FILE with -c).\n`,
      );
      return 1;
    }
    return runCheck(args.files, {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      quiet: args.quiet,
      zeroWarning: args.zeroWarning,
    });
  }

  // Signals are ours from here on: one arriving during start-up must not kill the process (the
  // default action) — a stop is kept for when serving starts, anything else is logged and ignored.
  let early: { signal: string; action: SignalAction } | null = null;
  let onSignal = (signal: NodeJS.Signals, action: SignalAction) => {
    if (action === 'hard-stop' || action === 'soft-stop') early ??= { signal, action };
    else process.stderr.write(`[NOTICE]   (${process.pid}) : ${signal} received during start-up: ignored.\n`);
  };
  // a worker of `nbthread` (workers/worker.ts) leaves signals to its master
  const isWorker = process.env.BALANCER_WORKER !== undefined;
  // the daemon's launcher printed the start-up diagnostics already (cli/daemonize.ts)
  const daemonChild = isDaemonChild();
  if (daemonChild) process.stderr.on('error', () => {});
  if (!isWorker) onSignals((signal, action) => onSignal(signal, action));

  const demo = args.files.length === 0;
  const fePort = Number(process.env.BALANCER_DEMO_PORT ?? 8080);
  const demoPorts: [number, number] = [fePort + 1, fePort + 2];
  const load = (): LoadedConfig =>
    demo
      ? loadBalancerConfigText([{ path: DEMO_SOURCE_NAME, text: defaultConfigText(fePort, demoPorts) }], {
          zeroWarning: args.zeroWarning,
        })
      : loadBalancerConfig(args.files, { env: process.env, zeroWarning: args.zeroWarning });

  const loaded = load();
  const quiet = (args.quiet || loaded.quiet) && !args.verbose;
  const messages = stderrMessages({ quiet });
  if (!quiet && !isWorker && !daemonChild)
    for (const line of diagnosticLines(loaded, process.pid, executablePath()))
      process.stderr.write(`${line}\n`);
  if (loaded.engine === null) return 1;
  if (!loaded.hasListener) {
    if (!quiet) messages.alert(NO_LISTENER_START);
    return 1;
  }
  const mode = processMode(args, {
    daemon: loaded.engine.global.daemon === true,
    masterWorker: loaded.engine.global.masterWorker === true,
  });
  // HAProxy forks once the configuration is read; the launcher returns when the daemon serves
  if (mode.background && !isWorker && !daemonChild && !demo) return launchDaemon();
  // systemd socket activation: binds whose address systemd passed serve from its sockets
  // (a worker gets the master's list: the master holds the sockets and shares them, node:cluster)
  const inherited: InheritedSocket[] = isWorker
    ? JSON.parse(process.env.BALANCER_INHERITED ?? '[]')
    : inheritedSockets(process.env);
  for (const k of ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES']) delete process.env[k];
  // -x SOCKET: the old process's listening sockets, served as systemd's are (cli/take-sockets.ts)
  if (!isWorker && args.oldSocket !== null) {
    const taken = takeOldSockets(args.oldSocket, messages, mode.masterWorker);
    if (taken === null) return 1;
    inherited.push(...taken);
  }
  const activate = (c: EngineConfig, when: string): EngineConfig => {
    const r = useInheritedSockets(c, isWorker ? inherited : stillOpen(inherited));
    if (isWorker) return r.config;
    // a taken socket no bind uses is closed at once (HAProxy's); systemd's stay, with a warning
    const closed = closeUnused(r.unused);
    for (let i = inherited.length - 1; i >= 0; i--) if (closed.has(inherited[i].fd)) inherited.splice(i, 1);
    for (const s of r.unused.filter((u) => !closed.has(u.fd)))
      messages.warning(
        `${when}systemd passed ${describeSocket(s)}, which no 'bind' line uses (by address or fd@${s.fd}); it stays open, unused.`,
      );
    if (args.verbose || args.debug)
      for (const m of r.matched)
        messages.notice(
          `bind at ${m.bind} serves on the socket ${inherited.find((x) => x.fd === m.fd)?.name === TAKEN ? 'taken from the old process' : 'systemd passed'} as fd@${m.fd}`,
        );
    return r.config;
  };
  const activated = activate(withCommandLine(loaded.engine, args), '');
  // a chrooted worker is replaced at each reload, not reloaded in place: its listeners must outlive it,
  // so they are the master's sockets shared with every worker (node:cluster), not its own SO_REUSEPORT ones
  const config =
    isWorker && activated.global.chroot
      ? { ...activated, global: { ...activated.global, reusePort: false } }
      : activated;
  if (isWorker) {
    const { runWorker } = await import('./workers/worker.ts');
    return runWorker({
      config,
      messages,
      reloadConfig() {
        const next = load();
        return next.engine === null || !next.hasListener
          ? null
          : activate(withCommandLine(next.engine, args), '');
      },
      afterBind: () => {
        const id = identityOf(config.global); // (the user and group files are outside the chroot)
        return enterJail(config.global.chroot) ?? dropPrivileges(config.global, id);
      },
    });
  }
  const workers = demo ? 1 : (config.global.nbthread ?? 1);
  /** a master and its workers: -W, -Ws, master-worker, or nbthread N > 1 */
  const supervised = !demo && (workers > 1 || mode.masterWorker);
  for (const note of args.notes) messages.warning(note);
  const handOver = { finish: args.finishPids, terminate: args.terminatePids };

  const demoServers: http.Server[] = [];
  if (demo) {
    messages.notice(
      `no -f given: running the built-in demo configuration — frontend on 127.0.0.1:${fePort}, ` +
        `round-robin over two demo servers on 127.0.0.1:${demoPorts[0]} and 127.0.0.1:${demoPorts[1]}. ` +
        `Try: curl http://127.0.0.1:${fePort}/`,
    );
    if (args.verbose) process.stderr.write(defaultConfigText(fePort, demoPorts));
    try {
      for (const [i, port] of demoPorts.entries())
        demoServers.push(await startDemoServer(`demo${i + 1}`, port));
    } catch (err) {
      messages.alert(`demo server: cannot bind 127.0.0.1: ${(err as Error).message}`);
      for (const s of demoServers) s.close();
      return 1;
    }
  }

  // Only serving needs the engine (the data path) and the health API: `-c` never loads them.
  const [{ startEngine }, { startHealthServer }, { reloadEngine }, { startMaster }] = await Promise.all([
    import('./engine/engine.ts'),
    import('./health-api/health-server.ts'),
    import('./engine/reload.ts'),
    supervised ? import('./workers/master.ts') : { startMaster: null as never },
  ]);
  /** nbthread > 1: the workers' master (workers/master.ts) */
  let master: Master | null = null;
  const notifier = systemdNotifier({ onError: (err) => messages.warning(`sd_notify: ${err.message}`) });
  let engine: Engine;
  try {
    engine = await startTakingOver(
      async () => {
        if (!supervised) return startEngine(config, messages);
        master = await startMaster(config, messages, {
          count: workers,
          env: { BALANCER_INHERITED: JSON.stringify(stillOpen(inherited)) },
        });
        return master.engine;
      },
      handOver,
      messages,
    );
  } catch (err) {
    messages.alert((err as Error).message);
    for (const s of demoServers) s.close();
    return 1;
  }
  // HAProxy writes it in the background and in master-worker mode only: the daemon's pid, the master's
  const pidfile = mode.writesPidfile ? (args.pidfile ?? config.global.pidfile) : null;
  if (pidfile) {
    try {
      writePidfile(pidfile, process.pid);
    } catch (err) {
      messages.alert((err as Error).message);
      await engine.stop(0);
      return 1;
    }
  }
  if (args.verbose || args.debug)
    for (const l of engine.listeners) messages.notice(`proxy ${l.proxy} listening on ${l.address}`);

  /** reloads asked for, and those that kept the running configuration (the master CLI's `show proc`) */
  const reloads = { done: 0, failed: 0 };
  let masterCli: { close(): void }[] = [];
  if (args.masterCli.length > 0 && !mode.masterWorker)
    messages.warning('config : a master CLI socket was defined, but master-worker mode (-W) is not enabled.');
  else if (args.masterCli.length > 0 && master !== null) {
    const m: Master = master;
    const startedAt = Date.now() - process.uptime() * 1000;
    try {
      const [{ startMasterCli, parseMasterCliArg }, { runCommand }] = await Promise.all([
        import('./runtime/master-cli.ts'),
        import('./runtime/commands.ts'),
      ]);
      masterCli = await startMasterCli(
        args.masterCli.map(parseMasterCliArg),
        {
          version: BALANCER_VERSION,
          master: () => ({ pid: process.pid, startedAt, reloads: reloads.done, failed: reloads.failed }),
          workers: () => m.workers(),
          ask: (pid, line, level) => m.ask(pid, line, level),
          async runEverywhere(line, level) {
            const rt = m.engine.stats;
            if (rt.refresh) await rt.refresh();
            const out = runCommand(line, level, rt);
            rt.ran?.(line, level);
            return out;
          },
          reload: () => onSignal('SIGUSR2', 'reload'),
        },
        messages,
      );
    } catch (err) {
      messages.alert((err as Error).message);
      await engine.stop(0);
      return 1;
    }
  }

  // the old process's watchers (the ha-agent) must hear `replaced`, not `stopping`: tell it first
  if (config.global.healthSocket && handOver.finish.length + handOver.terminate.length > 0) {
    const { announceSuccessor } = await import('./health-api/successor.ts');
    if (!(await announceSuccessor(config.global.healthSocket.path, process.pid)))
      messages.notice(
        `-sf/-st: nothing took the announcement on ${config.global.healthSocket.path}; a watching agent will see the old process stop.`,
      );
  }
  releaseOldPids(handOver, messages);
  let health: HealthServer | null = null;
  if (config.global.healthSocket) {
    try {
      health = await startHealthServerTakingOver(
        startHealthServer,
        engine,
        config.global.healthSocket,
        handOver,
      );
      if (args.verbose || args.debug) messages.notice(`health API on unix@${health.path}`);
    } catch (err) {
      // not fatal: the balancer still balances; an ha-agent tracking it will see it as down
      messages.warning(`${(err as Error).message}; the health API is not available.`);
    }
  }
  if (!supervised && (config.global.cpuMap ?? []).length > 0) {
    // one process: it is thread 1 of cpu-map (with workers, the master pins each, workers/master.ts)
    const { cpusOf, pin } = await import('./workers/cpu-map.ts');
    const cpus = cpusOf(config.global.cpuMap ?? [], 1, 1);
    const why = cpus === null ? null : pin(process.pid, cpus);
    if (why !== null) messages.warning(`cpu-map: the process is not pinned: ${why}.`);
  }
  // every socket is bound (and the health API's): enter the chroot (one process serving: this one;
  // with workers, each of them) and give up root if the configuration says so
  const jailed = !supervised && config.global.chroot ? config.global.chroot : null;
  if (jailed !== null) flushCompileCache?.(); // its cache directory is outside
  // A master whose workers are chrooted keeps root, as HAProxy 2.6's master does: each reload forks
  // new workers, which must be able to enter the directory (and bind) before they give up root.
  const keepsRoot = supervised && Boolean(config.global.chroot);
  const id = identityOf(config.global);
  const refused =
    (jailed !== null ? enterJail(jailed) : null) ?? (keepsRoot ? null : dropPrivileges(config.global, id));
  if (refused !== null) {
    messages.alert(refused);
    await health?.close();
    await engine.stop(0);
    return 1;
  }
  if (supervised && (args.verbose || args.debug))
    messages.notice(`${workers} worker processes serve the traffic frontends (nbthread ${workers}).`);
  const listening = () => `${engine.listeners.filter((l) => l.listening).length} listeners`;
  notifier.ready(`serving: ${listening()}`);
  if (daemonChild) daemonServes();
  // Node writes its compile cache (bin/balancer) at exit; a daemon may never exit cleanly.
  if (jailed === null) flushCompileCache?.();

  let graceMs = config.global.hardStopAfter ?? DEFAULT_GRACE_MS;
  /** engines of earlier configurations still finishing their connections */
  const retiring = new Set<Engine>();
  return new Promise<number>((resolve) => {
    let stopping = false;
    let paused = false;
    let reloading: Promise<void> = Promise.resolve();
    const finish = () => {
      notifier.close();
      for (const c of masterCli) c.close();
      for (const s of demoServers) s.closeAllConnections();
      for (const s of demoServers) s.close();
      resolve(0);
    };
    const stop = (signal: string, grace: number) => {
      if (stopping) {
        messages.notice(`${signal} received again: exiting now.`);
        finish();
        return;
      }
      stopping = true;
      messages.notice(
        grace > 0
          ? `${signal} received: soft stop, finishing in-flight work for up to ${grace} ms.`
          : `${signal} received: stopping now.`,
      );
      notifier.stopping(`stopping (${signal})`);
      // watchers learn first, so the agent can move the VIP while in-flight requests finish; a soft
      // stop lets keep-alive clients go after their next response (Engine.retire), a hard one cuts
      (health ? health.close() : Promise.resolve())
        .then(() =>
          Promise.all([
            grace > 0 ? engine.retire(grace) : engine.stop(0),
            ...[...retiring].map((e) => e.stop(grace)),
          ]),
        )
        .then(finish);
    };
    const reload = (signal: string) => {
      reloading = reloading.then(async () => {
        if (stopping) return;
        notifier.reloading(`reloading (${signal})`);
        reloads.done++;
        if (jailed !== null) {
          // HAProxy reloads by starting a new process; so does the master in master-worker mode
          reloads.failed++;
          messages.alert(
            `${signal} received: this process is chrooted to ${jailed} and cannot read its configuration again; still serving the running one. Run in master-worker mode (-W, -Ws or 'master-worker': each reload starts new workers) or start a new process with -sf.`,
          );
          if (!stopping) notifier.ready(`serving: ${listening()}`);
          return;
        }
        const next = load();
        const lines = diagnosticLines(next, process.pid, executablePath());
        if (!quiet) for (const line of lines) process.stderr.write(`${line}\n`);
        if (next.engine === null || !next.hasListener) reloads.failed++;
        if (next.engine === null)
          messages.alert(
            `${signal} received: the new configuration has errors; still serving the running one.`,
          );
        else if (!next.hasListener)
          messages.alert(
            `${signal} received: the new configuration has no listener; still serving the running one.`,
          );
        else await apply(signal, activate(withCommandLine(next.engine, args), `${signal}: `));
        if (!stopping) notifier.ready(`serving: ${listening()}`);
      });
    };
    const apply = async (signal: string, nextConfig: EngineConfig) => {
      const old = engine;
      let r: Awaited<ReturnType<typeof reloadEngine>>;
      try {
        r = master
          ? await master.reload(nextConfig, graceMs)
          : await reloadEngine(old, nextConfig, messages, graceMs);
      } catch (err) {
        reloads.failed++;
        messages.alert(
          `${signal} received: cannot apply the new configuration: ${(err as Error).message}; still serving the running one.`,
        );
        return;
      }
      engine = r.engine;
      health?.setEngine(engine);
      graceMs = nextConfig.global.hardStopAfter ?? DEFAULT_GRACE_MS;
      if (!master && (nextConfig.global.chroot ?? null) !== (config.global.chroot ?? null))
        messages.warning(
          `${signal}: chroot changes apply at the next start (or at each reload in master-worker mode).`,
        );
      if (nextConfig.global.healthSocket?.path !== config.global.healthSocket?.path)
        messages.warning(
          `${signal}: health-socket changes apply at the next start; the health API stays where it was.`,
        );
      messages.notice(
        `${signal} received: new configuration applied (${r.kept.length} listeners taken over, ` +
          `${r.added.length} added, ${r.removed.length} closed); the previous one finishes its connections.`,
      );
      if (args.verbose || args.debug) {
        for (const a of r.added) messages.notice(`listening on ${a} (added by the reload)`);
        for (const a of r.removed) messages.notice(`no longer listening on ${a} (removed by the reload)`);
      }
      retiring.add(old);
      const since = Date.now();
      r.retired.then((cut) => {
        retiring.delete(old);
        if (cut === 0)
          messages.notice(`previous configuration: all its connections finished (${Date.now() - since} ms).`);
        else
          messages.warning(
            `previous configuration: ${cut} connections still open after ${Date.now() - since} ms (hard-stop-after) were closed.`,
          );
      });
    };
    onSignal = (signal, action) => {
      switch (action) {
        case 'hard-stop':
          return stop(signal, 0);
        case 'soft-stop':
          return stop(signal, graceMs);
        case 'reload':
          if (stopping) return messages.notice(`${signal} received while stopping: ignored.`);
          // a paused engine holds inherited sockets with connections waiting on them: resume first
          if (paused) return messages.notice(`${signal} received while paused: ignored (SIGTTIN resumes).`);
          return reload(signal);
        case 'pause':
          if (stopping) return messages.notice(`${signal} received while stopping: ignored.`);
          paused = true;
          engine.pause();
          messages.notice(`${signal} received: listeners paused (not accepting; SIGTTIN resumes).`);
          return notifier.status(`paused: ${listening()}`);
        case 'resume':
          if (stopping) return messages.notice(`${signal} received while stopping: ignored.`);
          paused = false;
          engine.resume().then(
            () => {
              messages.notice(`${signal} received: listeners resumed (${listening()}).`);
              notifier.status(`serving: ${listening()}`);
            },
            (err) => messages.alert(`${signal} received: cannot resume listening: ${(err as Error).message}`),
          );
          return;
        case 'dump':
          stateDump(engine, messages, signal);
          return master?.dump(signal);
        case 'ignore':
          return messages.notice(`${signal} received: ignored.`);
      }
    };
    if (early !== null) onSignal(early.signal as NodeJS.Signals, early.action);
  });
}

/**
 * With -sf/-st the old process holds the health socket until its soft stop begins (it closes it
 * first): wait for that, up to a few seconds, rather than give up at once.
 */
async function startHealthServerTakingOver(
  start: typeof startHealthServer,
  engine: Engine,
  opts: { path: string; mode: number },
  h: { finish: readonly number[]; terminate: readonly number[] },
): Promise<HealthServer> {
  const waiting = h.finish.length + h.terminate.length > 0;
  for (let i = 0; ; i++) {
    try {
      return await start(engine, opts);
    } catch (err) {
      if (!waiting || i >= 60 || !/another process is serving it/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** `-n` overrides the global maxconn; `-N` is the maxconn of frontends that set none. */
function withCommandLine(config: EngineConfig, args: CliArgs): EngineConfig {
  if (args.maxconn === null && args.proxyMaxconn === null && !args.noReusePort) return config;
  return {
    ...config,
    global: {
      ...config.global,
      maxconn: args.maxconn ?? config.global.maxconn,
      reusePort: !args.noReusePort,
    },
    frontends: config.frontends.map((fe) => ({ ...fe, maxconn: fe.maxconn ?? args.proxyMaxconn })),
  };
}

/** `-cc COND`: HAProxy's `.if` condition language; exit 0 when true, 1 when false, 2 when it cannot parse. */
function checkCondition(text: string): number {
  const r = evaluateBlockCondition(text.split(/\s+/).filter(Boolean), process.env);
  if (r.ok) return r.value ? 0 : 1;
  process.stderr.write(`[ALERT]    (${process.pid}) : config : Failed to evaluate condition: ${r.error}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[ALERT]    (${process.pid}) : unexpected error: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
