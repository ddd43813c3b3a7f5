/**
 * `-D` / `daemon`: going to the background as HAProxy does. HAProxy forks after it has bound its
 * listeners, so the command returns 0 once the daemon serves, or 1 with the alert on the terminal.
 * Node cannot fork, so the launcher starts the same command again, detached (its own session, as
 * HAProxy's setsid), relays its start-up messages, and waits for its word: a byte on the daemon's
 * fd 3 once it serves (then the launcher exits 0), or its exit (the launcher exits with its code).
 * Afterwards the daemon's stderr leads nowhere, as HAProxy closes its standard streams.
 *
 * Not carried to the daemon: systemd's LISTEN_FDS sockets and `bind fd@N` descriptors (a unit that
 * passes sockets runs the balancer in the foreground, `-Ws`).
 */
import { spawn } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { constants } from 'node:os';

/** Set in the daemon's environment: the fd on which it says it serves. */
const READY_FD_ENV = 'BALANCER_DAEMON_READY_FD';

/** Whether this process is the daemon a launcher started. */
export const isDaemonChild = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env[READY_FD_ENV] !== undefined;

/** The launcher's side: starts the daemon, relays its stderr until it serves, returns the exit code. */
export function launchDaemon(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, [READY_FD_ENV]: '3' },
  });
  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      child.stderr?.unpipe(process.stderr);
      child.stderr?.destroy();
      child.stdio[3]?.destroy();
      child.unref();
      resolve(code);
    };
    child.stderr?.pipe(process.stderr, { end: false });
    child.stdio[3]?.on('data', () => finish(0));
    child.on('error', (err) => {
      process.stderr.write(`[ALERT]    (${process.pid}) : cannot go to the background: ${err.message}\n`);
      finish(1);
    });
    child.on('exit', (code, signal) =>
      finish(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0))),
    );
  });
}

/**
 * The daemon's side, once it serves: tells the launcher, and from then on ignores a stderr nobody
 * reads (the launcher has exited; writes fail with EPIPE and are dropped).
 */
export function daemonServes(env: NodeJS.ProcessEnv = process.env): void {
  const fd = Number(env[READY_FD_ENV]);
  delete env[READY_FD_ENV];
  process.stderr.on('error', () => {});
  try {
    writeSync(fd, 'R');
    closeSync(fd);
  } catch {
    // the launcher is gone already (killed): nothing to tell
  }
}
