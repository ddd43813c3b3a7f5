import type { z } from 'zod';
import type { ConfigNode } from './block-tree.ts';
import { KA } from './codes.ts';
import type { GlobalDefsSchema, StatusApiSchema } from './model.ts';
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
  rejectBlock,
  secondsArg,
} from './values.ts';

export type GlobalDefsDraft = {
  -readonly [K in keyof z.input<typeof GlobalDefsSchema>]: z.input<typeof GlobalDefsSchema>[K];
} & {
  statusApi: z.input<typeof StatusApiSchema>;
};

type Handler = (r: Reporter, node: ConfigNode, g: GlobalDefsDraft) => void;

const secondsInto =
  (
    key:
      | 'vrrpGarpMasterDelay'
      | 'vrrpGarpMasterRefresh'
      | 'vrrpGarpLowerPrioDelay'
      | 'vrrpGarpInterval'
      | 'vrrpGnaInterval',
    max: number,
    example = '5',
    min = 0,
  ): Handler =>
  (r, node, g) => {
    const t = oneArg(r, node, `${node.keyword.text} ${example}`);
    const v = t && secondsArg(r, t, min, max, node.keyword.text);
    if (v !== null) g[key] = v;
  };

const intInto =
  (
    key: 'vrrpGarpMasterRepeat' | 'vrrpGarpMasterRefreshRepeat' | 'vrrpGarpLowerPrioRepeat',
    min: number,
    max: number,
  ): Handler =>
  (r, node, g) => {
    const t = oneArg(r, node, `${node.keyword.text} 5`);
    const v = t && intArg(r, t, min, max, node.keyword.text);
    if (v !== null) g[key] = v;
  };

const flagInto =
  (
    key:
      | 'vrrpStrict'
      | 'vrrpSkipCheckAdvAddr'
      | 'vrrpCheckUnicastSrc'
      | 'enableScriptSecurity'
      | 'vrrpNoSwap',
  ): Handler =>
  (r, node, g) => {
    g[key] = boolFlag(r, node);
  };

const mcastInto =
  (key: 'vrrpMcastGroup4' | 'vrrpMcastGroup6', family: 4 | 6): Handler =>
  (r, node, g) => {
    const t = oneArg(r, node, family === 4 ? 'vrrp_mcast_group4 224.0.0.18' : 'vrrp_mcast_group6 ff02::12');
    const ip = t && ipArg(r, t, node.keyword.text);
    if (ip === null) return;
    if (ip.family !== family) {
      r.error(
        t!,
        KA.badValue,
        `${node.keyword.text} needs an IPv${family} multicast address, not ${ip.address}`,
      );
      return;
    }
    g[key] = ip.address;
  };

/** Parsed and kept in the model, but the agent sends no mail: one warning per keyword. */
const ignoredMail: Handler = (r, node) => {
  r.warn(node, KA.ignored, `${node.keyword.text} is ignored: ha-agent sends no e-mail (use notify scripts)`);
};

