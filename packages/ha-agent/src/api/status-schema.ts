import { z } from 'zod';

/**
 * `GET /status` — the documented schema of the agent's status API. The runtime builds an `AgentStatus`
 * (getStatus()); the API serialises it as is. Strict objects: a field added on one side and not the other
 * fails the tests instead of drifting silently. Times are ISO-8601 strings, durations in seconds.
 */

export const VrrpStateSchema = z.enum(['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP']);

export const TrackerStatusSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['balancer', 'script', 'interface', 'process', 'file']),
  /** the tracked object is healthy (after rise/fall) */
  up: z.boolean(),
  /** weight this instance applies to it (keepalived rules; 0 = FAULT when down) */
  weight: z.int(),
  reverse: z.boolean(),
  /** this tracker currently forces the instance into FAULT */
  fault: z.boolean(),
  /** priority adjustment it contributes now */
  delta: z.int(),
  reason: z.string(),
  /** track_file: the number the file holds now */
  value: z.int().optional(),
  /** track_balancer with restart_grace: ms left of the grace while the balancer is gone (held up) */
  restartGraceRemainingMs: z.int().min(0).optional(),
});

export const TransitionSchema = z.strictObject({
  at: z.iso.datetime(),
  from: VrrpStateSchema,
  to: VrrpStateSchema,
  reason: z.string(),
});

export const VipStatusSchema = z.strictObject({
  address: z.string(),
  prefix: z.int().min(0).max(128),
  family: z.union([z.literal(4), z.literal(6)]),
  dev: z.string(),
  /** the agent believes the address is on the link (it added it and has not removed it) */
  installed: z.boolean(),
});

export const PacketCountersSchema = z.strictObject({
  advertsSent: z.int().nonnegative(),
  advertsReceived: z.int().nonnegative(),
  /** adverts with priority 0 (a master resigning) */
  priorityZeroReceived: z.int().nonnegative(),
  priorityZeroSent: z.int().nonnegative(),
  /** received packets dropped, by reason (ttl, version, vrid, auth, checksum, length, interval, …) */
  drops: z.record(z.string(), z.int().nonnegative()),
});

/**
 * The handover bridge of an instance with `handover_peer`/`handover_bridge` (absent otherwise): off, or
 * forwarding new connections for the VIP to the peer while it takes over, then draining them.
 */
export const HandoverStatusSchema = z.strictObject({
  peer: z.string(),
  /**
   * off; armed (MASTER: the rules are in, inert while the balancer listens); forwarding (the balancer
   * died: new connections go to the peer while it takes over); draining (the peer has the VIP)
   */
  phase: z.enum(['off', 'armed', 'forwarding', 'draining']),
  /** when the current bridge was installed (null when off) */
  since: z.iso.datetime().nullable(),
  /** the VIP's frontend ports being forwarded (`80`, `8000-8010`) */
  ports: z.array(z.string()),
  /** connections open through the bridge now (the bridge table's nft set `open`); null when off or it cannot be read */
  openConnections: z.int().nonnegative().nullable(),
  /** the most connections open through the last bridge at once */
  peakConnections: z.int().nonnegative(),
  /**
   * the receiving end: the peer resigned and may be bridging to us, so packets of its bridged
   * connections that reach us after our GARP go back to it (table ha_agent_return_<instance>)
   */
  returnPath: z.boolean(),
  /** bridges ended since start, by outcome (handed-over, peer-silent, peer-resigned, aborted) */
  outcomes: z.record(z.string(), z.int().nonnegative()),
  last: z
    .strictObject({
      at: z.iso.datetime(),
      outcome: z.enum(['handed-over', 'peer-silent', 'peer-resigned', 'aborted']),
      reason: z.string(),
    })
    .nullable(),
});

export const InstanceStatusSchema = z.strictObject({
  name: z.string(),
  state: VrrpStateSchema,
  interface: z.string(),
  virtualRouterId: z.int().min(1).max(255),
  version: z.union([z.literal(2), z.literal(3)]),
  family: z.union([z.literal(4), z.literal(6)]),
  /** advert_int, seconds */
  advertInterval: z.number().positive(),
  /** `priority` as configured */
  basePriority: z.int().min(0).max(255),
  /** after trackers' weights (what goes into adverts) */
  effectivePriority: z.int().min(0).max(255),
  syncGroup: z.string().nullable(),
  master: z.strictObject({
    /** an advert from the current master has been seen (or we are it) */
    seen: z.boolean(),
    /** primary address of the master: ours when MASTER */
    address: z.string().nullable(),
    priority: z.int().min(0).max(255).nullable(),
    /** when the last advert from it arrived */
    lastAdvertAt: z.iso.datetime().nullable(),
  }),
  vips: z.array(VipStatusSchema),
  trackers: z.array(TrackerStatusSchema),
  /** the most recent transitions (bounded history), newest last */
  transitions: z.array(TransitionSchema),
  /** transitions since start, by target state */
  transitionCounts: z.record(z.string(), z.int().nonnegative()),
  counters: PacketCountersSchema,
  handover: HandoverStatusSchema.optional(),
});

export const EventLoopStatusSchema = z.strictObject({
  /** ms; monitorEventLoopDelay percentiles since start */
  delayP50Ms: z.number().nonnegative(),
  delayP99Ms: z.number().nonnegative(),
  delayMaxMs: z.number().nonnegative(),
  /** stalls longer than the threshold, and the threshold (ms) */
  stalls: z.int().nonnegative(),
  stallThresholdMs: z.number().positive(),
  lastStallMs: z.number().nonnegative().nullable(),
});

export const AgentStatusSchema = z.strictObject({
  version: z.string(),
  pid: z.int().positive(),
  routerId: z.string().nullable(),
  startedAt: z.iso.datetime(),
  uptimeSeconds: z.number().nonnegative(),
  instances: z.array(InstanceStatusSchema),
  eventLoop: EventLoopStatusSchema,
});

export type VrrpStateName = z.infer<typeof VrrpStateSchema>;
export type TrackerStatus = z.infer<typeof TrackerStatusSchema>;
export type Transition = z.infer<typeof TransitionSchema>;
export type VipStatus = z.infer<typeof VipStatusSchema>;
export type PacketCounters = z.infer<typeof PacketCountersSchema>;
export type HandoverStatus = z.infer<typeof HandoverStatusSchema>;
export type InstanceStatus = z.infer<typeof InstanceStatusSchema>;
export type EventLoopStatus = z.infer<typeof EventLoopStatusSchema>;
export type AgentStatus = z.infer<typeof AgentStatusSchema>;
