/**
 * Which processes a start makes, by HAProxy 2.6's rules (recorded in test/process-mode-expected.json):
 *   - `-D` or `daemon` in global go to the background, unless `-db`, `-d` or `-Ws` keep the process in
 *     the foreground (`-W` does not: `-W` with `daemon` is a master in the background);
 *   - `-W`, `-Ws` or `master-worker` in global make a master that supervises the worker(s);
 *   - the pid file is written only in the background or in master-worker mode, with the pid of the
 *     process that stays: the daemon, or the master. A foreground process writes none.
 */
export interface ProcessMode {
  background: boolean;
  masterWorker: boolean;
  writesPidfile: boolean;
}

export interface ModeInputs {
  daemon: boolean;
  foreground: boolean;
  debug: boolean;
  masterWorker: boolean;
  systemdMode: boolean;
}

export function processMode(
  args: ModeInputs,
  global: { daemon: boolean; masterWorker: boolean },
): ProcessMode {
  const masterWorker = args.masterWorker || global.masterWorker;
  const background = (args.daemon || global.daemon) && !args.foreground && !args.debug && !args.systemdMode;
  return { background, masterWorker, writesPidfile: background || masterWorker };
}