export const GLOBAL_DEFS_KEYWORDS: Record<string, Handler> = {
  router_id: (r, node, g) => {
    const t = oneArg(r, node, 'router_id LB_MASTER');
    if (t) g.routerId = t.text;
  },
  vrrp_version: (r, node, g) => {
    const t = oneArg(r, node, 'vrrp_version 3');
    const v = t && intArg(r, t, 2, 3, node.keyword.text);
    if (v === 2 || v === 3) g.vrrpVersion = v;
  },
  vrrp_strict: flagInto('vrrpStrict'),
  vrrp_garp_master_delay: secondsInto('vrrpGarpMasterDelay', 255),
  vrrp_garp_master_repeat: intInto('vrrpGarpMasterRepeat', 1, 255),
  vrrp_garp_master_refresh: secondsInto('vrrpGarpMasterRefresh', 86400),
  vrrp_garp_master_refresh_repeat: intInto('vrrpGarpMasterRefreshRepeat', 1, 255),
  vrrp_garp_lower_prio_delay: secondsInto('vrrpGarpLowerPrioDelay', 255),
  vrrp_garp_lower_prio_repeat: intInto('vrrpGarpLowerPrioRepeat', 1, 255),
  // keepalived 2.2.7 refuses 0 (`number '0' outside range [0.000001, 4294.967295]`): leave the keyword
  // out for no spacing at all.
  vrrp_garp_interval: secondsInto('vrrpGarpInterval', 4294.967295, '0.001', 0.000001),
  vrrp_gna_interval: secondsInto('vrrpGnaInterval', 4294.967295, '0.001', 0.000001),
  vrrp_min_garp: (r, node, g) => {
    // keepalived.conf(5): one GARP/NA, no second burst
    if (boolFlag(r, node)) {
      g.vrrpGarpMasterRepeat = 1;
      g.vrrpGarpMasterDelay = 0;
    }
  },
  vrrp_mcast_group4: mcastInto('vrrpMcastGroup4', 4),
  vrrp_mcast_group6: mcastInto('vrrpMcastGroup6', 6),
  vrrp_skip_check_adv_addr: flagInto('vrrpSkipCheckAdvAddr'),
  vrrp_check_unicast_src: flagInto('vrrpCheckUnicastSrc'),
  script_user: (r, node, g) => {
    if (node.args.length === 0) {
      r.error(
        node,
        KA.missingArgument,
        'script_user is missing a user - write e.g. script_user keepalived_script',
      );
      return;
    }
    extraArgs(r, node, 2);
    g.scriptUser = { user: node.args[0].text, group: node.args[1]?.text ?? null };
  },
  enable_script_security: flagInto('enableScriptSecurity'),
  vrrp_no_swap: flagInto('vrrpNoSwap'),
  vrrp_priority: (r, node, g) => {
    const t = oneArg(r, node, 'vrrp_priority -10');
    const v = t && intArg(r, t, -20, 19, node.keyword.text);
    if (v !== null) g.vrrpPriority = v;
  },
  max_auto_priority: (r, node, g) => {
    if (node.args.length === 0) {
      g.maxAutoPriority = 99;
      return;
    }
    const t = oneArg(r, node, 'max_auto_priority 50');
    const v = t && intArg(r, t, -1, 99, node.keyword.text);
    if (v !== null) g.maxAutoPriority = v;
  },
  enable_dbus: (r, node, g) => {
    noArgs(r, node);
    g.enableDbus = true;
    r.warn(node, KA.ignored, 'enable_dbus is ignored: ha-agent has no DBus interface (use the status API)');
  },
  notification_email: (r, node, g) => {
    const list: string[] = [];
    for (const e of blockChildren(r, node, 'notification_email { admin@example.com }')) {
      list.push(...entryWords(e).map((w) => w.text));
    }
    g.notificationEmail = list;
    ignoredMail(r, node, g);
  },
  notification_email_from: (r, node, g) => {
    const t = oneArg(r, node, 'notification_email_from keepalived@example.com');
    if (t) g.notificationEmailFrom = t.text;
    ignoredMail(r, node, g);
  },
  smtp_server: (r, node, g) => {
    const t = oneArg(r, node, 'smtp_server 127.0.0.1');
    extraArgs(r, node, 2);
    if (t) g.smtpServer = node.args.length > 1 ? `${t.text} ${node.args[1].text}` : t.text;
    ignoredMail(r, node, g);
  },
  smtp_helo_name: ignoredMail,
  smtp_connect_timeout: ignoredMail,
  smtp_alert: ignoredMail,
  smtp_alert_vrrp: ignoredMail,
  smtp_alert_checker: ignoredMail,
  no_email_faults: ignoredMail,
  status_api_address: (r, node, g) => {
    const t = oneArg(r, node, 'status_api_address 127.0.0.1');
    const ip = t && ipArg(r, t, 'status_api_address');
    if (ip) g.statusApi.address = ip.address;
  },
  status_api_port: (r, node, g) => {
    const t = oneArg(r, node, 'status_api_port 8585');
    const v = t && intArg(r, t, 1, 65535, node.keyword.text);
    if (v !== null) g.statusApi.port = v;
  },
  data_use_instance: (r, node) => {
    boolFlag(r, node);
    // keepalived adds its instance name and network namespace to the dump files' names; the agent has
    // neither, so the names stay keepalived.data / keepalived.stats (in $TMPDIR, else /tmp)
    r.warn(
      node,
      KA.ignored,
      'data_use_instance has no effect: ha-agent has no instance name or namespace to add to keepalived.data',
    );
  },
  status_api_token: (r, node, g) => {
    const t = oneArg(r, node, 'status_api_token "s3cret"');
    if (t) g.statusApi.token = t.text;
  },
};

