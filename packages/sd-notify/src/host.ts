/**
 * chroot(2) and a synchronous getaddrinfo(3) from the addon (native/host_native.c), for the balancer's
 * start-up: HAProxy's main() resolves the servers' names while it reads the configuration, and enters
 * its `chroot` directory once every socket is bound. Both report failure in values, never throw.
 */
import { loadAddon } from './addon.ts';

type HostAddon = {
  chroot?: (dir: string) => number;
  resolve?: (host: string, family: number) => string[] | number;
};
const load = () => loadAddon() as HostAddon | null;

/** Whether chroot(2) can be asked for here (the addon is built and has it). */
export function chrootAvailable(): boolean {
  return typeof load()?.chroot === 'function';
}

/** Enters `dir` as the process's root (cwd `/` inside it); 0, the errno, or -1 without the addon. */
export function enterChroot(dir: string): number {
  const a = load();
  return typeof a?.chroot === 'function' ? a.chroot(dir) : -1;
}

/** Whether names can be resolved synchronously here. */
export function resolveAvailable(): boolean {
  return typeof load()?.resolve === 'function';
}

/**
 * getaddrinfo(host) for `family` (0 any, 4, 6): its addresses in its order, an EAI_* code (< 0) when
 * it fails, or null without the addon.
 */
export function resolveHostSync(host: string, family: 0 | 4 | 6 = 0): string[] | number | null {
  const a = load();
  return typeof a?.resolve === 'function' ? a.resolve(host, family) : null;
}
