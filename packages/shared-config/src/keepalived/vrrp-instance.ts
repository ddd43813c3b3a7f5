import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import { applyKeywords } from './keyword-table.ts';
import type { Vip } from './model.ts';
import type { Token } from './tokenizer.ts';
import { TRACK_BLOCKS, TRACK_NOTIFY_KEYWORDS, type TrackNotifyDraft } from './track-notify-keywords.ts';
import {
  blockChildren,
  boolFlag,
  entryWords,
  extraArgs,
  intArg,
  ipArg,
  noArgs,
  oneArg,
  type Reporter,
  secondsArg,
} from './values.ts';
import { parseVip } from './vip.ts';

/** An instance as written, before defaults and cross-checks; tokens kept for diagnostics. */
export interface InstanceDraft extends TrackNotifyDraft {
  node: ConfigNode;
  state?: 'MASTER' | 'BACKUP';
  stateTok?: Token;
  interface?: string;
  interfaceTok?: Token;
  virtualRouterId?: number;
  vridTok?: Token;
  priority?: number;
  priorityTok?: Token;
  advertInt?: number;
  advertTok?: Token;
  version?: 2 | 3;
  versionTok?: Token;
  authentication?: { type: 'PASS' | 'AH'; pass: string; node: ConfigNode };
  vips: Vip[];
  vipsNode?: ConfigNode;
  vipsExcluded: Vip[];
  virtualRoutes: string[];
  virtualRules: string[];
  unicastSrcIp?: { address: string; family: 4 | 6; tok: Token };
  unicastPeers: { address: string; family: 4 | 6; tok: Token }[];
  mcastSrcIp?: { address: string; family: 4 | 6; tok: Token };
  nopreempt?: Token;
  preemptDelay?: number;
  preemptDelayTok?: Token;
  garp: {
    garpMasterDelay?: number;
    garpMasterRepeat?: number;
    garpMasterRefresh?: number;
    garpMasterRefreshRepeat?: number;
    garpLowerPrioDelay?: number;
    garpLowerPrioRepeat?: number;
  };
  useVmac?: string | null;
  vmacXmitBase?: boolean;
  accept?: boolean;
  v3ChecksumAsV2?: boolean;
  dontTrackPrimary?: boolean;
  nativeIpv6?: Token;
  strictMode?: boolean;
  skipCheckAdvAddr?: boolean;
  checkUnicastSrc?: boolean;
  /** our extension: `handover_bridge` / `handover_peer ADDR` / `handover_drain S` */
  handoverBridge?: Token;
  handoverPeer?: { address: string; family: 4 | 6; tok: Token };
  handoverDrain?: number;
}

type Handler = (r: Reporter, node: ConfigNode, d: InstanceDraft) => void;

const garpSeconds =
  (key: 'garpMasterDelay' | 'garpMasterRefresh' | 'garpLowerPrioDelay', max: number): Handler =>
  (r, node, d) => {
    const t = oneArg(r, node, `${node.keyword.text} 5`);
    const v = t && secondsArg(r, t, 0, max, node.keyword.text);
    if (v !== null) d.garp[key] = v;
  };
const garpCount =
  (key: 'garpMasterRepeat' | 'garpMasterRefreshRepeat' | 'garpLowerPrioRepeat'): Handler =>
  (r, node, d) => {
    const t = oneArg(r, node, `${node.keyword.text} 5`);
    const v = t && intArg(r, t, 1, 255, node.keyword.text);
    if (v !== null) d.garp[key] = v;
  };

const version: Handler = (r, node, d) => {
  const t = oneArg(r, node, 'version 3');
  const v = t && intArg(r, t, 2, 3, node.keyword.text);
  if (v === 2 || v === 3) {
    d.version = v;
    d.versionTok = t!;
  }
};

const notApplied =
  (why: string): Handler =>
  (r, node, d) => {
    r.warn(node, KA.notApplied, `(${d.name}) ${node.keyword.text} is parsed but not applied: ${why}`);
  };

