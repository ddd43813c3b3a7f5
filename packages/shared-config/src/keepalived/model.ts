import { z } from 'zod';

// The keepalived.conf model (contract B). Times are SECONDS as floats, like keepalived.conf itself.
// Static defaults live here; defaults that depend on other settings (an instance's garp_* from the
// global vrrp_garp_*, a track weight from its script) are filled by resolve.ts before parsing.

const seconds = z.number().nonnegative();
const weight = z.int().min(-254).max(254);

export const ScriptUserSchema = z.strictObject({ user: z.string(), group: z.string().nullable() });

export const StatusApiSchema = z.strictObject({
  /** listen address of the agent's REST status API; loopback unless configured */
  address: z.string().default('127.0.0.1'),
  /** TCP port; 8585 is our choice (keepalived has no such API) */
  port: z.int().min(1).max(65535).default(8585),
  /** bearer token required by the API when set */
  token: z.string().nullable().default(null),
});

export const GlobalDefsSchema = z.strictObject({
  routerId: z.string().nullable().default(null),
  vrrpVersion: z.union([z.literal(2), z.literal(3)]).default(2),
  vrrpStrict: z.boolean().default(false),
  vrrpGarpMasterDelay: seconds.default(5), // s, second GARP burst after becoming MASTER; 0 = none
  vrrpGarpMasterRepeat: z.int().min(1).default(5), // GARPs per burst
  vrrpGarpMasterRefresh: seconds.default(0), // s, periodic refresh while MASTER; 0 = off
  vrrpGarpMasterRefreshRepeat: z.int().min(1).default(1),
  vrrpGarpLowerPrioDelay: seconds.default(5), // s; default: vrrpGarpMasterDelay (resolved)
  vrrpGarpLowerPrioRepeat: z.int().min(1).default(5), // default: vrrpGarpMasterRepeat (resolved)
  vrrpGarpInterval: seconds.default(0), // s between GARPs on one interface
  vrrpGnaInterval: seconds.default(0), // s between unsolicited NAs on one interface
  vrrpMcastGroup4: z.string().default('224.0.0.18'),
  vrrpMcastGroup6: z.string().default('ff02::12'),
  vrrpSkipCheckAdvAddr: z.boolean().default(false),
  vrrpCheckUnicastSrc: z.boolean().default(false),
  scriptUser: ScriptUserSchema.nullable().default(null),
  enableScriptSecurity: z.boolean().default(false),
  vrrpNoSwap: z.boolean().default(false),
  vrrpPriority: z.int().min(-20).max(19).nullable().default(null), // process nice value
  maxAutoPriority: z.int().min(-1).max(99).nullable().default(null),
  enableDbus: z.boolean().default(false),
  notificationEmail: z.array(z.string()).default([]),
  notificationEmailFrom: z.string().nullable().default(null),
  smtpServer: z.string().nullable().default(null),
  statusApi: StatusApiSchema.prefault({}),
});

export const VrrpScriptSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  /** the command as written (quoted form unquoted); split with splitScriptCommand */
  script: z.string(),
  interval: seconds.positive().default(1), // s
  timeout: seconds.positive().nullable().default(null), // s; null = interval
  rise: z.int().min(1).default(1),
  fall: z.int().min(1).default(1),
  weight: z.int().min(-253).max(253).default(0),
  weightReverse: z.boolean().default(false),
  user: ScriptUserSchema.nullable().default(null),
  initFail: z.boolean().default(false),
});

export const TrackBalancerSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  /** the balancer's health socket (haproxy.cfg `global` → `health-socket`) */
  socket: z.string().default('/run/balancer/health.sock'),
  /** 0 = FAULT when the balancer is down (the sub-second failover); else added to/subtracted from priority */
  weight: z.int().min(-253).max(253).default(0),
  rise: z.int().min(1).default(1),
  fall: z.int().min(1).default(1),
  /** s without any line on the watch stream before the balancer counts as hung */
  heartbeatTimeout: seconds.positive().default(1),
  /**
   * s the tracker stays up after the balancer vanished without saying it stops (a crash: the watch
   * stream closed, no `stopping` event), waiting for a restarted balancer (systemd Restart= with the
   * listening sockets held by balancer.socket) to report ready; 0 (default) = down at once, as before
   */
  restartGrace: seconds.min(0).default(0),
});

