// `ha-agent` with keepalived's command line. One process does what keepalived's parent + VRRP child
// do; it never forks (systemd runs it in the foreground), so `-n` is accepted and implied.
import { unlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { parseArgs } from 'node:util';
import { systemdNotifier } from '@ha-lb/sd-notify';
import { formatKeepalivedDiagnostic, loadKeepalivedConfig } from '@ha-lb/shared-config/keepalived';
import { runConfigTest } from './cli/config-test.ts';
import { dumpPaths, writeDumpFile } from './dump/dump-files.ts';
import { HaError } from './errors.ts';
import { Agent } from './instance/agent.ts';
import { VERSION } from './instance/version.ts';
import { createLogger, LOG_FORMATS, type LogFormat, type Logger } from './log.ts';
import { watchSignal } from './net/native.ts';
import {
  JSON_DUMP_SIGNAL,
  JSON_DUMP_SIGNAL_NAME,
  SIGNAL_ALIASES,
  SIGNAL_MEANINGS,
  SIGNUM_FUNCTIONS,
  type SignalMeaning,
  signalMeaningText,
  takeOverEarlySignals,
} from './signals.ts';

const USAGE = `Usage: ha-agent [OPTION...]
  -f, --use-file=FILE      configuration file (default /etc/keepalived/keepalived.conf)
  -n, --dont-fork          stay in the foreground (always the case)
  -l, --log-console        log to the console (stderr; always the case)
  -D, --log-detail         detailed (debug) logging
      --log-format=FORMAT  text (default: keepalived-style lines, with syslog priorities under
                           systemd) or json (one JSON object per line, for log shippers)
  -t, --config-test        check the configuration and exit (0 = valid)
  -i, --config-id=ID       select '@ID' conditional configuration lines
  -p, --pid=FILE           main pid file (default /run/ha-agent.pid)
  -r, --vrrp_pid=FILE      VRRP pid file (default /run/ha-agent_vrrp.pid)
  -P, --vrrp               run the VRRP subsystem only (the only one there is)
      --signum=SIGFUNC     print the signal number for STOP, RELOAD, DATA or STATS, and exit
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
      'log-format': { type: 'string' },
      'config-test': { type: 'boolean', short: 't' },
      'config-id': { type: 'string', short: 'i' },
      pid: { type: 'string', short: 'p' },
      vrrp_pid: { type: 'string', short: 'r' },
      vrrp: { type: 'boolean', short: 'P' },
      signum: { type: 'string' },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

type Options = ReturnType<typeof parse>;

function usageError(message: string): HaError {
  return new HaError('HA_ERR_USAGE', message);
}

function logFormatOf(opts: Options): LogFormat {
  const f = opts['log-format'] ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(f)) {
    throw usageError(`--log-format=${f} is not a log format - write --log-format=text or --log-format=json`);
  }
  return f as LogFormat;
}

/** keepalived's `--signum=SIGFUNC`: the number to `kill -s` for a function (`kill -s $(ha-agent --signum=RELOAD) PID`). */
function signum(func: string): number {
  if (func === 'JSON') return JSON_DUMP_SIGNAL;
  const name = SIGNUM_FUNCTIONS[func];
  if (!name) {
    const hint = func === 'STATS_CLEAR' || func === 'TDATA' ? ' (not implemented)' : '';
    throw usageError(
      `Unknown sigfunc ${func}${hint} - use one of ${Object.keys(SIGNUM_FUNCTIONS).join(', ')}`,
    );
  }
  return constants.signals[name as keyof typeof constants.signals];
}

async function main(): Promise<number> {
  let opts: Options;
  let logFormat: LogFormat;
  try {
    opts = parse(process.argv.slice(2));
    logFormat = logFormatOf(opts);
  } catch (err) {
    process.stderr.write(`ha-agent: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.signum !== undefined) {
    try {
      process.stdout.write(`${signum(opts.signum)}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`); // keepalived: "Unknown sigfunc X", exit 1
      return 1;
    }
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
  const log = createLogger({ detail: opts['log-detail'], console: opts['log-console'], format: logFormat });
  return run(opts, file, configId, log);
}

