// SIGUSR1: keepalived.data in keepalived 2.2.7's layout (recorded: test/fixtures/keepalived-dumps/),
// with the lines our state maps onto. Lines about parts keepalived has and the agent does not (LVS,
// SNMP, DBus, the checker and BFD processes, netlink buffer sizes, the socket pool, fd numbers, its
// interface-reset bookkeeping) are left out; the README lists them. Pure: formatDataDump(snapshot).
import type { GlobalDefs, KeepalivedConfig, TrackRef, VrrpInstance } from '@ha-lb/shared-config/keepalived';
import type { InstanceDumpState } from '../instance/vrrp-instance.ts';
import type { FileTracker } from '../track/file.ts';
import type { ProcessTracker } from '../track/process.ts';
import type { ScriptTracker } from '../track/script.ts';
import type { HostInterface } from './host-interfaces.ts';

export interface DumpSnapshot {
  config: KeepalivedConfig;
  instances: InstanceDumpState[];
  groups: { name: string; state: string; members: string[]; faulty: number; init: number }[];
  scripts: ReadonlyMap<string, ScriptTracker>;
  files: ReadonlyMap<string, FileTracker>;
  processes: ReadonlyMap<string, ProcessTracker>;
  interfaces: HostInterface[];
  /** who scripts run as unless they say otherwise (global_defs script_user, else the agent's user) */
  defaultScriptUser: { uid: number; gid: number };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** keepalived's timestamps: `1796237983.046357 (Wed Dec  2 18:59:43.046357 2026)`, local time. */
export function dumpTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  const usec = String(Math.floor((ms - sec * 1000) * 1000)).padStart(6, '0');
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')}`;
  return `${sec}.${usec} (${date} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${usec} ${d.getFullYear()})`;
}

/** keepalived prints float seconds with %f */
const f6 = (n: number) => n.toFixed(6);
const onOff = (b: boolean) => (b ? 'true' : 'false');
/** keepalived's integer seconds for garp delays (whole seconds in its own data) */
const sec = (n: number) => String(Math.trunc(n));

function globalDefs(g: GlobalDefs, scriptId: { uid: number; gid: number }): string[] {
  return [
    '------< Global definitions >------',
    ' Network namespace = (default)',
    ...(g.routerId === null ? [] : [` Router ID = ${g.routerId}`]),
    ` VRRP IPv4 mcast group = ${g.vrrpMcastGroup4}`,
    ` VRRP IPv6 mcast group = ${g.vrrpMcastGroup6}`,
    ` Gratuitous ARP delay = ${sec(g.vrrpGarpMasterDelay)}`,
    ` Gratuitous ARP repeat = ${g.vrrpGarpMasterRepeat}`,
    ` Gratuitous ARP refresh timer = ${sec(g.vrrpGarpMasterRefresh)}`,
    ` Gratuitous ARP refresh repeat = ${g.vrrpGarpMasterRefreshRepeat}`,
    ` Gratuitous ARP lower priority delay = ${sec(g.vrrpGarpLowerPrioDelay)}`,
    ` Gratuitous ARP lower priority repeat = ${g.vrrpGarpLowerPrioRepeat}`,
    ' Num adverts before down = 3',
    ' Send advert after receive lower priority advert = true',
    ' Send advert after receive higher priority advert = false',
    ` Gratuitous ARP interval = ${f6(g.vrrpGarpInterval)}`,
    ` Gratuitous NA interval = ${f6(g.vrrpGnaInterval)}`,
    ` VRRP default protocol version = ${g.vrrpVersion}`,
    ` VRRP check unicast_src = ${onOff(g.vrrpCheckUnicastSrc)}`,
    ` VRRP skip check advert addresses = ${onOff(g.vrrpSkipCheckAdvAddr)}`,
    ` VRRP strict mode = ${onOff(g.vrrpStrict)}`,
    ` Max auto priority = ${g.maxAutoPriority ?? 0}`,
    ` VRRP process priority = ${g.vrrpPriority ?? 0}`,
    ` VRRP don't swap = ${onOff(g.vrrpNoSwap)}`,
    ` Script security ${g.enableScriptSecurity ? 'enabled' : 'disabled'}`,
    ` Default script uid:gid ${scriptId.uid}:${scriptId.gid}`,
  ];
}

/** `10.68.0.100/24 dev eth0 scope global set`, as keepalived writes a VIP (data and JSON dumps) */
export function vipText(
  v: VrrpInstance['virtualIpaddresses'][number],
  dev: string,
  installed: boolean,
): string {
  const brd = v.brd ? ` brd ${v.brd}` : '';
  const scope = v.family === 4 ? ` scope ${v.scope ?? 'global'}` : '';
  const label = v.label ? ` label ${v.label}` : '';
  return `${v.address}/${v.prefix}${brd} dev ${v.dev ?? dev}${scope}${label}${installed ? ' set' : ''}`;
}