/** keepalived's `track_file NAME { file PATH; weight W [reverse]; init_file [VALUE] [overwrite] }`. */
export const TrackFileSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  /** the file whose number is read (keepalived reads it whenever it is written) */
  path: z.string(),
  /** the value read is multiplied by it; 0: a non-zero value means FAULT (keepalived's default is 1) */
  weight: z.int().min(-2147483647).max(2147483647).default(1),
  weightReverse: z.boolean().default(false),
  /** write VALUE at start-up when the file does not exist (or always, with overwrite) */
  initFile: z.strictObject({ value: z.int(), overwrite: z.boolean() }).nullable().default(null),
});

/** keepalived's `vrrp_track_process NAME { process NAME [ARGS…]; param_match …; quorum N; … }`. */
export const TrackProcessSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  /** matched against /proc/PID/comm, or argv[0] of /proc/PID/cmdline with full_command or parameters */
  process: z.string(),
  /** the parameters that must follow argv[0] (param_match says how) */
  params: z.array(z.string()).default([]),
  /** none: parameters are not looked at; exact: equal; partial: the first N equal; initial: the last may be longer */
  paramMatch: z.enum(['none', 'exact', 'partial', 'initial']).default('none'),
  weight: z.int().min(-254).max(254).default(0),
  weightReverse: z.boolean().default(false),
  /** OK with at least `quorum` and at most `quorumMax` matching processes (null: no maximum) */
  quorum: z.int().min(0).max(65535).default(1),
  quorumMax: z.int().min(0).max(65535).nullable().default(null),
  forkDelay: seconds.default(0), // s before counting quorum gained by a tracked process forking
  terminateDelay: seconds.default(0), // s before acting on quorum lost by a process exiting
  fullCommand: z.boolean().default(false),
});

export const VipSchema = z.strictObject({
  address: z.string(),
  prefix: z.int().min(0).max(128),
  family: z.union([z.literal(4), z.literal(6)]),
  dev: z.string().nullable().default(null),
  label: z.string().nullable().default(null),
  scope: z.string().nullable().default(null),
  brd: z.string().nullable().default(null),
  file: z.string(),
  line: z.int(),
});

export const TrackRefSchema = z.strictObject({
  name: z.string(),
  /** resolved: the one written here, else the tracked object's own weight (0 for interfaces) */
  weight,
  reverse: z.boolean().default(false),
  file: z.string(),
  line: z.int(),
});

export const NotifyUsersSchema = z.strictObject({
  master: ScriptUserSchema.optional(),
  backup: ScriptUserSchema.optional(),
  fault: ScriptUserSchema.optional(),
  stop: ScriptUserSchema.optional(),
  notify: ScriptUserSchema.optional(),
});

const notifyFields = {
  /** commands as written (quoted form unquoted); split with splitScriptCommand */
  notifyMaster: z.string().nullable().default(null),
  notifyBackup: z.string().nullable().default(null),
  notifyFault: z.string().nullable().default(null),
  notifyStop: z.string().nullable().default(null),
  notify: z.string().nullable().default(null),
  /** `notify_* CMD USER [GROUP]`; absent = global script_user */
  notifyUsers: NotifyUsersSchema.prefault({}),
  smtpAlert: z.boolean().default(false),
};

