// `ha-agent` with keepalived's command line. One process does what keepalived's parent + VRRP child
// do; it never forks (systemd runs it in the foreground), so `-n` is accepted and implied.
import { unlinkSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatKeepalivedDiagnostic, loadKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { runConfigTest } from './cli/config-test.ts';
import { Agent } from './instance/agent.ts';
import { VERSION } from './instance/version.ts';
import { createLogger } from './log.ts';

const USAGE = `Usage: ha-agent [OPTION...]
  -f, --use-file=FILE      configuration file (default /etc/keepalived/keepalived.conf)
  -n, --dont-fork          stay in the foreground (always the case)
  -l, --log-console        log to the console (stderr; always the case)
  -D, --log-detail         detailed (debug) logging
  -t, --config-test        check the configuration and exit (0 = valid)
  -i, --config-id=ID       select '@ID' conditional configuration lines
  -p, --pid=FILE           main pid file (default /run/ha-agent.pid)
  -r, --vrrp_pid=FILE      VRRP pid file (default /run/ha-agent_vrrp.pid)
  -P, --vrrp               run the VRRP subsystem only (the only one there is)
  -v, --version            print the version and exit
  -h, --help               this help`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      'use-file': { type: 'string', short: 'f' },
      'dont-fork': { type: 'boolean', short: 'n' },
      'log-console': { type: 'boolean', short: 'l' },
      'log-detail': { type: 'boolean', short: 'D' },
      'config-test': { type: 'boolean', short: 't' },
      'config-id': { type: 'string', short: 'i' },
      pid: { type: 'string', short: 'p' },
      vrrp_pid: { type: 'string', short: 'r' },
      vrrp: { type: 'boolean', short: 'P' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`ha-agent: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`ha-agent v${VERSION} (keepalived.conf compatible VRRP agent)\n`);
    return 0;
  }
  const file = opts['use-file'] ?? '/etc/keepalived/keepalived.conf';
  const configId = opts['config-id'];
  if (opts['config-test']) {
    return runConfigTest(file, { configId, stdout: process.stdout, stderr: process.stderr });
  }
  const log = createLogger({ detail: opts['log-detail'], console: opts['log-console'] });
  const load = () => {
    const r = loadKeepalivedConfig(file, { configId });
    for (const d of r.diagnostics) {
      const line = formatKeepalivedDiagnostic(d);
      if (d.severity === 'alert') log.error({ code: d.code }, line);
      else log.warn({ code: d.code }, line);
    }
    return r.config;
  };
  const config = load();
  if (!config) {
    log.error({ file }, 'configuration has errors; not starting');
    return 1;
  }
  // Our own default names, so a keepalived still installed on the host keeps its pid files.
  const pidfiles = [opts.pid ?? '/run/ha-agent.pid', opts.vrrp_pid ?? '/run/ha-agent_vrrp.pid'];
  for (const p of pidfiles) {
    try {
      writeFileSync(p, `${process.pid}\n`);
    } catch (err) {
      log.warn({ file: p, err: String(err) }, 'cannot write pid file');
    }
  }
  const removePidfiles = () => {
    for (const p of pidfiles) {
      try {
        unlinkSync(p);
      } catch {}
    }
  };

  const agent = new Agent(config, { logger: log });
  let stopping = false;
  let reloading: Promise<void> = Promise.resolve();
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await reloading.catch(() => {});
    // A hung shutdown must not keep the VIP hostage forever.
    const guard = setTimeout(() => {
      log.error('shutdown took more than 10 s; exiting');
      removePidfiles();
      process.exit(1);
    }, 10_000);
    guard.unref();
    try {
      await agent.stop();
    } catch (err) {
      log.error({ err: String(err) }, 'error while stopping');
    }
    removePidfiles();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => {
    if (stopping) return;
    reloading = reloading.then(async () => {
      log.info('SIGHUP: reloading configuration');
      const next = load();
      if (!next) {
        log.error('new configuration has errors; keeping the running one');
        return;
      }
      await agent.reload(next).catch((err) => log.error({ err: String(err) }, 'reload failed'));
    });
  });

  try {
    await agent.start();
  } catch (err) {
    log.error({ err: String(err) }, 'cannot start');
    await agent.stop().catch(() => {});
    removePidfiles();
    return 1;
  }
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`ha-agent: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