/** keepalived global_defs keywords the agent parses but does not implement (warned, never silent). */
const NOT_IMPLEMENTED = [
  'tmp_config_directory',
  'config_save_dir',
  'process_names',
  'process_name',
  'vrrp_process_name',
  'checker_process_name',
  'bfd_process_name',
  'startup_script',
  'startup_script_timeout',
  'shutdown_script',
  'shutdown_script_timeout',
  'default_interface',
  'vrrp_down_timer_adverts',
  'vrrp_garp_extra_if',
  'vrrp_lower_prio_no_advert',
  'vrrp_higher_prio_send_advert',
  'nftables',
  'nftables_priority',
  'nftables_counters',
  'nftables_ifindex',
  'nftables_ipvs',
  'nftables_ipvs_priority',
  'nftables_ipvs_start_fwmark',
  'vrrp_iptables',
  'vrrp_ipsets',
  'disable_local_igmp',
  'vrrp_notify_priority_changes',
  'min_auto_priority_delay',
  'checker_priority',
  'bfd_priority',
  'checker_no_swap',
  'bfd_no_swap',
  'vrrp_cpu_affinity',
  'checker_cpu_affinity',
  'bfd_cpu_affinity',
  'vrrp_rt_priority',
  'checker_rt_priority',
  'bfd_rt_priority',
  'vrrp_rlimit_rttime',
  'checker_rlimit_rttime',
  'bfd_rlimit_rttime',
  'dbus_service_name',
  'notify_fifo',
  'notify_fifo_script',
  'vrrp_notify_fifo',
  'vrrp_notify_fifo_script',
  'fifo_write_vrrp_states_on_reload',
  'dynamic_interfaces',
  'vrrp_netlink_cmd_rcv_bufs',
  'vrrp_netlink_cmd_rcv_bufs_force',
  'vrrp_netlink_monitor_rcv_bufs',
  'vrrp_netlink_monitor_rcv_bufs_force',
  'vrrp_rx_bufs_policy',
  'vrrp_rx_bufs_multiplier',
  'vrrp_startup_delay',
  'log_unknown_vrids',
  'vrrp_vmac_garp_intvl',
  'vmac_prefix',
  'vmac_addr_prefix',
  'random_seed',
  'reload_time_file',
  'reload_repeat',
  'reload_file',
  'umask',
  'checker_log_all_failures',
  'net_namespace',
  'net_namespace_ipvs',
  'namespace_with_ipsets',
  'instance',
  'use_pid_dir',
  'linkbeat_use_polling',
  'child_wait_time',
  'vrrp_track_process',
  'script_security',
  'iptables',
  'vrrp_use_ipv6_forwarding',
];

/** Families the agent does not implement at all: `lvs_*` (IPVS), SNMP. */
function notImplementedFamily(word: string): string | null {
  if (word.startsWith('lvs_')) return 'ha-agent does not drive IPVS (LVS)';
  if (word.startsWith('snmp_') || word.startsWith('enable_snmp') || word === 'enable_traps') {
    return 'ha-agent has no SNMP agent (use the status API or /metrics)';
  }
  if (NOT_IMPLEMENTED.includes(word)) return 'ha-agent does not implement it';
  return null;
}

export function newGlobalDefsDraft(): GlobalDefsDraft {
  return { statusApi: {} } as GlobalDefsDraft;
}

/** Handles `global_defs { … }`; later blocks add to earlier ones, as in keepalived. */
export function parseGlobalDefs(r: Reporter, block: ConfigNode, g: GlobalDefsDraft): void {
  for (const node of blockChildren(r, block, 'global_defs { router_id NAME }')) {
    const word = node.keyword.text;
    const handler = GLOBAL_DEFS_KEYWORDS[word];
    if (handler !== undefined) {
      if (word !== 'notification_email') rejectBlock(r, node);
      handler(r, node, g);
      continue;
    }
    const why = notImplementedFamily(word);
    if (why !== null) {
      r.warn(node, KA.ignored, `${word} is ignored: ${why}`);
      continue;
    }
    r.unknownKeyword(node, [...Object.keys(GLOBAL_DEFS_KEYWORDS), ...NOT_IMPLEMENTED], 'global_defs');
  }
}

/** Top-level daemon keywords (outside any block) keepalived accepts; the agent ignores them with a warning. */
export function topLevelNotImplemented(word: string): string | null {
  return notImplementedFamily(word);
}
