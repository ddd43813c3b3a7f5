import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { Token } from './tokenizer.ts';
import { parseTrackList, type TrackDraft } from './track-list.ts';
import { blockChildren, boolFlag, entryWords, noArgs, type Reporter, rejectBlock } from './values.ts';
import { type NotifyDraft, notifyHandler } from './vrrp-instance.ts';

export interface SyncGroupDraft extends NotifyDraft {
  name: string;
  node: ConfigNode;
  members: Token[];
  trackInterfaces: TrackDraft[];
  trackScripts: TrackDraft[];
  trackBalancers: TrackDraft[];
  syncGroupTrackingWeight: boolean;
}

type Handler = (r: Reporter, node: ConfigNode, d: SyncGroupDraft) => void;

const KEYWORDS: Record<string, Handler> = {
  group: (r, node, d) => {
    for (const e of blockChildren(r, node, 'group { VI_1 VI_2 }')) d.members.push(...entryWords(e));
  },
  track_interface: (r, node, d) => {
    d.trackInterfaces.push(...parseTrackList(r, node));
  },
  track_script: (r, node, d) => {
    d.trackScripts.push(...parseTrackList(r, node));
  },
  track_balancer: (r, node, d) => {
    d.trackBalancers.push(...parseTrackList(r, node));
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
  sync_group_tracking_weight: (r, node, d) => {
    noArgs(r, node);
    d.syncGroupTrackingWeight = true;
  },
  global_tracking: (r, node, d) => {
    noArgs(r, node);
    d.syncGroupTrackingWeight = true;
    r.warn(
      node,
      KA.adjusted,
      `(${d.name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`,
    );
  },
};

const NOT_IMPLEMENTED = [
  'track_file',
  'track_process',
  'track_bfd',
  'notify_deleted',
  'notify_priority_changes',
];
const BLOCKS = new Set(['group', 'track_interface', 'track_script', 'track_balancer']);

/** Handles `vrrp_sync_group NAME { group { … } notify_* track_* }`. */
export function parseSyncGroup(r: Reporter, block: ConfigNode, name: string): SyncGroupDraft {
  const d: SyncGroupDraft = {
    name,
    node: block,
    members: [],
    notify: {},
    notifyUsers: {},
    trackInterfaces: [],
    trackScripts: [],
    trackBalancers: [],
    syncGroupTrackingWeight: false,
  };
  for (const node of blockChildren(r, block, `vrrp_sync_group ${name} { group { VI_1 VI_2 } }`)) {
    const word = node.keyword.text;
    const handler = KEYWORDS[word];
    if (handler !== undefined) {
      if (!BLOCKS.has(word) && rejectBlock(r, node)) continue;
      handler(r, node, d);
    } else if (NOT_IMPLEMENTED.includes(word)) {
      r.warn(node, KA.ignored, `(${name}) ${word} is ignored: ha-agent does not implement it`);
    } else {
      r.unknownKeyword(node, [...Object.keys(KEYWORDS), ...NOT_IMPLEMENTED], `vrrp_sync_group ${name}`);
    }
  }
  if (d.members.length === 0) {
    r.error(block, KA.missingRequired, `(${name}) sync group has no members - add 'group { VI_1 VI_2 }'`);
  }
  return d;
}
