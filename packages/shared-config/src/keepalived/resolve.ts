import { suggest } from '../common/did-you-mean.ts';
import { KA } from './codes.ts';
import type { ConfigDraft } from './interpret.ts';
import {
  type GlobalDefs,
  GlobalDefsSchema,
  type KeepalivedConfig,
  KeepalivedConfigSchema,
  type SyncGroup,
  type TrackRef,
  type VrrpInstance,
} from './model.ts';
import type { SyncGroupDraft } from './sync-group.ts';
import type { TrackDraft } from './track-list.ts';
import type { Reporter } from './values.ts';
import type { InstanceDraft } from './vrrp-instance.ts';

export interface ResolveOptions {
  /** whether a network interface exists on this host (default: /sys/class/net/NAME exists) */
  readonly interfaceExists: (name: string) => boolean;
  /** the main file, for findings about the configuration as a whole */
  readonly file: string;
}

/**
 * Applies dependent defaults (global vrrp_garp_* into instances, track weights from their scripts and
 * balancers, version from the address family), runs the cross-checks keepalived runs after parsing, and
 * validates the result with the zod schema. Returns null only on an internal schema mismatch (reported).
 */
export function resolveConfig(
  r: Reporter,
  draft: ConfigDraft,
  opts: ResolveOptions,
): KeepalivedConfig | null {
  const g = draft.globalDefs;
  g.vrrpGarpLowerPrioDelay ??= g.vrrpGarpMasterDelay;
  g.vrrpGarpLowerPrioRepeat ??= g.vrrpGarpMasterRepeat;
  const globalDefs = GlobalDefsSchema.parse(g);

  const syncOf = new Map<string, SyncGroupDraft>();
  const instanceNames = draft.instances.map((i) => i.name);
  for (const sg of draft.syncGroups) {
    for (const m of sg.members) {
      if (!instanceNames.includes(m.text)) {
        const hint = suggest(m.text, instanceNames);
        r.error(
          m,
          KA.unknownReference,
          `Virtual router ${m.text} specified in sync group ${sg.name} doesn't exist - ${hint === null ? `define vrrp_instance ${m.text} or remove it from the group` : `did you mean '${hint}'?`}`,
        );
        continue;
      }
      const other = syncOf.get(m.text);
      if (other !== undefined && other !== sg) {
        r.error(
          m,
          KA.duplicateName,
          `(${m.text}) is already in sync group ${other.name} - an instance can be in one sync group only`,
        );
        continue;
      }
      syncOf.set(m.text, sg);
    }
    const valid = new Set(sg.members.map((m) => m.text).filter((n) => instanceNames.includes(n)));
    if (valid.size === 1) {
      r.warn(
        sg.node,
        KA.adjusted,
        `Sync group ${sg.name} has only 1 virtual router(s) - this probably isn't what you want`,
      );
    }
  }

  const instances: VrrpInstance[] = [];
  for (const d of draft.instances) {
    const inst = resolveInstance(r, d, draft, globalDefs, opts, syncOf.get(d.name) ?? null);
    if (inst !== null) instances.push(inst);
  }
  checkDuplicateVrids(r, draft.instances, instances);

  const syncGroups: SyncGroup[] = draft.syncGroups.map((sg) => ({
    name: sg.name,
    file: sg.node.keyword.file,
    line: sg.node.keyword.line,
    members: sg.members.map((m) => m.text).filter((n) => syncOf.get(n) === sg),
    trackInterfaces: resolveTracks(r, sg.name, 'interface', sg.trackInterfaces, null, opts),
    trackScripts: resolveTracks(r, sg.name, 'script', sg.trackScripts, draft, opts),
    trackBalancers: resolveTracks(r, sg.name, 'balancer', sg.trackBalancers, draft, opts),
    trackFiles: resolveTracks(r, sg.name, 'file', sg.trackFiles, draft, opts),
    trackProcesses: resolveTracks(r, sg.name, 'process', sg.trackProcesses, draft, opts),
    ...notifyFields(sg),
    syncGroupTrackingWeight: sg.syncGroupTrackingWeight,
  }));

  // keepalived warns for tracked vrrp_scripts, not for notify scripts it has not checked on disk
  const usesScripts =
    instances.some((i) => i.trackScripts.length > 0) || syncGroups.some((sg) => sg.trackScripts.length > 0);
  if (usesScripts && !globalDefs.enableScriptSecurity) {
    // keepalived prints the same at start-up: scripts may run as root from paths others can write
    r.diagnostics.push({
      severity: 'warning',
      file: opts.file,
      line: 0,
      code: KA.scriptSecurity,
      message:
        'SECURITY VIOLATION - scripts are being executed but script_security not enabled - add enable_script_security to global_defs',
    });
  }

  if (draft.instances.length === 0) {
    r.diagnostics.push({
      severity: 'warning',
      file: opts.file,
      line: 0,
      code: KA.noInstances,
      message: 'no vrrp_instance is configured - ha-agent has nothing to do',
    });
  }

  const parsed = KeepalivedConfigSchema.safeParse({
    globalDefs,
    vrrpScripts: Object.fromEntries(draft.scripts),
    trackBalancers: Object.fromEntries(draft.balancers),
    trackFiles: Object.fromEntries(draft.files),
    trackProcesses: Object.fromEntries(draft.processes),
    instances,
    syncGroups,
  });
  if (!parsed.success) {
    r.diagnostics.push({
      severity: 'alert',
      file: opts.file,
      line: 0,
      code: 'CFG_ERR_KA_INTERNAL',
      message: `internal error: the model does not match its schema: ${parsed.error.message}`,
    });
    return null;
  }
  return parsed.data;
}

