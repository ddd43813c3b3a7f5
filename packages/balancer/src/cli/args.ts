/**
 * HAProxy's command line, parsed without side effects. Flags we accept but do not implement yet
 * (master-worker, -sf/-st) are reported in `notes` so the CLI can warn about them.
 */
export interface CliArgs {
  files: string[];
  check: boolean;
  pidfile: string | null;
  daemon: boolean;
  quiet: boolean;
  verbose: boolean;
  /** 0 = no version request, 1 = -v, 2 = -vv */
  version: 0 | 1 | 2;
  masterWorker: boolean;
  /** pids given to -sf (soft finish) / -st (terminate) */
  finishPids: number[];
  terminatePids: number[];
  help: boolean;
  notes: string[];
}

export class UsageError extends Error {
  readonly code = 'LB_ERR_USAGE';
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    files: [],
    check: false,
    pidfile: null,
    daemon: false,
    quiet: false,
    verbose: false,
    version: 0,
    masterWorker: false,
    finishPids: [],
    terminatePids: [],
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
    switch (arg) {
      case '-f':
        a.files.push(value());
        break;
      case '-c':
        a.check = true;
        break;
      case '-p':
        a.pidfile = value();
        break;
      case '-D':
        a.daemon = true;
        break;
      case '-db':
        a.daemon = false;
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
      case '-Ws':
        a.masterWorker = true;
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

export const USAGE = `Usage : balancer [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -p <pidfile> ] [ -c ] [ -q ]
        -v displays version ; -vv shows known build options.
        -f <cfgfile|cfgdir> adds <cfgfile> to the list of configuration files to be loaded.
           Without -f, a built-in demonstration configuration runs (see README).
        -c check mode : only check config files and exit
        -D daemon mode: accepted, but the balancer stays in the foreground (run it under systemd)
        -db disables background mode
        -W / -Ws master-worker mode: accepted, not implemented yet (single process)
        -sf/-st [pid ]* finishes/terminates old pids: accepted, not implemented yet
        -p writes pids of all children to this file
        -V enters verbose mode (disables quiet mode)
        -q quiet mode : don't display messages
`;
