/**
 * HAProxy 2.6's command line, parsed without side effects. Every flag `haproxy -h` lists is accepted
 * (test harnesses and unit files pass them); the ones whose feature is not built are reported in
 * `notes` so the CLI can say so once at start-up, never silently.
 */
import { UsageError } from '../errors.ts';

export interface CliArgs {
  files: string[];
  check: boolean;
  /** `-cc COND`: evaluate a condition and exit */
  checkCondition: string | null;
  pidfile: string | null;
  /** `-D`: go to the background (cli/process-mode.ts says when it applies) */
  daemon: boolean;
  /** `-db`: never go to the background, whatever `-D` or `daemon` say */
  foreground: boolean;
  /** `-d`: debug mode (foreground, verbose start-up) */
  debug: boolean;
  quiet: boolean;
  verbose: boolean;
  /** 0 = no version request, 1 = -v, 2 = -vv */
  version: 0 | 1 | 2;
  masterWorker: boolean;
  /** `-Ws`: master-worker with systemd notify support (we always notify when $NOTIFY_SOCKET is set) */
  systemdMode: boolean;
  /** pids given to -sf (soft finish) / -st (terminate) */
  finishPids: number[];
  terminatePids: number[];
  /** `-dR`: no SO_REUSEPORT on listeners */
  noReusePort: boolean;
  /** `-x SOCKET`: take the old process's listening sockets from its stats socket (HAProxy's transfer) */
  oldSocket: string | null;
  /** `-dW`: any warning is fatal */
  zeroWarning: boolean;
  /** `-n N`: global maxconn */
  maxconn: number | null;
  /** `-N N`: default per-proxy maxconn */
  proxyMaxconn: number | null;
  /** `-C DIR`: change to DIR before loading files */
  chdir: string | null;
  /** `-S <bind>[,<opts>]` (repeatable): the master CLI's sockets (runtime/master-cli.ts) */
  masterCli: string[];
  help: boolean;
  /** Flags accepted but without effect here, with why (printed as warnings at start-up). */
  notes: string[];
}

/** `-d` variants HAProxy documents; what each does here. */
const DEBUG_FLAGS: Record<string, string | null> = {
  '-db': null, // only disables background mode (CliArgs.foreground)
  '-de': 'epoll cannot be disabled (the event loop is libuv’s)',
  '-dp': 'poll cannot be disabled (the event loop is libuv’s)',
  '-dS': null, // the balancer does not splice
  '-dG': 'getaddrinfo cannot be disabled (name resolution is Node’s)',
  '-dR': null, // SO_REUSEPORT off (CliArgs.noReusePort)
  '-dL': 'there are no loaded object files to dump',
  '-dr': 'server address resolution failures are not ignored yet',
  '-dV':
    "server certificates are still verified (write 'ssl-server-verify none' in global to stop verifying them)",
  '-dD': 'the diagnostic mode is not implemented',
};

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    files: [],
    check: false,
    checkCondition: null,
    pidfile: null,
    daemon: false,
    foreground: false,
    debug: false,
    quiet: false,
    verbose: false,
    version: 0,
    masterWorker: false,
    systemdMode: false,
    finishPids: [],
    terminatePids: [],
    noReusePort: false,
    oldSocket: null,
    zeroWarning: false,
    maxconn: null,
    proxyMaxconn: null,
    chdir: null,
    masterCli: [],
    help: false,
    notes: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option '${arg}' requires an argument`);
      return v;
    };
    const count = (): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1)
        throw new UsageError(`option '${arg}' expects a positive integer, got '${v}'`);
      return Number(v);
    };
    if (arg === '--') {
      // HAProxy: every following argument is a configuration file
      a.files.push(...argv.slice(i + 1));
      break;
    }
    if (arg in DEBUG_FLAGS) {
      if (arg === '-dR') a.noReusePort = true;
      if (arg === '-db') a.foreground = true;
      const why = DEBUG_FLAGS[arg];
      if (why) a.notes.push(`${arg}: ${why}; ignored.`);
      continue;
    }
    if (arg.startsWith('-dM') || arg.startsWith('-dK')) {
      a.notes.push(`${arg}: memory debugging and keyword dumps are HAProxy internals; ignored.`);
      continue;
    }
    switch (arg) {
      case '-f':
        a.files.push(value());
        break;
      case '-c':
        a.check = true;
        break;
      case '-cc':
        a.checkCondition = value();
        break;
      case '-p':
        a.pidfile = value();
        break;
      case '-D':
        a.daemon = true;
        break;
      case '-d':
        a.debug = true;
        break;
      case '-dW':
        a.zeroWarning = true;
        break;
      case '-V':
        a.verbose = true;
        break;
      case '-q':
        a.quiet = true;
        break;
      case '-v':
        a.version = Math.max(a.version, 1) as 1 | 2;
        break;
      case '-vv':
        a.version = 2;
        break;
      case '-W':
        a.masterWorker = true;
        break;
      case '-Ws':
        a.masterWorker = true;
        a.systemdMode = true;
        break;
      case '-n':
        a.maxconn = count();
        break;
      case '-N':
        a.proxyMaxconn = count();
        break;
      case '-m':
        a.notes.push(
          `-m ${value()}: a memory limit is not applied; set MemoryMax= in the systemd unit instead.`,
        );
        break;
      case '-L':
        a.notes.push(`-L ${value()}: the local peer name is not used (peers are planned).`);
        break;
      case '-C':
        a.chdir = value();
        break;
      case '-x':
        a.oldSocket = value();
        break;
      case '-S':
        a.masterCli.push(value());
        break;
      case '-sf':
      case '-st': {
        const list = arg === '-sf' ? a.finishPids : a.terminatePids;
        // HAProxy takes every following numeric argument as a pid.
        while (i + 1 < argv.length && /^\d+$/.test(argv[i + 1])) list.push(Number(argv[++i]));
        break;
      }
      case '-h':
      case '--help':
        a.help = true;
        break;
      default:
        if (arg.startsWith('-f') && arg.length > 2) {
          a.files.push(arg.slice(2));
          break;
        }
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return a;
}

export const USAGE = `Usage : balancer [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
        [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
        -v displays version ; -vv shows known build options.
        -d enters debug mode ; -db only disables background mode.
        -dM[<byte>,help,...] debug memory: accepted, ignored
        -V enters verbose mode (disables quiet mode)
        -D goes daemon ; -C changes to <dir> before loading files.
        -W master-worker mode.
        -Ws master-worker mode with systemd notify support.
        -q quiet mode : don't display messages
        -c check mode : only check config files and exit
        -cc check condition : evaluate a condition and exit
        -n sets the maximum total # of connections
        -m limits the usable amount of memory (in MB): accepted, ignored (use MemoryMax=)
        -N sets the default, per-proxy maximum # of connections (0)
        -L set local peer name: accepted, ignored
        -p writes pids of all children to this file
        -de / -dp / -dS / -dG / -dR / -dL / -dK / -dr / -dV / -dD: accepted (see README)
        -dW fails if any warning is emitted
        -sf/-st [pid ]* finishes/terminates old pids.
        -x <unix_socket> get listening sockets from a unix socket
        -S <bind>[,<bind options>...] new master CLI
        Without -f, a built-in demonstration configuration runs (see README).
`;