function notifyFields(d: InstanceDraft | SyncGroupDraft) {
  return {
    notifyMaster: d.notify.master ?? null,
    notifyBackup: d.notify.backup ?? null,
    notifyFault: d.notify.fault ?? null,
    notifyStop: d.notify.stop ?? null,
    notify: d.notify.notify ?? null,
    notifyUsers: { ...d.notifyUsers },
    smtpAlert: d.smtpAlert ?? false,
  };
}

function resolveTracks(
  r: Reporter,
  owner: string,
  kind: 'interface' | 'script' | 'balancer' | 'file' | 'process',
  refs: TrackDraft[],
  draft: ConfigDraft | null,
  opts: ResolveOptions,
): TrackRef[] {
  const out: TrackRef[] = [];
  for (const ref of refs) {
    const at = { text: ref.name, quoted: false, file: ref.file, line: ref.line };
    let weight = ref.weight ?? 0;
    let reverse = ref.reverse ?? false;
    if (kind === 'interface') {
      if (!opts.interfaceExists(ref.name)) {
        r.warn(
          at,
          KA.missingInterface,
          `WARNING - track_interface ${ref.name} for ${owner} doesn't exist on this host`,
        );
      }
    } else {
      const table: ReadonlyMap<string, { weight?: number; weightReverse?: boolean }> = {
        script: draft!.scripts,
        balancer: draft!.balancers,
        file: draft!.files,
        process: draft!.processes,
      }[kind];
      const target = table.get(ref.name);
      if (target === undefined) {
        const hint = suggest(ref.name, table.keys());
        const block = {
          script: 'vrrp_script',
          balancer: 'vrrp_track_balancer',
          file: 'track_file',
          process: 'vrrp_track_process',
        }[kind];
        r.error(
          at,
          KA.unknownReference,
          `(${owner}) track ${kind} ${ref.name} not found - ${hint === null ? `define '${block} ${ref.name} { … }'` : `did you mean '${hint}'?`}`,
        );
        continue;
      }
      // keepalived's own defaults when the block does not set them: files weigh 1, the others 0
      weight = ref.weight ?? target.weight ?? (kind === 'file' ? 1 : 0);
      reverse = ref.reverse ?? target.weightReverse ?? false;
    }
    out.push({ name: ref.name, weight, reverse, file: ref.file, line: ref.line });
  }
  return out;
}

