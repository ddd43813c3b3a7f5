// SIGUSR2: keepalived.stats, line for line keepalived 2.2.7's (test/fixtures/keepalived-dumps/*.stats).
// Our drop counters map onto keepalived's: `length` and `too_short` are its Length errors; our one
// `auth_type` reason (the type differs from ours) is its Type Mismatch — its Invalid Type (a value
// other than 0, 1 or 2) is counted there too, so Authentication Invalid Type stays 0. Pure.
import type { InstanceDumpState } from '../instance/vrrp-instance.ts';

export function formatStatsDump(instances: readonly InstanceDumpState[]): string {
  const lines: string[] = [];
  for (const s of instances) {
    const c = s.counters;
    lines.push(
      `VRRP Instance: ${s.config.name}`,
      '  Advertisements:',
      `    Received: ${c.accepted}`,
      `    Sent: ${c.sent}`,
      `  Became master: ${s.becameMaster}`,
      `  Released master: ${s.releasedMaster}`,
      '  Packet Errors:',
      `    Length: ${c.length + c.too_short}`,
      `    TTL: ${c.ttl}`,
      `    Invalid Type: ${c.type}`,
      `    Advertisement Interval: ${c.advert_interval}`,
      `    Address List: ${c.addr_count}`,
      '  Authentication Errors:',
      '    Invalid Type: 0',
      `    Type Mismatch: ${c.auth_type}`,
      `    Failure: ${c.auth}`,
      '  Priority Zero:',
      `    Received: ${s.priorityZeroReceived}`,
      `    Sent: ${s.priorityZeroSent}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
