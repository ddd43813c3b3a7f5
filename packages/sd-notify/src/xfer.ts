/**
 * HAProxy's listening-socket transfer, both sides, from the addon (native/xfer_native.c, HAProxy 2.6's
 * wire format): `takeSockets` is `-x SOCKET` (the new process asks the old one's stats socket with
 * `_getsocks`), `giveSockets` answers `_getsocks` on a `stats socket … expose-fd listeners`.
 */
import { loadAddon } from './addon.ts';

type XferAddon = {
  takeSockets?: (path: string) => number[] | number;
  giveSockets?: (conn: number, fds: number[]) => number;
};
const load = () => loadAddon() as XferAddon | null;

/** The old process's listening sockets (fds now ours), -errno when that failed, or null without the addon. */
export function takeSockets(path: string): number[] | number | null {
  const a = load();
  return typeof a?.takeSockets === 'function' ? a.takeSockets(path) : null;
}

/** Sends `fds` on the connection `conn` (its fd); 0, -errno, or null without the addon. */
export function giveSockets(conn: number, fds: number[]): number | null {
  const a = load();
  return typeof a?.giveSockets === 'function' ? a.giveSockets(conn, fds) : null;
}

/** Closes a file descriptor Node does not own (a transferred socket no `bind` uses). */
export function closeFd(fd: number): void {
  const a = loadAddon() as { fdClose?: (fd: number) => void } | null;
  a?.fdClose?.(fd);
}