function resolveInstance(
  r: Reporter,
  d: InstanceDraft,
  draft: ConfigDraft,
  g: GlobalDefs,
  opts: ResolveOptions,
  syncGroup: SyncGroupDraft | null,
): VrrpInstance | null {
  const head = d.node;
  let ok = true;
  if (d.interface === undefined) {
    r.error(head, KA.missingRequired, `(${d.name}) no interface - add e.g. 'interface eth0'`);
    ok = false;
  } else if (!opts.interfaceExists(d.interface)) {
    r.warn(
      d.interfaceTok!,
      KA.missingInterface,
      `WARNING - interface ${d.interface} for vrrp_instance ${d.name} doesn't exist`,
    );
  }
  if (d.virtualRouterId === undefined) {
    if (d.vridTok === undefined) {
      r.error(
        head,
        KA.missingRequired,
        `(${d.name}) the virtual router id must be set - add e.g. 'virtual_router_id 51'`,
      );
    }
    ok = false;
  }

  // address family: the first VIP decides (keepalived), else the unicast/mcast addresses, else native_ipv6
  const family: 4 | 6 =
    d.vips[0]?.family ??
    d.unicastSrcIp?.family ??
    d.unicastPeers[0]?.family ??
    d.mcastSrcIp?.family ??
    (d.nativeIpv6 ? 6 : 4);
  const vips = d.vips.filter((v) => {
    if (v.family === family) return true;
    r.error(
      { text: v.address, quoted: false, file: v.file, line: v.line },
      KA.mixedFamily,
      `(${d.name}): address family must match VRRP instance [${v.address}/${v.prefix}] - put IPv${v.family} addresses in virtual_ipaddress_excluded or a separate instance`,
    );
    return false;
  });
  if (d.nativeIpv6 && family === 4) {
    r.error(d.nativeIpv6, KA.mixedFamily, `(${d.name}) Cannot specify native_ipv6 with IPv4 addresses`);
  }
  for (const [what, a] of [
    ['unicast_src_ip', d.unicastSrcIp],
    ['mcast_src_ip', d.mcastSrcIp],
    ...d.unicastPeers.map((p) => ['unicast_peer', p] as const),
  ] as const) {
    if (a !== undefined && a.family !== family) {
      r.error(
        a.tok,
        KA.mixedFamily,
        `(${d.name}) ${what} ${a.address} MUST be of the same family as the instance (IPv${family})`,
      );
    }
  }

  let version = d.version ?? g.vrrpVersion;
  if (family === 6 && version === 2) {
    if (d.versionTok !== undefined) {
      r.warn(
        d.versionTok,
        KA.adjusted,
        `(${d.name}) vrrp_version 2 conflicts with configured or deduced version 3; ignoring. IPv6 needs VRRPv3`,
      );
    }
    version = 3;
  }

  let advertInt = d.advertInt ?? 1;
  if (d.advertTok !== undefined) {
    if (version === 2 && !Number.isInteger(advertInt)) {
      const rounded = Math.max(1, Math.round(advertInt));
      r.warn(
        d.advertTok,
        KA.adjusted,
        `(${d.name}) VRRPv2 advertisement interval ${advertInt}s must be an integer - rounding to ${rounded}; use 'version 3' for sub-second adverts`,
      );
      advertInt = rounded;
    } else if (version === 3) {
      if (advertInt > 40.95) {
        r.error(
          d.advertTok,
          KA.outOfRange,
          `(${d.name}) VRRPv3 advertisement interval ${advertInt}s is over 40.95 - write advert_int 0.01 to 40.95`,
        );
        ok = false;
      }
      advertInt = Math.max(0.01, Math.round(advertInt * 100) / 100);
    }
  }

  const strictMode = d.strictMode ?? g.vrrpStrict;
  let state = d.state ?? 'BACKUP';
  const priority = d.priority ?? 100;
  let authentication = d.authentication ? { type: d.authentication.type, pass: d.authentication.pass } : null;
  if (authentication !== null && version === 3) {
    r.warn(
      d.authentication!.node,
      KA.authWithV3,
      `(${d.name}) VRRP version 3 does not support authentication. Ignoring - remove the authentication block`,
    );
    authentication = null;
  } else if (authentication !== null && strictMode) {
    r.warn(
      d.authentication!.node,
      KA.authWithV3,
      `(${d.name}) strict mode does not support authentication. Ignoring - remove the authentication block`,
    );
    authentication = null;
  }
  if (strictMode && d.unicastPeers.length > 0) {
    r.error(
      d.unicastPeers[0].tok,
      KA.badValue,
      `(${d.name}) unicast peers are not allowed in strict mode - remove vrrp_strict/strict_mode or unicast_peer`,
    );
    ok = false;
  }
  const handover = resolveHandover(r, d, family);
  if (handover === undefined) ok = false;
  if (strictMode && state === 'MASTER' && priority !== 255) {
    r.warn(
      d.stateTok!,
      KA.adjusted,
      `(${d.name}) strict mode allows state MASTER only with priority 255 - using BACKUP`,
    );
    state = 'BACKUP';
  }

  let nopreempt = d.nopreempt !== undefined;
  let preemptDelay = d.preemptDelay ?? 0;
  if (nopreempt && priority === 255) {
    r.warn(
      d.nopreempt!,
      KA.preemptWithMaster,
      `(${d.name}) nopreempt is incompatible with priority 255. resetting nopreempt`,
    );
    nopreempt = false;
  }
  if (nopreempt && state === 'MASTER') {
    r.warn(
      d.nopreempt!,
      KA.preemptWithMaster,
      `(${d.name}) nopreempt will not work with initial state MASTER - clearing; write 'state BACKUP' on every node`,
    );
    nopreempt = false;
  }
  if (preemptDelay > 0 && nopreempt) {
    r.warn(
      d.preemptDelayTok!,
      KA.adjusted,
      `(${d.name}) preempt_delay is incompatible with nopreempt mode - resetting; keep one of them`,
    );
    preemptDelay = 0;
  }
  if (preemptDelay > 0 && state === 'MASTER') {
    r.warn(
      d.preemptDelayTok!,
      KA.preemptWithMaster,
      `(${d.name}) preempt delay will not work with initial state MASTER - clearing; write 'state BACKUP' on every node`,
    );
    preemptDelay = 0;
  }

  let vmacXmitBase = d.vmacXmitBase ?? false;
  if (d.useVmac !== undefined && d.unicastPeers.length > 0 && !vmacXmitBase) {
    r.warn(
      d.unicastPeers[0].tok,
      KA.adjusted,
      `(${d.name}) unicast with use_vmac requires vmac_xmit_base - setting; add vmac_xmit_base to say so`,
    );
    vmacXmitBase = true;
  }
  for (const v of [...vips, ...d.vipsExcluded]) {
    if (v.dev !== null && !opts.interfaceExists(v.dev)) {
      r.warn(
        { text: v.dev, quoted: false, file: v.file, line: v.line },
        KA.missingInterface,
        `WARNING - interface ${v.dev} for VIP ${v.address} doesn't exist`,
      );
    }
  }

  const trackInterfaces = resolveTracks(r, d.name, 'interface', d.trackInterfaces, null, opts);
  const trackScripts = resolveTracks(r, d.name, 'script', d.trackScripts, draft, opts);
  const trackBalancers = resolveTracks(r, d.name, 'balancer', d.trackBalancers, draft, opts);
  const trackFiles = resolveTracks(r, d.name, 'file', d.trackFiles, draft, opts);
  const trackProcesses = resolveTracks(r, d.name, 'process', d.trackProcesses, draft, opts);
  if (syncGroup !== null && !syncGroup.syncGroupTrackingWeight) {
    // keepalived.conf(5): members of a sync group track with weight 0, so the members stay together
    for (const list of [trackInterfaces, trackScripts, trackBalancers, trackFiles, trackProcesses]) {
      for (const t of list) {
        if (t.weight !== 0) {
          r.warn(
            { text: t.name, quoted: false, file: t.file, line: t.line },
            KA.syncGroupWeight,
            `(${d.name}) weight ${t.weight} of ${t.name} set to 0: the instance is in sync group ${syncGroup.name} (add sync_group_tracking_weight to the group to keep it)`,
          );
          t.weight = 0;
        }
      }
    }
  }

  if (!ok || d.interface === undefined || d.virtualRouterId === undefined) return null;
  const garp = {
    garpMasterDelay: d.garp.garpMasterDelay ?? g.vrrpGarpMasterDelay,
    garpMasterRepeat: d.garp.garpMasterRepeat ?? g.vrrpGarpMasterRepeat,
    garpMasterRefresh: d.garp.garpMasterRefresh ?? g.vrrpGarpMasterRefresh,
    garpMasterRefreshRepeat: d.garp.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    garpLowerPrioDelay: d.garp.garpLowerPrioDelay ?? d.garp.garpMasterDelay ?? g.vrrpGarpLowerPrioDelay,
    garpLowerPrioRepeat: d.garp.garpLowerPrioRepeat ?? d.garp.garpMasterRepeat ?? g.vrrpGarpLowerPrioRepeat,
  };
  return {
    name: d.name,
    file: head.keyword.file,
    line: head.keyword.line,
    state,
    interface: d.interface,
    virtualRouterId: d.virtualRouterId,
    priority,
    advertInt,
    version,
    family,
    authentication,
    virtualIpaddresses: vips,
    virtualIpaddressesExcluded: d.vipsExcluded,
    virtualRoutes: d.virtualRoutes,
    virtualRules: d.virtualRules,
    unicastSrcIp: d.unicastSrcIp?.address ?? null,
    unicastPeers: d.unicastPeers.map((p) => p.address),
    mcastSrcIp: d.mcastSrcIp?.address ?? null,
    nopreempt,
    preemptDelay,
    ...garp,
    trackInterfaces,
    trackScripts,
    trackBalancers,
    trackFiles,
    trackProcesses,
    ...notifyFields(d),
    useVmac: d.useVmac === undefined ? null : d.useVmac === '' ? `vrrp.${d.virtualRouterId}` : d.useVmac,
    vmacXmitBase,
    accept: d.accept ?? (strictMode ? priority === 255 : true),
    v3ChecksumAsV2: d.v3ChecksumAsV2 ?? false,
    dontTrackPrimary: d.dontTrackPrimary ?? false,
    strictMode,
    skipCheckAdvAddr: d.skipCheckAdvAddr ?? g.vrrpSkipCheckAdvAddr,
    checkUnicastSrc: d.checkUnicastSrc ?? g.vrrpCheckUnicastSrc,
    syncGroup: syncGroup?.name ?? null,
    handover: handover ?? null,
  };
}

