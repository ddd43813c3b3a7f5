/**
 * sd_notify(3) for both daemons: when systemd (or anything speaking its protocol) starts us with
 * $NOTIFY_SOCKET, tell it READY=1 once we serve, RELOADING=1 / READY=1 around a reload, STOPPING=1,
 * STATUS= lines, and WATCHDOG=1 pings when the unit asks for them ($WATCHDOG_USEC). Without
 * $NOTIFY_SOCKET every call is a no-op, so callers never branch.
 *
 * Like sd_notify(unset_environment=1), the variables are removed from process.env at creation, so child
 * processes (notify scripts, check scripts) cannot speak for us.
 */
import { loadAddon } from './addon.ts';

export interface Notifier {
  /** true when $NOTIFY_SOCKET was set */
  readonly enabled: boolean;
  readonly socket: string | null;
  ready(status?: string): void;
  /** RELOADING=1 with MONOTONIC_USEC (systemd's Type=notify-reload wants both) */
  reloading(status?: string): void;
  stopping(status?: string): void;
  status(text: string): void;
  /** Sends raw assignments (`KEY=value` lines). */
  send(fields: Record<string, string | number>): void;
  /** Stops the watchdog timer. */
  close(): void;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  /** Told once about the first failure to send (never throws on the caller's path). */
  onError?: (err: Error) => void;
  /** Default true: remove NOTIFY_SOCKET / WATCHDOG_* from `env` (see above). */
  unsetEnvironment?: boolean;
}

type Addon = { send(path: string, payload: Buffer): void };

function load(): Addon {
  const addon = loadAddon();
  if (addon === null || typeof addon.send !== 'function')
    throw new Error(
      'cannot load the sd_notify addon (packages/sd-notify/native/build/Release/sd_notify_native.node); ' +
        'run `pnpm install` with npm_config_nodedir pointing at Node 24 (scripts/bootstrap.sh does this)',
    );
  return addon as unknown as Addon;
}

/** CLOCK_MONOTONIC in microseconds (libuv's hrtime is CLOCK_MONOTONIC on Linux). */
function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export function formatFields(fields: Record<string, string | number>): string {
  let out = '';
  for (const [k, v] of Object.entries(fields)) out += `${k}=${String(v).replaceAll('\n', ' ')}\n`;
  return out;
}

export function systemdNotifier(opts: NotifierOptions = {}): Notifier {
  const env = opts.env ?? process.env;
  const socket = env.NOTIFY_SOCKET || null;
  const watchdogUsec = Number(env.WATCHDOG_USEC ?? 0);
  const watchdogPid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
  if (opts.unsetEnvironment !== false) {
    delete env.NOTIFY_SOCKET;
    delete env.WATCHDOG_USEC;
    delete env.WATCHDOG_PID;
  }
  let failed = false;
  const send = (fields: Record<string, string | number>) => {
    if (socket === null) return;
    try {
      load().send(socket, Buffer.from(formatFields(fields)));
    } catch (err) {
      if (!failed) opts.onError?.(err as Error);
      failed = true;
    }
  };
  let watchdog: NodeJS.Timeout | null = null;
  if (socket !== null && watchdogUsec > 0 && watchdogPid === process.pid) {
    // systemd's advice: ping at half the interval
    watchdog = setInterval(() => send({ WATCHDOG: 1 }), Math.max(1, Math.floor(watchdogUsec / 2000)));
    watchdog.unref();
  }
  const withStatus = (fields: Record<string, string | number>, status?: string) =>
    status === undefined ? fields : { ...fields, STATUS: status };
  return {
    enabled: socket !== null,
    socket,
    ready: (status) => send(withStatus({ READY: 1 }, status)),
    reloading: (status) =>
      send(withStatus({ RELOADING: 1, MONOTONIC_USEC: String(monotonicUsec()) }, status)),
    stopping: (status) => send(withStatus({ STOPPING: 1 }, status)),
    status: (text) => send({ STATUS: text }),
    send,
    close() {
      if (watchdog) clearInterval(watchdog);
      watchdog = null;
    },
  };
}