const vipLine = (v: VrrpInstance['virtualIpaddresses'][number], dev: string, installed: boolean) =>
  `     ${vipText(v, dev, installed)}`;

const ms = (n: number) => Math.round(n);
const refTail = (r: TrackRef, comma: boolean) =>
  `${comma ? ',' : ''} weight ${r.weight}${r.reverse ? ' reverse' : ''}`;

function instance(s: InstanceDumpState): string[] {
  const c = s.config;
  const unicast = c.unicastPeers.length > 0;
  const v3 = c.version === 3;
  const out = [` VRRP Instance = ${c.name}`, `   VRRP Version = ${c.version}`];
  if (c.syncGroup !== null) out.push(`   Sync group = ${c.syncGroup}`);
  if (c.family === 6) out.push('   Using Native IPv6');
  out.push(`   State = ${s.state}`);
  if (s.state === 'BACKUP' && s.master !== null) {
    out.push(`   Master router = ${s.master.address}`, `   Master priority = ${s.master.priority}`);
    if (v3) out.push(`   Master advert int = ${(s.masterAdverIntervalMs / 1000).toFixed(2)} sec`);
  }
  // keepalived prints the flags it has words for (unicast) and "none" when no flag is set at all;
  // nopreempt is one of its flags, shown as `Preempt = disabled` instead
  out.push(unicast || c.nopreempt ? '   Flags:' : '   Flags: none');
  if (unicast) out.push('     Using unicast');
  out.push(
    `   Wantstate = ${s.state}`,
    `   Number of config faults = ${s.configFaults}`,
    `   Number of interface and track script faults = ${s.trackerFaults}`,
    `   Number of track scripts init = ${s.trackersInit}`,
    `   Last transition = ${dumpTime(s.lastTransitionAt)}`,
    `   Read timeout = ${s.timerDueAt === null ? 'DISABLED' : dumpTime(s.timerDueAt)}`,
    `   Master down timer = ${Math.floor(s.masterDownIntervalMs * 1000)} usecs`,
    `   Interface = ${c.interface}`,
    `   Using src_ip = ${s.sourceAddress ?? '(none)'}${c.unicastSrcIp !== null ? ' (from configuration)' : ''}`,
  );
  if (!unicast) out.push(`   Multicast address ${c.family === 4 ? '224.0.0.18' : 'ff02::12'}`);
  out.push(
    `   Gratuitous ARP delay = ${sec(c.garpMasterDelay)}`,
    `   Gratuitous ARP repeat = ${c.garpMasterRepeat}`,
    `   Gratuitous ARP refresh = ${sec(c.garpMasterRefresh)}`,
    `   Gratuitous ARP refresh repeat = ${c.garpMasterRefreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${sec(c.garpLowerPrioDelay)}`,
    `   Gratuitous ARP lower priority repeat = ${c.garpLowerPrioRepeat}`,
    '   Down timer adverts = 3',
    '   Send advert after receive lower priority advert = true',
    '   Send advert after receive higher priority advert = false',
    `   Virtual Router ID = ${c.virtualRouterId}`,
    `   Priority = ${s.basePriority}`,
    `   Effective priority = ${s.effectivePriority}`,
    `   Total priority = ${s.totalPriority}`,
    v3
      ? `   Advert interval = ${ms(c.advertInt * 1000)} milli-sec`
      : `   Advert interval = ${c.advertInt} sec`,
  );
  if (v3 && s.state === 'BACKUP')
    out.push(`   Master advert interval = ${ms(s.masterAdverIntervalMs)} milli-sec`);
  out.push(
    `   Accept = ${c.accept ? 'enabled' : 'disabled'}`,
    `   Preempt = ${c.nopreempt ? 'disabled' : 'enabled'}`,
  );
  if (c.preemptDelay > 0) out.push(`   Preempt delay = ${sec(c.preemptDelay)} secs`);
  out.push('   Promote_secondaries = disabled');
  if (!v3) {
    if (c.authentication?.type === 'PASS') {
      out.push('   Authentication type = SIMPLE_PASSWORD', `   Password = ${c.authentication.pass}`);
    } else out.push('   Authentication type = none');
  }
  const dev = c.useVmac ?? c.interface;
  const vips = c.virtualIpaddresses;
  if (vips.length > 0) {
    out.push(`   Virtual IP (${vips.length}):`, ...vips.map((v) => vipLine(v, dev, s.vipsInstalled)));
  }
  if (c.virtualIpaddressesExcluded.length > 0) {
    out.push(
      `   Virtual IP Excluded (${c.virtualIpaddressesExcluded.length}):`,
      ...c.virtualIpaddressesExcluded.map((v) => vipLine(v, dev, s.vipsInstalled)),
    );
  }
  if (unicast) {
    out.push(
      '   Unicast TTL = 255',
      `   Check unicast src : ${c.checkUnicastSrc ? 'yes' : 'no'}`,
      '   Unicast Peer :',
      ...c.unicastPeers.map((p) => `     ${p} min_ttl 0 max_ttl 255`),
      '   Unicast checksum compatibility = no',
    );
  }
  if (c.trackScripts.length > 0) {
    out.push('   Tracked scripts :', ...c.trackScripts.map((r) => `     ${r.name}${refTail(r, false)}`));
  }
  if (c.trackFiles.length > 0) {
    out.push('   Tracked files :', ...c.trackFiles.map((r) => `     ${r.name}${refTail(r, true)}`));
  }
  if (c.trackProcesses.length > 0) {
    out.push('   Tracked processes :', ...c.trackProcesses.map((r) => `     ${r.name}${refTail(r, true)}`));
  }
  // ours: keepalived has no balancer tracking
  if (c.trackBalancers.length > 0) {
    out.push('   Tracked balancers :', ...c.trackBalancers.map((r) => `     ${r.name}${refTail(r, true)}`));
  }
  const script = (label: string, cmd: string | null) =>
    cmd === null ? [] : [`   ${label} state transition script = ${cmd}`];
  out.push(
    ...script('Master', c.notifyMaster),
    ...script('Backup', c.notifyBackup),
    ...script('Fault', c.notifyFault),
    ...script('Stop', c.notifyStop),
    ...script('Generic', c.notify),
    '   Using smtp notification = no',
    '   Notify deleted = Fault',
    '   Notify priority changes = false',
  );
  return out;
}