/**
 * `handover_bridge` / `handover_peer ADDR` / `handover_drain S`: the peer is handover_peer, else the
 * instance's only unicast_peer. undefined = an error was reported; null = off.
 */
function resolveHandover(
  r: Reporter,
  d: InstanceDraft,
  family: 4 | 6,
): { peer: string; drain: number } | null | undefined {
  if (!d.handoverBridge && !d.handoverPeer) return null;
  const at = d.handoverPeer?.tok ?? d.handoverBridge!;
  let peer = d.handoverPeer;
  if (!peer) {
    if (d.unicastPeers.length !== 1) {
      r.error(
        at,
        KA.missingRequired,
        `(${d.name}) handover_bridge needs the peer's address and the instance has ${d.unicastPeers.length === 0 ? 'no unicast_peer' : 'several unicast_peer addresses'} - add 'handover_peer 192.168.1.3'`,
      );
      return undefined;
    }
    peer = d.unicastPeers[0];
  }
  if (family !== 4 || peer.family !== 4) {
    r.error(
      at,
      KA.badValue,
      `(${d.name}) the handover bridge is IPv4 only (nftables 'table ip') - remove handover_bridge/handover_peer from this IPv${family} instance`,
    );
    return undefined;
  }
  const own = [
    ...d.vips.map((v) => v.address),
    ...d.vipsExcluded.map((v) => v.address),
    d.unicastSrcIp?.address,
    d.mcastSrcIp?.address,
  ];
  if (own.includes(peer.address)) {
    r.error(
      at,
      KA.badValue,
      `(${d.name}) handover_peer ${peer.address} is one of this node's own addresses or VIPs - write the other front node's address`,
    );
    return undefined;
  }
  return { peer: peer.address, drain: d.handoverDrain ?? 5 };
}

/**
 * One VRID per interface and address family (keepalived: "VI_1 and VI_2 both use VRID 51 with IPv4 on
 * interface eth0"), except unicast instances whose peer sets do not overlap (keepalived.conf(5)).
 */
function checkDuplicateVrids(r: Reporter, drafts: InstanceDraft[], instances: VrrpInstance[]): void {
  for (let i = 0; i < instances.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = instances[j];
      const b = instances[i];
      if (a.virtualRouterId !== b.virtualRouterId || a.interface !== b.interface || a.family !== b.family)
        continue;
      const unicast = a.unicastPeers.length > 0 && b.unicastPeers.length > 0;
      if (unicast && !a.unicastPeers.some((p) => b.unicastPeers.includes(p))) continue;
      const tok = drafts.find((d) => d.name === b.name)?.vridTok;
      r.error(
        tok ?? { text: b.name, quoted: false, file: b.file, line: b.line },
        KA.duplicateVrid,
        `${a.name} and ${b.name} both use VRID ${b.virtualRouterId} with IPv${b.family} on interface ${b.interface} - give ${b.name} another virtual_router_id`,
      );
    }
  }
}
