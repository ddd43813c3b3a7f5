/**
 * One AF_UNIX SOCK_DGRAM datagram to `path` (`@name`: abstract), never blocking: the same addon as
 * sd_notify (native/sd_notify_native.c `sendNowait`). The balancer sends its syslog lines to
 * `/dev/log` and `unix@PATH` targets with it. Returns 0 or the errno (EAGAIN: the receiver is full,
 * ENOENT/ECONNREFUSED: nobody listens); -1 when the addon is missing or was built before this function.
 */
import { createRequire } from 'node:module';

type Addon = { sendNowait?: (path: string, payload: Buffer) => number };
let addon: Addon | null | undefined;

function load(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)('../native/build/Release/sd_notify_native.node') as Addon;
  } catch {
    addon = null;
  }
  return addon;
}

/** Whether unix datagrams can be sent here (the addon is built and has `sendNowait`). */
export function unixDatagramAvailable(): boolean {
  return typeof load()?.sendNowait === 'function';
}

export function sendUnixDatagram(path: string, payload: Buffer): number {
  const a = load();
  if (a === null || typeof a.sendNowait !== 'function') return -1;
  return a.sendNowait(path, payload);
}