const addrList =
  (key: 'virtualRoutes' | 'virtualRules'): Handler =>
  (r, node, d) => {
    for (const e of blockChildren(r, node, `${node.keyword.text} { … }`)) {
      d[key].push(
        entryWords(e)
          .map((w) => w.text)
          .join(' '),
      );
    }
    r.warn(
      node,
      KA.notApplied,
      `(${d.name}) ${node.keyword.text} are parsed but not applied by ha-agent - configure them outside the agent`,
    );
  };

export const INSTANCE_KEYWORDS: Record<string, Handler> = {
  state: (r, node, d) => {
    const t = oneArg(r, node, 'state BACKUP');
    if (t === null) return;
    // keepalived compares case-sensitively and falls back to BACKUP; we refuse to guess
    if (t.text !== 'MASTER' && t.text !== 'BACKUP') {
      r.error(t, KA.badValue, `(${d.name}) unknown state '${t.text}' - write MASTER or BACKUP (upper case)`);
      return;
    }
    d.state = t.text;
    d.stateTok = t;
  },
  interface: (r, node, d) => {
    const t = oneArg(r, node, 'interface eth0');
    if (t === null) return;
    d.interface = t.text;
    d.interfaceTok = t;
  },
  virtual_router_id: (r, node, d) => {
    const t = oneArg(r, node, 'virtual_router_id 51');
    if (t === null) return;
    d.vridTok = t;
    if (!/^\d+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > 255) {
      r.error(t, KA.outOfRange, `(${d.name}): VRID '${t.text}' not valid - must be between 1 & 255`);
      return;
    }
    d.virtualRouterId = Number(t.text);
  },
  priority: (r, node, d) => {
    const t = oneArg(r, node, 'priority 100');
    if (t === null) return;
    d.priorityTok = t;
    if (!/^\d+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > 255) {
      r.error(
        t,
        KA.outOfRange,
        `(${d.name}) Priority not valid! must be between 1 & 255 (255 only for the address owner) - write e.g. priority 100`,
      );
      return;
    }
    d.priority = Number(t.text);
  },
  advert_int: (r, node, d) => {
    const t = oneArg(r, node, 'advert_int 1');
    if (t === null) return;
    const v = secondsArg(r, t, 0.01, 255, node.keyword.text);
    if (v === null) return;
    d.advertInt = v;
    d.advertTok = t;
  },
  version,
  vrrp_version: (r, node, d) => {
    // keepalived 2.2 rejects it here; issue 4 and many how-tos write it, so accept it with a warning
    r.warn(
      node,
      KA.adjusted,
      `(${d.name}) vrrp_version is a global_defs keyword; in vrrp_instance write 'version'`,
    );
    version(r, node, d);
  },
  authentication: (r, node, d) => {
    let type: 'PASS' | 'AH' | undefined;
    let pass: string | undefined;
    for (const n of blockChildren(r, node, 'authentication { auth_type PASS; auth_pass secret }')) {
      if (n.keyword.text === 'auth_type') {
        const t = oneArg(r, n, 'auth_type PASS');
        if (t === null) continue;
        if (t.text !== 'PASS' && t.text !== 'AH') {
          r.error(
            t,
            KA.badValue,
            `(${d.name}) unknown authentication type '${t.text}' - write PASS or AH (upper case)`,
          );
          continue;
        }
        type = t.text;
      } else if (n.keyword.text === 'auth_pass') {
        const t = oneArg(r, n, 'auth_pass secret12');
        if (t === null) continue;
        pass = t.text;
        if (pass.length > 8) {
          r.warn(t, KA.authTruncated, 'Truncating auth_pass to 8 characters (only the first 8 are used)');
          pass = pass.slice(0, 8);
        }
      } else {
        r.unknownKeyword(n, ['auth_type', 'auth_pass'], 'authentication');
      }
    }
    if (type === undefined) {
      r.error(
        node,
        KA.missingRequired,
        `(${d.name}) authentication without auth_type - add 'auth_type PASS'`,
      );
      return;
    }
    if (pass === undefined) {
      r.error(
        node,
        KA.missingRequired,
        `(${d.name}) authentication without auth_pass - add e.g. 'auth_pass secret12'`,
      );
      return;
    }
    d.authentication = { type, pass, node };
  },
  virtual_ipaddress: (r, node, d) => {
    d.vipsNode ??= node;
    for (const e of blockChildren(r, node, 'virtual_ipaddress { 192.168.1.10/24 }')) {
      const vip = parseVip(r, e);
      if (vip !== null) d.vips.push(vip);
    }
  },
  virtual_ipaddress_excluded: (r, node, d) => {
    for (const e of blockChildren(r, node, 'virtual_ipaddress_excluded { 192.168.1.11/24 }')) {
      const vip = parseVip(r, e);
      if (vip !== null) d.vipsExcluded.push(vip);
    }
  },
  virtual_routes: addrList('virtualRoutes'),
  virtual_rules: addrList('virtualRules'),
  unicast_src_ip: (r, node, d) => {
    const t = oneArg(r, node, 'unicast_src_ip 192.168.1.2');
    const ip = t && ipArg(r, t, 'unicast_src_ip');
    if (ip) d.unicastSrcIp = { ...ip, tok: t! };
  },
  unicast_peer: (r, node, d) => {
    for (const e of blockChildren(r, node, 'unicast_peer { 192.168.1.3 }')) {
      const words = entryWords(e);
      const ip = ipArg(r, words[0], `(${d.name}) unicast_peer`);
      if (ip === null) continue;
      if (words.length > 1) {
        r.warn(
          words[1],
          KA.notApplied,
          `(${d.name}) unicast_peer option '${words
            .slice(1)
            .map((w) => w.text)
            .join(' ')}' is parsed but not applied`,
        );
      }
      d.unicastPeers.push({ ...ip, tok: words[0] });
    }
  },
  mcast_src_ip: (r, node, d) => {
    const t = oneArg(r, node, 'mcast_src_ip 192.168.1.2');
    const ip = t && ipArg(r, t, 'mcast_src_ip');
    if (ip) d.mcastSrcIp = { ...ip, tok: t! };
  },
  nopreempt: (r, node, d) => {
    noArgs(r, node);
    d.nopreempt = node.keyword;
  },
  no_preempt: (r, node, d) => {
    noArgs(r, node);
    d.nopreempt = node.keyword;
  },
  preempt: (r, node, d) => {
    noArgs(r, node); // keepalived keeps it for backward compatibility: preemption is the default
    d.nopreempt = undefined;
  },
  // Our extension (packages/ha-agent README, "The handover bridge"): forward new connections to the
  // peer's balancer while the VIP moves after our balancer died. Off unless one of these is written.
  handover_bridge: (r, node, d) => {
    noArgs(r, node);
    d.handoverBridge = node.keyword;
  },
  handover_peer: (r, node, d) => {
    const t = oneArg(r, node, 'handover_peer 192.168.1.3');
    const ip = t && ipArg(r, t, 'handover_peer');
    if (ip) d.handoverPeer = { ...ip, tok: t! };
  },
  handover_drain: (r, node, d) => {
    const t = oneArg(r, node, 'handover_drain 5');
    const v = t && secondsArg(r, t, 0, 3600, node.keyword.text);
    if (v !== null) d.handoverDrain = v;
  },
  preempt_delay: (r, node, d) => {
    const t = oneArg(r, node, 'preempt_delay 30');
    const v = t && secondsArg(r, t, 0, 1000, node.keyword.text);
    if (v !== null) {
      d.preemptDelay = v;
      d.preemptDelayTok = t!;
    }
  },
  garp_master_delay: garpSeconds('garpMasterDelay', 255),
  garp_master_repeat: garpCount('garpMasterRepeat'),
  garp_master_refresh: garpSeconds('garpMasterRefresh', 86400),
  garp_master_refresh_repeat: garpCount('garpMasterRefreshRepeat'),
  garp_lower_prio_delay: garpSeconds('garpLowerPrioDelay', 255),
  garp_lower_prio_repeat: garpCount('garpLowerPrioRepeat'),
  ...TRACK_NOTIFY_KEYWORDS,
  use_vmac: (r, node, d) => {
    extraArgs(r, node, 2);
    // `use_vmac [NAME] [MAC]`: a word that looks like a MAC is the MAC, not a name; '' = default name
    const isMac = (t: Token) => /^[0-9a-f]{2}(:[0-9a-f]{2}){4,5}$/i.test(t.text);
    d.useVmac = node.args.find((a) => !isMac(a))?.text ?? '';
    if (node.args.some(isMac)) {
      r.warn(
        node,
        KA.notApplied,
        `(${d.name}) a custom VMAC address is not applied: the VMAC is 00:00:5e:00:01:<VRID>`,
      );
    }
  },
  vmac_xmit_base: (r, node, d) => {
    noArgs(r, node);
    d.vmacXmitBase = true;
  },
  accept: (r, node, d) => {
    noArgs(r, node);
    d.accept = true;
  },
  no_accept: (r, node, d) => {
    noArgs(r, node);
    d.accept = false;
  },
  dont_track_primary: (r, node, d) => {
    noArgs(r, node);
    d.dontTrackPrimary = true;
  },
  native_ipv6: (r, node, d) => {
    noArgs(r, node);
    d.nativeIpv6 = node.keyword;
  },
  v3_checksum_as_v2: (r, node, d) => {
    d.v3ChecksumAsV2 = boolFlag(r, node);
  },
  strict_mode: (r, node, d) => {
    d.strictMode = boolFlag(r, node);
  },
  skip_check_adv_addr: (r, node, d) => {
    d.skipCheckAdvAddr = boolFlag(r, node);
  },
  check_unicast_src: (r, node, d) => {
    noArgs(r, node);
    d.checkUnicastSrc = true;
  },
  debug: (r, node, d) => {
    const t = oneArg(r, node, 'debug 0');
    if (t === null) return;
    if (intArg(r, t, 0, 4, node.keyword.text) !== null) {
      r.warn(
        node,
        KA.ignored,
        `(${d.name}) debug is ignored (not implemented by keepalived either) - use ha-agent -D`,
      );
    }
  },
  lvs_sync_daemon_interface: (r, node, d) => {
    r.warn(
      node,
      KA.ignored,
      `(${d.name}) lvs_sync_daemon_interface is ignored: ha-agent does not drive IPVS (LVS)`,
    );
  },
  old_unicast_checksum: notApplied('write v3_checksum_as_v2 for the message-only VRRPv3 checksum'),
  promote_secondaries: notApplied('set net.ipv4.conf.IF.promote_secondaries with sysctl'),
};

