// How ha-agent's keepalived.data differs from keepalived 2.2.7's, as data: the lines of keepalived's dump
// the agent leaves out, each with why (the README's table is this list), and what varies from one run to
// the next (times, MACs, link-local addresses, counters) and is masked on both sides before comparing.

export interface Omission {
  /** matches the line (without its leading blanks), or a section header whose whole section goes */
  line: RegExp;
  section?: boolean;
  why: string;
}

export const DATA_OMISSIONS: Omission[] = [
  {
    line: /^Network namespace ipvs = /,
    why: 'IPVS: the agent is keepalived --vrrp only',
  },
  {
    line: /^(Default smtp_alert|Default smtp_alert_vrrp|Default smtp_alert_checker) = /,
    why: 'no e-mail: smtp_* are parsed and ignored',
  },
  {
    line: /^(Checkers log all failures|Checker |BFD |LVS flush|lvs_netlink_|rs_init_notifies|no_checker_emails)/,
    why: 'the checker (LVS) and BFD processes do not exist in the agent',
  },
  {
    line: /^(SNMP |DBus )/,
    why: 'no SNMP agent, no DBus interface (the status API and /metrics instead)',
  },
  {
    line: /^(No test config before reload|Dynamic interfaces|Default interface|Disable local IGMP|FIFO write vrrp states on reload|VRRP notify priority changes|Gratuitous ARP for each secondary VMAC|Min auto priority delay|VRRP realtime priority|VRRP realtime limit)( |$)/,
    why: 'global_defs options the agent does not implement (warned when configured)',
  },
  {
    line: /^(nftables without counters|libnftnl version)/,
    why: 'the no_accept table is made with nft(8), not libnftnl',
  },
  {
    line: /^(vrrp_netlink_|process_monitor_rcv_bufs|rx_bufs_multiples)/,
    why: 'netlink receive buffers: the agent uses ip(8) and polls /proc, it holds no netlink sockets',
  },
  { line: /^umask = /, why: 'the agent does not change its umask' },
  {
    line: /^fd_in \d+, fd_out \d+$/,
    why: 'the VRRP sockets live in the native addon; their fd numbers mean nothing here',
  },
  {
    line: /^------< VRRP Sockpool >------$/,
    section: true,
    why: 'keepalived shares sockets between instances; the agent has one per instance (shown per instance in /status)',
  },
  { line: /^Init state = /, why: "keepalived's internal script-init enum; `Status = INIT` says the same" },
  {
    line: /^(Seen up|Delayed state change running|Up debounce timer|Down debounce timer|NIC netlink status update|Reset ARP config counter|Original arp_ignore|Original arp_filter|Original promote_secondaries|Reset promote_secondaries counter)/,
    why: "keepalived's own interface bookkeeping (debounce, ARP sysctl resets) the agent does not do",
  },
];

/** Values that differ from run to run, masked in both dumps. */
const MASKS: [RegExp, string][] = [
  [/^(\s*(?:Last transition|Read timeout) = )\d+\.\d+ \(.*\)$/, '$1<time>'],
  [/^(\s*MAC = ).*$/, '$1<mac>'],
  [/^(\s*IPv6 address = )fe80:.*$/, '$1<link-local>'],
  // whether a track script happens to be running at the moment of the dump
  [/^(\s*State = )(idle|running)$/, '$1<idle|running>'],
];

export function maskLine(line: string): string {
  let out = line;
  for (const [re, to] of MASKS) out = out.replace(re, to);
  return out;
}

/** keepalived's data dump as the agent writes it: omissions dropped, run-specific values masked. */
export function expectedFromKeepalived(text: string): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const raw of text.replace(/\n$/, '').split('\n')) {
    if (raw.startsWith('------<')) skipping = false;
    const trimmed = raw.trim();
    const o = DATA_OMISSIONS.find((x) => x.line.test(trimmed));
    if (o?.section) {
      skipping = true;
      continue;
    }
    if (skipping || o) continue;
    out.push(maskLine(raw));
  }
  return out;
}

export function maskedLines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n').map(maskLine);
}

/** keepalived.json with what changes from run to run masked: the transition time, the advert counts. */
export function maskJson(dump: { data: Record<string, unknown>; stats: Record<string, unknown> }[]): unknown {
  return dump.map((x) => ({
    data: { ...x.data, last_transition: '<time>' },
    stats: { ...x.stats, advert_rcvd: '<n>', advert_sent: '<n>' },
  }));
}

/** The stats dump with the advert counts (which depend on how long each side ran) masked. */
export function maskStats(text: string): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  let inAdverts = false;
  return lines.map((l) => {
    if (/^\s+Advertisements:$/.test(l)) inAdverts = true;
    else if (!/^\s{4}/.test(l)) inAdverts = false;
    return inAdverts && /^\s{4}(Received|Sent): \d+$/.test(l) ? l.replace(/\d+$/, '<n>') : l;
  });
}