/** Instances (and sync groups) that follow `name` in their track list `key`, with their weights. */
function trackingInstances(
  config: KeepalivedConfig,
  key: 'trackScripts' | 'trackFiles' | 'trackProcesses',
  name: string,
  comma = true,
): string[] {
  const out: string[] = [];
  for (const i of config.instances) {
    for (const r of i[key]) if (r.name === name) out.push(`     ${i.name}${refTail(r, comma)}`);
  }
  return out;
}

/** `'/usr/bin/true' 'a' 'b c'`: the resolved command and its arguments, each quoted */
export function quoted(argv: readonly string[]): string {
  return argv.map((a) => `'${a}'`).join(' ');
}

function scripts(snap: DumpSnapshot, resolve: (cmd: string) => string): string[] {
  if (snap.scripts.size === 0) return [];
  const out = ['------< VRRP Scripts >------'];
  for (const [name, t] of snap.scripts) {
    const def = snap.config.vrrpScripts[name];
    const id = t.identity;
    const status = !t.observed ? 'INIT' : t.state.up ? 'GOOD' : 'BAD';
    out.push(
      ` VRRP Script = ${name}`,
      `   Command = ${quoted([resolve(t.argv[0]), ...t.argv.slice(1)])}`,
      `   Interval = ${sec(def.interval)} sec`,
      `   Timeout = ${sec(def.timeout ?? 0)} sec`,
      `   Weight = ${def.weight}${def.weightReverse ? ' reverse' : ''}`,
      `   Rise = ${t.rise}`,
      `   Fall = ${t.fall}`,
      `   Result = ${t.counter}`,
      `   Insecure = ${t.state.reason.startsWith('not run: insecure') ? 'yes' : 'no'}`,
      `   Status = ${status}`,
      `   Script uid:gid = ${id?.uid ?? process.getuid?.() ?? 0}:${id?.gid ?? process.getgid?.() ?? 0}`,
      '   VRRP instances :',
      '   Tracking instances :',
      ...trackingInstances(snap.config, 'trackScripts', name, true),
      `   State = ${t.running ? 'running' : 'idle'}`,
    );
  }
  return out;
}

function files(snap: DumpSnapshot): string[] {
  if (snap.files.size === 0) return [];
  const out = ['------< VRRP Track files >------'];
  for (const [name, t] of snap.files) {
    const def = snap.config.trackFiles[name];
    out.push(
      ` Track file = ${name}`,
      `   File = ${def.path}`,
      `   Status = ${t.state.value ?? 0}`,
      `   Weight = ${def.weight}${def.weightReverse ? ' reverse' : ''}`,
      '   Tracking instances :',
      ...trackingInstances(snap.config, 'trackFiles', name),
    );
  }
  return out;
}

