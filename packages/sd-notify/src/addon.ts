/**
 * The package's one N-API addon (native/: sd_notify_native.c and host_native.c), loaded once, or null
 * when it is not built (`pnpm install` builds it). Each wrapper checks for the function it needs, so an
 * addon built before a function was added degrades like a missing one.
 */
import { createRequire } from 'node:module';

export type Addon = Record<string, unknown>;
let addon: Addon | null | undefined;

export function loadAddon(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)('../native/build/Release/sd_notify_native.node') as Addon;
  } catch {
    addon = null;
  }
  return addon;
}