async function run(opts: Options, file: string, configId: string | undefined, log: Logger): Promise<number> {
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
    log.error({ code: 'HA_ERR_CONFIG', file }, `configuration file ${file} has errors; not starting`);
    return 1;
  }
  // Our own default names, so a keepalived still installed on the host keeps its pid files.
  const pidfiles = [opts.pid ?? '/run/ha-agent.pid', opts.vrrp_pid ?? '/run/ha-agent_vrrp.pid'];
  for (const p of pidfiles) {
    try {
      writeFileSync(p, `${process.pid}\n`);
    } catch (err) {
      const e = new HaError('HA_ERR_PIDFILE', `cannot write pid file ${p}: ${(err as Error).message}`, {
        cause: err,
      });
      log.warn({ code: e.code, file: p }, e.message);
    }
  }
  const removePidfiles = () => {
    for (const p of pidfiles) {
      try {
        unlinkSync(p);
      } catch {}
    }
  };

  // Before anything spawns a child (notify and check scripts): the notifier takes NOTIFY_SOCKET out of
  // the environment, so only this process speaks to systemd.
  const notify = systemdNotifier({
    onError: (err) => log.warn({ code: 'HA_ERR_SD_NOTIFY' }, `sd_notify: ${err.message}`),
  });
  const agent = new Agent(config, { logger: log });
  const watched = new WeakSet<object>();
  /** STATUS= for `systemctl status`: every instance and its state, refreshed on each transition. */
  const statusLine = () =>
    agent.instances.map((i) => `${i.name} ${i.state}`).join(', ') || 'no VRRP instance';
  const watchTransitions = () => {
    for (const inst of agent.instances) {
      if (watched.has(inst)) continue;
      watched.add(inst);
      inst.on('transition', () => notify.status(statusLine()));
    }
  };
  let stopping = false;
  let reloading: Promise<void> = Promise.resolve();
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    notify.stopping('stopping: sending priority 0, removing the virtual addresses');
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
    log.info('Stopped');
    process.exit(0);
  };
  const reload = () => {
    reloading = reloading.then(async () => {
      notify.reloading('reloading');
      const next = load();
      if (!next) {
        log.error({ code: 'HA_ERR_CONFIG', file }, 'new configuration has errors; keeping the running one');
      } else await agent.reload(next).catch((err) => log.error({ err: String(err) }, 'reload failed'));
      watchTransitions();
      notify.ready(statusLine());
    });
  };
  const dump = (kind: 'data' | 'stats' | 'json') => {
    const path = dumpPaths()[kind];
    const text = {
      data: () => agent.dataDump(),
      stats: () => agent.statsDump(),
      json: () => agent.jsonDump(),
    };
    try {
      writeDumpFile(path, text[kind]());
      log.info(
        { file: path },
        `${{ data: 'Data', stats: 'Stats', json: 'JSON' }[kind]} dump written to ${path}`,
      );
    } catch (err) {
      log.error({ code: (err as HaError).code ?? 'HA_ERR_DUMP', file: path }, (err as Error).message);
    }
  };
  const act: Record<SignalMeaning, () => void> = {
    reload: () => {
      if (!stopping) reload();
    },
    stop: () => void stop(),
    data: () => dump('data'),
    stats: () => dump('stats'),
    ignore: () => {},
  };
  let sigpipes = 0;
  const onSignal = (signal: string) => {
    const meaning = SIGNAL_MEANINGS[signal];
    // A SIGPIPE can come from writing this very line to a closed stderr: say the first one only.
    if (signal !== 'SIGPIPE' || sigpipes++ === 0) {
      const tail = signal === 'SIGPIPE' ? ' (further SIGPIPEs are not logged)' : '';
      log.info(
        { signal },
        `${signal} received: ${stopping && meaning !== 'ignore' ? 'already stopping' : signalMeaningText(meaning)}${tail}`,
      );
    }
    act[meaning]();
  };
  for (const s of Object.keys(SIGNAL_MEANINGS)) process.on(s as NodeJS.Signals, () => onSignal(s));
  for (const s of Object.keys(SIGNAL_ALIASES)) process.on(s as NodeJS.Signals, () => {});
  // keepalived's JSON dump signal is a real-time one: the native addon watches it, when it loads.
  try {
    watchSignal(JSON_DUMP_SIGNAL, () => {
      log.info({ signal: JSON_DUMP_SIGNAL_NAME }, `${JSON_DUMP_SIGNAL_NAME} received: writing the JSON dump`);
      dump('json');
    });
  } catch (err) {
    log.warn(
      { code: (err as HaError).code },
      `no JSON dump on ${JSON_DUMP_SIGNAL_NAME}: ${(err as Error).message}`,
    );
  }
  // Signals that arrived while the modules were loading, in order.
  for (const s of takeOverEarlySignals()) onSignal(s);

  try {
    await agent.start();
  } catch (err) {
    log.error({ err: String(err) }, 'cannot start');
    await agent.stop().catch(() => {});
    removePidfiles();
    return 1;
  }
  watchTransitions();
  notify.ready(statusLine());
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
