import { writeFileSync } from 'node:fs';
import type http from 'node:http';
import { parseArgs, USAGE, UsageError } from './cli/args.ts';
import { runCheck } from './cli/check.ts';
import { defaultConfigText, defaultEngineConfig, startDemoServer } from './default-config.ts';
import { type Engine, startEngine } from './engine/engine.ts';
import type { EngineConfig } from './engine/engine-config.ts';
import { loadEngineConfig } from './engine/load-config.ts';
import { type HealthServer, startHealthServer } from './health-api/health-server.ts';
import { stderrMessages } from './log/messages.ts';
import { BALANCER_VERSION } from './version.ts';

/** How long a graceful stop (SIGTERM/SIGINT/SIGUSR1) waits for in-flight work unless `hard-stop-after` says. */
const DEFAULT_GRACE_MS = 10_000;

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
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
    process.stdout.write(
      `balancer version ${BALANCER_VERSION} - haproxy.cfg compatible, HAProxy 2.6 behaviour\n` +
        (args.version > 1 ? `Running on: Node ${process.version} ${process.platform}/${process.arch}\n` : ''),
    );
    return 0;
  }
  const messages = stderrMessages({ quiet: args.quiet && !args.verbose });

  if (args.check) {
    if (args.files.length === 0) {
      messages.alert('No configuration file specified (use -f FILE with -c).');
      return 1;
    }
    return runCheck(args.files, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  }

  if (args.daemon)
    messages.warning('-D: the balancer does not fork; it stays in the foreground (run it under systemd).');
  if (args.masterWorker)
    messages.warning('-W/-Ws: master-worker mode is not implemented yet; running a single process.');
  if (args.finishPids.length || args.terminatePids.length)
    messages.warning(
      '-sf/-st: handing over from old processes is not implemented yet; the pids are ignored.',
    );

  let config: EngineConfig;
  const demoServers: http.Server[] = [];
  if (args.files.length === 0) {
    const fePort = Number(process.env.BALANCER_DEMO_PORT ?? 8080);
    const ports: [number, number] = [fePort + 1, fePort + 2];
    messages.notice(
      `no -f given: running the built-in demo configuration — frontend on 127.0.0.1:${fePort}, ` +
        `round-robin over two demo servers on 127.0.0.1:${ports[0]} and 127.0.0.1:${ports[1]}. ` +
        `Try: curl http://127.0.0.1:${fePort}/`,
    );
    if (args.verbose) process.stderr.write(defaultConfigText(fePort, ports));
    try {
      for (const [i, port] of ports.entries()) demoServers.push(await startDemoServer(`demo${i + 1}`, port));
    } catch (err) {
      messages.alert(`demo server: cannot bind 127.0.0.1: ${(err as Error).message}`);
      for (const s of demoServers) s.close();
      return 1;
    }
    config = defaultEngineConfig(fePort, ports);
  } else {
    const loaded = loadEngineConfig(args.files, messages, {
      stderr: process.stderr,
      quiet: args.quiet && !args.verbose,
    });
    if (!loaded) return 1;
    config = loaded;
  }

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
      writeFileSync(pidfile, `${process.pid}\n`);
    } catch (err) {
      messages.alert(`cannot create pidfile ${pidfile}: ${(err as Error).message}`);
      await engine.stop(0);
      return 1;
    }
  }
  if (args.verbose)
    for (const l of engine.listeners) messages.notice(`proxy ${l.proxy} listening on ${l.address}`);

  let health: HealthServer | null = null;
  if (config.global.healthSocket) {
    try {
      health = await startHealthServer(engine, config.global.healthSocket);
      if (args.verbose) messages.notice(`health API on unix@${health.path}`);
    } catch (err) {
      // not fatal: the balancer still balances; an ha-agent tracking it will see it as down
      messages.warning(`${(err as Error).message}; the health API is not available.`);
    }
  }
  const graceMs = config.global.hardStopAfter ?? DEFAULT_GRACE_MS;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // A second signal means "now".
        resolve(0);
        return;
      }
      stopping = true;
      messages.notice(`${signal} received: stopping gracefully (up to ${graceMs} ms for in-flight work).`);
      // watchers learn first, so the agent can move the VIP while in-flight requests finish
      (health ? health.close() : Promise.resolve())
        .then(() => engine.stop(graceMs))
        .then(() => {
          for (const s of demoServers) s.closeAllConnections();
          for (const s of demoServers) s.close();
          resolve(0);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGUSR1', () => stop('SIGUSR1'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[ALERT]    (${process.pid}) : unexpected error: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  },
);
