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
 * Fallback without the native addon: IPv4 only, through Debian's `arping` (Thomas Habets' arping 2.x,
 * the one scripts/bootstrap.sh installs): `arping -q -U -S VIP -i IF -c 1 -w 0.2 VIP` puts the same
 * gratuitous ARP request on the wire (sender = target = VIP, target MAC broadcast) from the interface MAC.
 * Exit status 1 only means nobody answered, which is expected. Fire and forget; IPv6 NAs are skipped
 * (there is no standard tool for an unsolicited NA).
 */
export function arpingSender(
  opts: { onError?: (err: Error) => void; arpingPath?: string } = {},
): AnnouncementSender {
  return (a: Announcement) => {
    if (a.family !== 4) return;
    const args = ['-q', '-U', '-S', a.vip, '-i', a.ifname, '-c', '1', '-w', '0.2', a.vip];
    execa(opts.arpingPath ?? 'arping', args, { reject: false, timeout: 5000, stdin: 'ignore' }).then((r) => {
      if (r.exitCode !== 0 && r.exitCode !== 1 && opts.onError) {
        opts.onError(
          new Error(`arping: ${String(r.stderr).trim() || r.shortMessage || `exit ${r.exitCode}`}`),
        );
      }
    });
  };
}