function processes(snap: DumpSnapshot): string[] {
  if (snap.processes.size === 0) return [];
  const out = ['------< VRRP Track processes >------'];
  for (const [name, t] of snap.processes) {
    const def = snap.config.trackProcesses[name];
    out.push(` VRRP Track process = ${name}`, `   Process = ${def.process}`);
    if (def.params.length > 0) out.push(`   Parameters = ${def.params.join(' ')}`);
    if (def.paramMatch !== 'none') out.push(`   Param match = ${def.paramMatch}`);
    out.push(`   Min processes = ${def.quorum}`);
    if (def.quorumMax !== null) out.push(`   Max processes = ${def.quorumMax}`);
    const pending = t.pendingDelay;
    out.push(
      `   Current processes = ${t.pids.length}`,
      `   Have quorum = ${onOff(t.state.up)}`,
      `   Weight = ${def.weight}${def.weightReverse ? ' reverse' : ''}`,
      `   Terminate delay = ${f6(def.terminateDelay)}s`,
      `   Fork delay = ${f6(def.forkDelay)}s`,
      `   Fork delay timer ${pending === 'fork' ? 'running' : 'not running'}`,
      `   Terminate delay timer ${pending === 'terminate' ? 'running' : 'not running'}`,
      `   Full command = ${onOff(def.fullCommand)}`,
      '   Tracking instances :',
      ...trackingInstances(snap.config, 'trackProcesses', name),
    );
  }
  return out;
}

const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_MULTICAST = 0x1000;

function interfaceState(flags: number, running: boolean): string {
  const words = [flags & IFF_UP ? 'UP' : 'DOWN'];
  if (running) words.push('RUNNING');
  if (!(flags & IFF_BROADCAST)) words.push('no broadcast');
  if (flags & IFF_LOOPBACK) words.push('loopback');
  if (!(flags & IFF_MULTICAST)) words.push('no multicast');
  return words.join(', ');
}

function interfaces(snap: DumpSnapshot): string[] {
  const out = ['------< Interfaces >------'];
  for (const i of snap.interfaces) {
    out.push(
      ` Name = ${i.name}`,
      `   index = ${i.index}`,
      `   IPv4 address = ${i.ipv4 ?? '(none)'}`,
      `   IPv6 address = ${i.ipv6 ?? '(none)'}`,
    );
    if (i.mac !== null)
      out.push(`   MAC = ${i.mac}`, `   MAC broadcast = ${i.broadcast ?? 'ff:ff:ff:ff:ff:ff'}`);
    out.push(
      `   State = ${interfaceState(i.flags, i.running)}`,
      `   MTU = ${i.mtu}`,
      `   HW Type = ${i.type === 772 ? 'LOOPBACK' : i.type === 1 ? 'ETHERNET' : 'UNKNOWN'}`,
    );
    // keepalived lists the instances an interface's state acts on: their own (unless dont_track_primary)
    const tracking = snap.config.instances.filter(
      (inst) =>
        (inst.interface === i.name && !inst.dontTrackPrimary) ||
        inst.trackInterfaces.some((r) => r.name === i.name),
    );
    if (tracking.length > 0) {
      out.push(
        '   Tracking VRRP instances :',
        ...tracking.map((inst) => {
          const r = inst.trackInterfaces.find((t) => t.name === i.name);
          return `     ${inst.name}, weight ${r?.weight ?? 0}${r?.reverse ? ' reverse' : ''}`;
        }),
      );
    }
  }
  return out;
}

function groups(snap: DumpSnapshot): string[] {
  if (snap.groups.length === 0) return [];
  return [
    '------< VRRP Sync groups >------',
    ...snap.groups.flatMap((g) => [
      ` VRRP Sync Group = ${g.name}, ${g.state}`,
      `   Num member fault ${g.faulty}, num member init ${g.init}`,
      '   VRRP member instances :',
      ...g.members.map((m) => `     ${m}`),
      '   Using smtp notification = no',
    ]),
  ];
}

/** keepalived.data for `snap`; `resolve` gives a script's command as keepalived shows it (its real path). */
export function formatDataDump(snap: DumpSnapshot, resolve: (cmd: string) => string = (c) => c): string {
  const lines = [
    ...globalDefs(snap.config.globalDefs, snap.defaultScriptUser),
    '------< VRRP Topology >------',
    ...snap.instances.flatMap(instance),
    ...groups(snap),
    ...scripts(snap, resolve),
    ...files(snap),
    ...processes(snap),
    ...interfaces(snap),
  ];
  return `${lines.join('\n')}\n`;
}
