/**
 * global `chroot DIR`, as HAProxy's main(): once every socket is bound (listeners, runtime API, health
 * API, log sockets) and before the privileges are dropped, the serving process makes DIR its root and
 * `/` inside it its working directory. In master-worker mode the master stays outside (it reads the
 * configuration again at each reload) and each worker enters it; a chrooted worker is never reloaded in
 * place — the master starts new ones (workers/master.ts).
 *
 * After it, the file system outside DIR is gone for good: the configuration, errorfiles, maps and
 * certificates were read at start-up, server names resolved while loading (config/checks/
 * server-addresses.ts), and `/dev/log` log targets resolve inside DIR, as HAProxy's do (Debian's
 * rsyslog rule for haproxy provides /var/lib/haproxy/dev/log).
 */
import { enterChroot } from '@ha-lb/sd-notify';

/** null when done (or nothing to do), else HAProxy's alert text. */
export function enterJail(dir: string | null | undefined): string | null {
  if (dir == null || dir === '') return null;
  // what is read from the file system on first use: the local time zone (log timestamps)
  new Date().getTimezoneOffset();
  new Date().toLocaleString('en-US', { month: 'short' });
  const r = enterChroot(dir);
  if (r === 0) return null;
  if (r === -1)
    return `[haproxy.main()] Cannot chroot(${dir}): the addon that makes the call is not built (run 'pnpm install').`;
  return `[haproxy.main()] Cannot chroot(${dir}).`;
}
