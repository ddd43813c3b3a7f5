import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { Announcement, AnnouncementSender } from './garp-scheduler.ts';

/** The link's own MAC, from sysfs (the agent's network namespace). */
export function interfaceMac(ifname: string): string {
  return readFileSync(`/sys/class/net/${ifname}/address`, 'utf8').trim();
}

/** Sends the prepared frame on the link (AF_PACKET through the native addon's sendLinkFrame). */
export function linkFrameSender(sendLinkFrame: (ifname: string, frame: Buffer) => void): AnnouncementSender {
  return (a: Announcement) => sendLinkFrame(a.ifname, a.frame);
}

/**
 * Fallback without the native addon: IPv4 only, through iputils' `arping -U` (unsolicited ARP) — it
 * sends an ARP request like ours but from the interface MAC only (no VMAC). Fire and forget; IPv6 NAs
 * are skipped (there is no standard tool for an unsolicited NA).
 */
export function arpingSender(opts: { onError?: (err: Error) => void } = {}): AnnouncementSender {
  return (a: Announcement) => {
    if (a.family !== 4) return;
    execa('arping', ['-U', '-c', '1', '-I', a.ifname, a.vip], {
      reject: false,
      timeout: 5000,
      stdin: 'ignore',
    }).then((r) => {
      if (r.exitCode !== 0 && opts.onError)
        opts.onError(new Error(`arping: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`));
    });
  };
}
