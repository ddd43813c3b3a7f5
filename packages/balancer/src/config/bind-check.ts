/**
 * What `-c` can tell about binds without binding: an address that is not on this host (start-up would
 * fail with "Cannot assign requested address") or a UNIX socket in a directory that does not exist.
 * Warnings, not alerts: a configuration is often checked on another host than the one it runs on, and
 * a VIP is only on the node that holds it (which is what net.ipv4.ip_nonlocal_bind=1 is for).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import type { Diagnostic } from '@ha-lb/shared-config/haproxy';
import type { EngineConfig } from '../engine/engine-config.ts';

export const BIND_CHECK_CODE = 'CFG_WARN_BIND_UNAVAILABLE';

const WILDCARDS = new Set(['', '*', '0.0.0.0', '::']);

function nonlocalBind(family: 4 | 6): boolean {
  const path = family === 4 ? '/proc/sys/net/ipv4/ip_nonlocal_bind' : '/proc/sys/net/ipv6/ip_nonlocal_bind';
  try {
    return readFileSync(path, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

export function bindWarnings(config: EngineConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  let local: Set<string> | null = null;
  for (const fe of config.frontends) {
    for (const b of fe.binds) {
      const a = b.address;
      const warn = (message: string) =>
        out.push({ severity: 'warning', file: b.file, line: b.line, code: BIND_CHECK_CODE, message });
      if (a.kind === 'inet' && !WILDCARDS.has(a.host) && isIP(a.host) !== 0) {
        const family = isIP(a.host) as 4 | 6;
        local ??= localAddresses();
        if (!local.has(a.host) && !nonlocalBind(family))
          warn(
            `'bind ${b.text}' : ${a.host} is not an address of this host, so listening on it would fail (Cannot assign requested address); bind '*' or an address of this host, or, for a virtual IP that moves between nodes, set net.ipv${family}.ip_nonlocal_bind=1.`,
          );
      } else if (a.kind === 'unix' && !existsSync(dirname(a.path))) {
        warn(
          `'bind ${b.text}' : the directory ${dirname(a.path)} does not exist, so the socket cannot be created; create it (RuntimeDirectory= in the systemd unit) or choose another path.`,
        );
      }
    }
  }
  return out;
}