export const VrrpInstanceSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  state: z.enum(['MASTER', 'BACKUP']).default('BACKUP'),
  interface: z.string(),
  virtualRouterId: z.int().min(1).max(255),
  priority: z.int().min(1).max(255).default(100),
  advertInt: z.number().min(0.01).max(255).default(1), // s; v2 whole seconds, v3 centiseconds ≤ 40.95
  version: z.union([z.literal(2), z.literal(3)]),
  family: z.union([z.literal(4), z.literal(6)]),
  authentication: z
    .strictObject({ type: z.enum(['PASS', 'AH']), pass: z.string().max(8) })
    .nullable()
    .default(null),
  virtualIpaddresses: z.array(VipSchema).default([]),
  virtualIpaddressesExcluded: z.array(VipSchema).default([]),
  /** virtual_routes / virtual_rules lines as written: parsed, not applied (warned) */
  virtualRoutes: z.array(z.string()).default([]),
  virtualRules: z.array(z.string()).default([]),
  unicastSrcIp: z.string().nullable().default(null),
  unicastPeers: z.array(z.string()).default([]),
  mcastSrcIp: z.string().nullable().default(null),
  nopreempt: z.boolean().default(false),
  preemptDelay: seconds.max(1000).default(0), // s
  garpMasterDelay: seconds, // s (resolved from vrrp_garp_master_delay, default 5)
  garpMasterRepeat: z.int().min(1),
  garpMasterRefresh: seconds, // s, 0 = off
  garpMasterRefreshRepeat: z.int().min(1),
  garpLowerPrioDelay: seconds,
  garpLowerPrioRepeat: z.int().min(1),
  trackInterfaces: z.array(TrackRefSchema).default([]),
  trackScripts: z.array(TrackRefSchema).default([]),
  trackBalancers: z.array(TrackRefSchema).default([]),
  trackFiles: z.array(TrackRefSchema).default([]),
  trackProcesses: z.array(TrackRefSchema).default([]),
  ...notifyFields,
  /** VMAC interface name (`vrrp.<vrid>` when `use_vmac` has no name), null = no VMAC */
  useVmac: z.string().nullable().default(null),
  vmacXmitBase: z.boolean().default(false),
  /** accept mode: answer on the VIP when not address owner (default on unless strict mode) */
  accept: z.boolean().default(true),
  /** v3 IPv4 checksum over the VRRP message only (no pseudo-header), like v2 */
  v3ChecksumAsV2: z.boolean().default(false),
  dontTrackPrimary: z.boolean().default(false),
  strictMode: z.boolean().default(false),
  skipCheckAdvAddr: z.boolean().default(false),
  checkUnicastSrc: z.boolean().default(false),
  /**
   * Our extension, off (null) by default = keepalived's behaviour: when the tracked balancer dies while
   * MASTER, forward new connections for the VIP's frontend ports to `peer` (nftables DNAT + masquerade)
   * until the peer advertises as MASTER, then drop the VIP and, once the forwarded connections ended
   * (at most `drain` s), the rules.
   */
  handover: z
    .strictObject({
      /** the peer's address: `handover_peer`, else the instance's only unicast_peer */
      peer: z.string(),
      /** s to keep forwarding connections already bridged after the VIP left (default 5) */
      drain: seconds.max(3600).default(5),
    })
    .nullable()
    .default(null),
  /** name of the vrrp_sync_group this instance belongs to */
  syncGroup: z.string().nullable().default(null),
});

export const SyncGroupSchema = z.strictObject({
  name: z.string(),
  file: z.string(),
  line: z.int(),
  members: z.array(z.string()),
  trackInterfaces: z.array(TrackRefSchema).default([]),
  trackScripts: z.array(TrackRefSchema).default([]),
  trackBalancers: z.array(TrackRefSchema).default([]),
  trackFiles: z.array(TrackRefSchema).default([]),
  trackProcesses: z.array(TrackRefSchema).default([]),
  ...notifyFields,
  /** keep members' own track weights (keepalived zeroes them otherwise) */
  syncGroupTrackingWeight: z.boolean().default(false),
});

export const KeepalivedConfigSchema = z.strictObject({
  globalDefs: GlobalDefsSchema,
  vrrpScripts: z.record(z.string(), VrrpScriptSchema),
  trackBalancers: z.record(z.string(), TrackBalancerSchema),
  trackFiles: z.record(z.string(), TrackFileSchema),
  trackProcesses: z.record(z.string(), TrackProcessSchema),
  instances: z.array(VrrpInstanceSchema),
  syncGroups: z.array(SyncGroupSchema),
});

export type ScriptUser = z.infer<typeof ScriptUserSchema>;
export type StatusApi = z.infer<typeof StatusApiSchema>;
export type GlobalDefs = z.infer<typeof GlobalDefsSchema>;
export type VrrpScript = z.infer<typeof VrrpScriptSchema>;
export type TrackBalancer = z.infer<typeof TrackBalancerSchema>;
export type TrackFile = z.infer<typeof TrackFileSchema>;
export type TrackProcess = z.infer<typeof TrackProcessSchema>;
export type Vip = z.infer<typeof VipSchema>;
export type TrackRef = z.infer<typeof TrackRefSchema>;
export type VrrpInstance = z.infer<typeof VrrpInstanceSchema>;
export type SyncGroup = z.infer<typeof SyncGroupSchema>;
export type KeepalivedConfig = z.infer<typeof KeepalivedConfigSchema>;
