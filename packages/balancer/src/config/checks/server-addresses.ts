/**
 * Server addresses written as names are resolved once, while the configuration is read, as HAProxy's
 * srv_init_addr() does with its default `init-addr last,libc` (server.c; str2ip2 in tools.c: the first
 * address getaddrinfo returns). A name that does not resolve stops start-up and `-c` with HAProxy's two
 * alerts. Resolving here, not per connection, is also what lets a chrooted balancer — which has no
 * /etc/hosts, resolv.conf or NSS modules — reach its servers, and keeps DNS off the data path.
 * Servers with `init-addr` are left to the engine's own resolution (in-effect.ts says it is not applied).
 */

import { resolveHostSync } from '@ha-lb/sd-notify';
import type { Diagnostic, HaproxyConfig } from '@ha-lb/shared-config/haproxy';

/** After HAProxy's whole-configuration checks (srv_init_addr runs after check_config_validity). */
const INIT_ADDR_ORDER = 1_500_000_000;
export const RESOLVE_CODE = 'CFG_ERR_RESOLVE';

export interface ServerAddresses {
  diagnostics: Diagnostic[];
  /** `family/name` → the address it resolved to */
  resolved: Map<string, string>;
}

export const resolvedKey = (host: string, family: 4 | 6 | null): string => `${family ?? 0}/${host}`;

export function resolveServerAddresses(
  model: HaproxyConfig,
  resolve: (host: string, family: 0 | 4 | 6) => string[] | number | null = resolveHostSync,
): ServerAddresses {
  const diagnostics: Diagnostic[] = [];
  const resolved = new Map<string, string>();
  const failed = new Set<string>();
  for (const p of model.proxies) {
    if (p.disabled) continue;
    for (const s of p.servers) {
      const a = s.address;
      if (a.kind !== 'inet' || !a.hostname || s.initAddr !== null) continue;
      const key = resolvedKey(a.host, a.family);
      if (!resolved.has(key) && !failed.has(key)) {
        const r = resolve(a.host, a.family ?? 0);
        if (r === null) continue; // no addon: the engine resolves at connect time, as before
        if (typeof r === 'number' || r.length === 0) failed.add(key);
        else resolved.set(key, r[0]!);
      }
      if (failed.has(key))
        diagnostics.push({
          severity: 'alert',
          file: s.file,
          line: s.line,
          code: RESOLVE_CODE,
          message: `'server ${p.name}/${s.name}' : could not resolve address '${a.host}'.`,
          postParse: INIT_ADDR_ORDER + diagnostics.length,
        });
    }
  }
  if (diagnostics.length > 0)
    diagnostics.push({
      severity: 'alert',
      file: '',
      line: 0,
      code: RESOLVE_CODE,
      message: 'Failed to initialize server(s) addr.',
      postParse: INIT_ADDR_ORDER + diagnostics.length,
    });
  return { diagnostics, resolved };
}