/** keepalived vrrp_instance keywords the agent does not implement (parsed, warned, never silent). */
const NOT_IMPLEMENTED = [
  'vrf',
  'use_vmac_addr',
  'use_ipvlan',
  'track_bfd',
  'mcast_dst_ip',
  'track_src_ip',
  'unicast_fault_no_peer',
  'unicast_ttl',
  'garp_extra_if',
  'garp_extra_if_vmac',
  'down_timer_adverts',
  'lower_prio_no_advert',
  'higher_prio_send_advert',
  'notify_master_rx_lower_pri',
  'notify_deleted',
  'notify_priority_changes',
  'kernel_rx_buf_size',
  'linkbeat_use_polling',
  'vmac_garp_intvl',
  'global_tracking',
];

const BLOCK_KEYWORDS = new Set([
  'authentication',
  'virtual_ipaddress',
  'virtual_ipaddress_excluded',
  'virtual_routes',
  'virtual_rules',
  'unicast_peer',
  ...TRACK_BLOCKS,
]);

export function newInstanceDraft(name: string, node: ConfigNode): InstanceDraft {
  return {
    name,
    node,
    notify: {},
    notifyUsers: {},
    vips: [],
    vipsExcluded: [],
    virtualRoutes: [],
    virtualRules: [],
    unicastPeers: [],
    garp: {},
    trackInterfaces: [],
    trackScripts: [],
    trackBalancers: [],
    trackFiles: [],
    trackProcesses: [],
  };
}

/** Handles `vrrp_instance NAME { … }`. */
export function parseVrrpInstance(r: Reporter, block: ConfigNode, name: string): InstanceDraft {
  const d = newInstanceDraft(name, block);
  applyKeywords(
    r,
    { keywords: INSTANCE_KEYWORDS, blocks: BLOCK_KEYWORDS, notImplemented: NOT_IMPLEMENTED },
    blockChildren(r, block, `vrrp_instance ${name} { interface eth0 … }`),
    d,
    'vrrp_instance',
    name,
  );
  return d;
}
