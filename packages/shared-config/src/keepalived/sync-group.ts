import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import { applyKeywords } from './keyword-table.ts';
import type { Token } from './tokenizer.ts';
import { TRACK_BLOCKS, TRACK_NOTIFY_KEYWORDS, type TrackNotifyDraft } from './track-notify-keywords.ts';
import { blockChildren, entryWords, noArgs, type Reporter } from './values.ts';

export interface SyncGroupDraft extends TrackNotifyDraft {
  node: ConfigNode;
  members: Token[];
  syncGroupTrackingWeight: boolean;
}

type Handler = (r: Reporter, node: ConfigNode, d: SyncGroupDraft) => void;

const KEYWORDS: Record<string, Handler> = {
  group: (r, node, d) => {
    for (const e of blockChildren(r, node, 'group { VI_1 VI_2 }')) d.members.push(...entryWords(e));
  },
  ...TRACK_NOTIFY_KEYWORDS,
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

const NOT_IMPLEMENTED = ['track_bfd', 'notify_deleted', 'notify_priority_changes'];
const BLOCKS = new Set(['group', ...TRACK_BLOCKS]);

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
    trackFiles: [],
    trackProcesses: [],
    syncGroupTrackingWeight: false,
  };
  applyKeywords(
    r,
    { keywords: KEYWORDS, blocks: BLOCKS, notImplemented: NOT_IMPLEMENTED },
    blockChildren(r, block, `vrrp_sync_group ${name} { group { VI_1 VI_2 } }`),
    d,
    'vrrp_sync_group',
    name,
  );
  if (d.members.length === 0) {
    r.error(block, KA.missingRequired, `(${name}) sync group has no members - add 'group { VI_1 VI_2 }'`);
  }
  return d;
}
