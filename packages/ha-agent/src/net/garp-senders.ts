import { readFileSync } from 'node:fs';
import type { Announcement, AnnouncementSender } from './garp-scheduler.ts';

/** The link's own MAC, from sysfs (the agent's network namespace). */
export function interfaceMac(ifname: string): string {
  return readFileSync(`/sys/class/net/${ifname}/address`, 'utf8').trim();
}

/** Sends the prepared frame on the link (AF_PACKET through the native addon's sendLinkFrame). */
export function linkFrameSender(sendLinkFrame: (ifname: string, frame: Buffer) => void): AnnouncementSender {
  return (a: Announcement) => sendLinkFrame(a.ifname, a.frame);
}
