/**
 * `-x SOCKET` (HAProxy's listening-socket transfer): before binding, the new process asks the old one's
 * stats socket (`stats socket … expose-fd listeners`, the balancer's or the real haproxy's) for its
 * listening sockets with `_getsocks`, and serves each `bind` whose address one of them has on that very
 * socket — its accept queue included, so with `-sf` no connection waiting in it is lost when the old
 * process leaves (SO_REUSEPORT alone would drop that queue). They are matched like systemd's sockets
 * (listen/systemd-fds.ts); those no bind uses are closed, as HAProxy does. A failure is HAProxy's
 * warning and alert; start-up stops, except in master-worker mode (HAProxy goes on binding there).
 */
import { constants } from 'node:os';
import { closeFd, takeSockets } from '@ha-lb/sd-notify';
import { type InheritedSocket, socketsOfFds } from '../listen/systemd-fds.ts';
import type { MessageSink } from '../log/messages.ts';

/** The `name` of a socket taken from the old process. */
export const TAKEN = '-x';

const { ENOENT, EACCES, ECONNREFUSED, ENOTSOCK } = constants.errno;
/** what connect(2) to the old process's socket fails with (the addon returns -errno) */
const CONNECT_ERRORS = new Set([ENOENT, EACCES, ECONNREFUSED, ENOTSOCK].map((e) => -e));

export function takeOldSockets(
  path: string,
  messages: MessageSink,
  masterWorker: boolean,
): InheritedSocket[] | null {
  const r = takeSockets(path);
  if (Array.isArray(r)) return socketsOfFds(r, TAKEN);
  if (r === null)
    messages.warning(`-x ${path}: the addon that receives sockets is not built (run 'pnpm install').`);
  else if (CONNECT_ERRORS.has(r)) messages.warning(`Failed to connect to the old process socket '${path}'`);
  else messages.warning('Failed to get the number of sockets to be transferred !');
  messages.alert('Failed to get the sockets from the old process!');
  return masterWorker ? [] : null;
}

/** Closes the taken sockets no bind uses; returns the others. */
export function closeUnused(unused: readonly InheritedSocket[]): Set<number> {
  const closed = new Set<number>();
  for (const s of unused)
    if (s.name === TAKEN) {
      closeFd(s.fd);
      closed.add(s.fd);
    }
  return closed;
}
