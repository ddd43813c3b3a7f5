import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import {
  type GlobalDefsDraft,
  newGlobalDefsDraft,
  parseGlobalDefs,
  topLevelNotImplemented,
} from './global-defs.ts';
import { parseSyncGroup, type SyncGroupDraft } from './sync-group.ts';
import { parseTrackBalancer, type TrackBalancerDraft } from './track-balancer.ts';
import { parseTrackFile, type TrackFileDraft } from './track-file.ts';
import { parseTrackProcess, type TrackProcessDraft } from './track-process.ts';
import type { Reporter } from './values.ts';
import { type InstanceDraft, parseVrrpInstance } from './vrrp-instance.ts';
import { parseVrrpScript, type VrrpScriptDraft } from './vrrp-script.ts';

export interface ConfigDraft {
  globalDefs: GlobalDefsDraft;
  scripts: Map<string, VrrpScriptDraft>;
  balancers: Map<string, TrackBalancerDraft>;
  files: Map<string, TrackFileDraft>;
  processes: Map<string, TrackProcessDraft>;
  instances: InstanceDraft[];
  syncGroups: SyncGroupDraft[];
}

const NAMED_BLOCKS = [
  'vrrp_script',
  'vrrp_track_balancer',
  'track_file',
  'vrrp_track_file',
  'vrrp_track_process',
  'vrrp_instance',
  'vrrp_sync_group',
];
const LVS_BLOCKS = ['virtual_server', 'virtual_server_group'];
/** keepalived top-level blocks outside the VRRP half the agent implements */
const OTHER_BLOCKS = [
  'static_ipaddress',
  'static_routes',
  'static_rules',
  'garp_group',
  'linkbeat_interfaces',
  'interface_up_down_delays',
  'static_track_group',
  'bfd_instance',
  'vrrp_gratuitous_arp',
];

/** Walks the top level of the block tree into drafts (one per block), reporting as it goes. */
export function interpret(r: Reporter, tree: readonly ConfigNode[]): ConfigDraft {
  const draft: ConfigDraft = {
    globalDefs: newGlobalDefsDraft(),
    scripts: new Map(),
    balancers: new Map(),
    files: new Map(),
    processes: new Map(),
    instances: [],
    syncGroups: [],
  };
  let lvsWarned = false;
  const seen = new Map<string, ConfigNode>();
  for (const node of tree) {
    const word = node.keyword.text;
    if (word === 'global_defs') {
      parseGlobalDefs(r, node, draft.globalDefs);
      continue;
    }
    if (NAMED_BLOCKS.includes(word)) {
      const nameTok = node.args[0];
      if (nameTok === undefined) {
        r.error(
          node,
          KA.missingArgument,
          `${word} needs a name - write e.g. '${word} ${word === 'vrrp_instance' ? 'VI_1' : 'NAME'} { … }'`,
        );
        continue;
      }
      if (node.args.length > 1) {
        r.warn(
          node.args[1],
          KA.extraArgument,
          `${word} ${nameTok.text}: extra argument(s) after the name ignored`,
        );
      }
      const name = nameTok.text;
      // vrrp_track_file is track_file's old name: one namespace
      const key = `${word === 'vrrp_track_file' ? 'track_file' : word} ${name}`;
      const previous = seen.get(key);
      if (previous !== undefined) {
        r.error(
          node,
          KA.duplicateName,
          `${key} is defined twice (first at ${previous.keyword.file}: Line ${previous.keyword.line}) - rename one`,
        );
        continue;
      }
      seen.set(key, node);
      if (word === 'vrrp_script') {
        const s = parseVrrpScript(r, node, name);
        if (s !== null) draft.scripts.set(name, s);
      } else if (word === 'vrrp_track_balancer') {
        draft.balancers.set(name, parseTrackBalancer(r, node, name));
      } else if (word === 'track_file' || word === 'vrrp_track_file') {
        const f = parseTrackFile(r, node, name);
        if (f !== null) draft.files.set(name, f);
      } else if (word === 'vrrp_track_process') {
        const p = parseTrackProcess(r, node, name);
        if (p !== null) draft.processes.set(name, p);
      } else if (word === 'vrrp_instance') {
        draft.instances.push(parseVrrpInstance(r, node, name));
      } else {
        draft.syncGroups.push(parseSyncGroup(r, node, name));
      }
      continue;
    }
    if (LVS_BLOCKS.includes(word) || word === 'real_server') {
      if (!lvsWarned) {
        r.warn(
          node,
          KA.lvsIgnored,
          `${word} (LVS) blocks are ignored: ha-agent is keepalived's VRRP half, like 'keepalived --vrrp'`,
        );
        lvsWarned = true;
      }
      continue;
    }
    if (/^include[rmwba]?$/.test(word)) {
      // keepalived.conf(5): includes are found before conditionals and parameters are processed
      r.error(
        node,
        KA.badValue,
        `${word} does not work on a line with @conditional, $PARAMETER or ~SEQ - write it on a plain line of its own`,
      );
      continue;
    }
    if (OTHER_BLOCKS.includes(word)) {
      r.warn(node, KA.ignored, `${word} is ignored: ha-agent does not implement it`);
      continue;
    }
    const why = topLevelNotImplemented(word);
    if (why !== null) {
      r.warn(node, KA.ignored, `${word} is ignored: ${why}`);
      continue;
    }
    r.unknownKeyword(node, ['global_defs', ...NAMED_BLOCKS, ...LVS_BLOCKS, ...OTHER_BLOCKS], 'the top level');
  }
  return draft;
}
