// `balancer` with HAProxy's command line. One process; it never forks (systemd runs it in the
// foreground, as HAProxy's -Ws/-db), speaks sd_notify when $NOTIFY_SOCKET is set, and never lets a
// signal kill it by accident (see cli/signals.ts).
import type http from 'node:http';
import { flushCompileCache } from 'node:module';
import { systemdNotifier } from '@ha-lb/sd-notify';
import { evaluateBlockCondition } from '@ha-lb/shared-config/haproxy';
import { type CliArgs, parseArgs, USAGE } from './cli/args.ts';
import { diagnosticLines, executablePath, runCheck } from './cli/check.ts';
import { writePidfile } from './cli/pidfile.ts';
import { onSignals, type SignalAction } from './cli/signals.ts';
import { stateDump } from './cli/state-dump.ts';
import { versionText } from './cli/version-text.ts';
import {
  type LoadedConfig,
  loadBalancerConfig,
  loadBalancerConfigText,
  NO_LISTENER_START,
} from './config/load.ts';
import { DEMO_SOURCE_NAME, defaultConfigText, startDemoServer } from './default-config.ts';
import { type Engine, startEngine } from './engine/engine.ts';
import type { EngineConfig } from './engine/engine-config.ts';
import { UsageError } from './errors.ts';
import { type HealthServer, startHealthServer } from './health-api/health-server.ts';
import { stderrMessages } from './log/messages.ts';

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
  onSignals((signal, action) => onSignal(signal, action));

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
  if (!quiet)
    for (const line of diagnosticLines(loaded, process.pid, executablePath()))
      process.stderr.write(`${line}\n`);
  if (loaded.engine === null) return 1;
  if (!loaded.hasListener) {
    if (!quiet) messages.alert(NO_LISTENER_START);
    return 1;
  }
  const config = withCommandLine(loaded.engine, args);
  for (const note of args.notes) messages.warning(note);
  if (args.daemon)
    messages.warning('-D: the balancer does not fork; it stays in the foreground (run it under systemd).');
  if (args.masterWorker)
    messages.warning(
      `${args.systemdMode ? '-Ws' : '-W'}: master-worker mode is planned; a single process serves.`,
    );
  if (args.finishPids.length || args.terminatePids.length)
    messages.warning('-sf/-st: handing over from old processes is planned; the pids are left alone.');

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

  const notifier = systemdNotifier({ onError: (err) => messages.warning(`sd_notify: ${err.message}`) });
  let engine: Engine;
  try {
    engine = await startEngine(config, messages);
  } catch (err) {
    messages.alert((err as Error).message);
    for (const s of demoServers) s.close();
    return 1;
  }
  const pidfile = args.pidfile ?? config.global.pidfile;
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

  let health: HealthServer | null = null;
  if (config.global.healthSocket) {
    try {
      health = await startHealthServer(engine, config.global.healthSocket);
      if (args.verbose || args.debug) messages.notice(`health API on unix@${health.path}`);
    } catch (err) {
      // not fatal: the balancer still balances; an ha-agent tracking it will see it as down
      messages.warning(`${(err as Error).message}; the health API is not available.`);
    }
  }
  const listening = () => `${engine.listeners.filter((l) => l.listening).length} listeners`;
  notifier.ready(`serving: ${listening()}`);
  // Node writes its compile cache (bin/balancer) at exit; a daemon may never exit cleanly.
  flushCompileCache?.();

  const graceMs = config.global.hardStopAfter ?? DEFAULT_GRACE_MS;
  return new Promise<number>((resolve) => {
    let stopping = false;
    let reloading: Promise<void> = Promise.resolve();
    const finish = () => {
      notifier.close();
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
      // watchers learn first, so the agent can move the VIP while in-flight requests finish
      (health ? health.close() : Promise.resolve()).then(() => engine.stop(grace)).then(finish);
    };
    const reload = (signal: string) => {
      reloading = reloading.then(() => {
        notifier.reloading(`reloading (${signal})`);
        const next = load();
        const lines = diagnosticLines(next, process.pid, executablePath());
        if (!quiet) for (const line of lines) process.stderr.write(`${line}\n`);
        if (next.engine === null)
          messages.alert(
            `${signal} received: the new configuration has errors; still serving the running one.`,
          );
        else if (!next.hasListener)
          messages.alert(
            `${signal} received: the new configuration has no listener; still serving the running one.`,
          );
        else {
          // certificates (and TLS settings) of the binds that still exist apply to new handshakes
          const tls = engine.reloadTls(next.engine);
          if (tls.length > 0)
            messages.notice(`${signal} received: TLS certificates reloaded (${tls.join('; ')}).`);
          messages.warning(
            `${signal} received: the new configuration is valid, but applying it without a restart is not implemented yet${tls.length > 0 ? ' beyond TLS certificates' : ''}; still serving the configuration loaded at start (restart the balancer to apply it).`,
          );
        }
        notifier.ready(`serving: ${listening()}`);
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
          return reload(signal);
        case 'pause':
          if (stopping) return messages.notice(`${signal} received while stopping: ignored.`);
          engine.pause();
          messages.notice(`${signal} received: listeners paused (not accepting; SIGTTIN resumes).`);
          return notifier.status(`paused: ${listening()}`);
        case 'resume':
          if (stopping) return messages.notice(`${signal} received while stopping: ignored.`);
          engine.resume().then(
            () => {
              messages.notice(`${signal} received: listeners resumed (${listening()}).`);
              notifier.status(`serving: ${listening()}`);
            },
            (err) => messages.alert(`${signal} received: cannot resume listening: ${(err as Error).message}`),
          );
          return;
        case 'dump':
          return stateDump(engine, messages, signal);
        case 'ignore':
          return messages.notice(`${signal} received: ignored.`);
      }
    };
    if (early !== null) onSignal(early.signal as NodeJS.Signals, early.action);
  });
}

/** `-n` overrides the global maxconn; `-N` is the maxconn of frontends that set none. */
function withCommandLine(config: EngineConfig, args: CliArgs): EngineConfig {
  if (args.maxconn === null && args.proxyMaxconn === null) return config;
  return {
    ...config,
    global: { ...config.global, maxconn: args.maxconn ?? config.global.maxconn },
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
