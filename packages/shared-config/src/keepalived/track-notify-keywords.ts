import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { ScriptUser } from './model.ts';
import { parseTrackList, type TrackDraft } from './track-list.ts';
import { boolFlag, type Reporter, scriptArgs } from './values.ts';

export type NotifyKind = 'master' | 'backup' | 'fault' | 'stop' | 'notify';

/** Notify settings shared by vrrp_instance and vrrp_sync_group. */
export interface NotifyDraft {
  notify: Partial<Record<NotifyKind, string>>;
  notifyUsers: Partial<Record<NotifyKind, ScriptUser>>;
  smtpAlert?: boolean;
}

/** What vrrp_instance and vrrp_sync_group both have: notify scripts and track_* lists. */
export interface TrackNotifyDraft extends NotifyDraft {
  name: string;
  trackInterfaces: TrackDraft[];
  trackScripts: TrackDraft[];
  trackBalancers: TrackDraft[];
  trackFiles: TrackDraft[];
  trackProcesses: TrackDraft[];
}

type Handler = (r: Reporter, node: ConfigNode, d: TrackNotifyDraft) => void;

export function notifyHandler(kind: NotifyKind): Handler {
  return (r, node, d) => {
    const s = scriptArgs(r, node);
    if (s === null) return;
    if (d.notify[kind] !== undefined) {
      r.warn(node, KA.ignored, `${node.keyword.text} script already specified - ignoring ${s.command}`);
      return;
    }
    d.notify[kind] = s.command;
    if (s.user !== null) d.notifyUsers[kind] = s.user;
  };
}

/**
 * The keywords vrrp_instance and vrrp_sync_group share, with the same meaning in both (keepalived.conf(5)
 * lists them under each block): `track_interface|track_script|track_balancer|track_file|track_process
 * { … }`, `notify_* CMD
 * [USER [GROUP]]`, `smtp_alert`. Spread into each block's keyword table.
 */
export const TRACK_NOTIFY_KEYWORDS: Record<string, Handler> = {
  track_interface: (r, node, d) => {
    d.trackInterfaces.push(...parseTrackList(r, node));
  },
  track_script: (r, node, d) => {
    d.trackScripts.push(...parseTrackList(r, node));
  },
  track_balancer: (r, node, d) => {
    d.trackBalancers.push(...parseTrackList(r, node));
  },
  track_file: (r, node, d) => {
    d.trackFiles.push(...parseTrackList(r, node, -254, 254));
  },
  track_process: (r, node, d) => {
    d.trackProcesses.push(...parseTrackList(r, node, -254, 254));
  },
  notify_master: notifyHandler('master'),
  notify_backup: notifyHandler('backup'),
  notify_fault: notifyHandler('fault'),
  notify_stop: notifyHandler('stop'),
  notify: notifyHandler('notify'),
  smtp_alert: (r, node, d) => {
    d.smtpAlert = boolFlag(r, node);
    r.warn(
      node,
      KA.ignored,
      `(${d.name}) smtp_alert is ignored: ha-agent sends no e-mail (use notify scripts)`,
    );
  },
};

/** Of TRACK_NOTIFY_KEYWORDS, those that take a `{ … }` block. */
export const TRACK_BLOCKS = [
  'track_interface',
  'track_script',
  'track_balancer',
  'track_file',
  'track_process',
];
