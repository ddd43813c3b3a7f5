import { z } from 'zod';

// Wire schemas use z.object (unknown keys are dropped), not z.strictObject: the agent must keep the VIP
// when a newer balancer adds a field, so additions are compatible; removing or renaming a field is not.

export const HealthStatusSchema = z.enum(['ready', 'starting', 'stopping']);

export const ListenerHealthSchema = z.object({
  /** frontend/listen section name */
  proxy: z.string(),
  /** the bind address as configured, e.g. `*:80`, `127.0.0.1:8080`, `unix@/run/x.sock` */
  address: z.string(),
  /** true once the socket is bound and accepting */
  listening: z.boolean(),
});

export const BackendHealthSchema = z.object({
  /** backend/listen section name */
  name: z.string(),
  /** servers currently UP (checks passing, or unchecked and enabled) */
  up: z.int().nonnegative(),
  /** servers configured, backups included */
  total: z.int().nonnegative(),
});

export const HealthSchema = z.object({
  status: HealthStatusSchema,
  pid: z.int().positive(),
  /** seconds since the balancer started (float) */
  uptimeSeconds: z.number().nonnegative(),
  /** balancer version string */
  version: z.string(),
  /** interval of heartbeat events on /health/watch, in ms (HEARTBEAT_INTERVAL_MS) */
  heartbeatIntervalMs: z.int().positive(),
  listeners: z.array(ListenerHealthSchema),
  backends: z.array(BackendHealthSchema),
});

/** Per-connection sequence number: 0 for the snapshot, +1 for every later event on the same stream. */
const seq = z.int().nonnegative();

export const SnapshotEventSchema = z.object({ type: z.literal('snapshot'), seq, health: HealthSchema });
export const ChangeEventSchema = z.object({ type: z.literal('change'), seq, health: HealthSchema });
export const HeartbeatEventSchema = z.object({
  type: z.literal('heartbeat'),
  seq,
  /** balancer wall clock, ms since the epoch (Date.now()); informational, not for timeout maths */
  ts: z.number().nonnegative(),
});
export const StoppingEventSchema = z.object({ type: z.literal('stopping'), seq });
/**
 * The balancer hands over to a new process (`-sf`/`-st`): `pid` already serves the listeners and
 * serves this socket as soon as this process has closed it. Not a failure: the watcher reconnects.
 */
export const ReplacedEventSchema = z.object({ type: z.literal('replaced'), seq, pid: z.int().positive() });

export const WatchEventSchema = z.discriminatedUnion('type', [
  SnapshotEventSchema,
  ChangeEventSchema,
  HeartbeatEventSchema,
  StoppingEventSchema,
  ReplacedEventSchema,
]);

export type HealthStatus = z.infer<typeof HealthStatusSchema>;
export type ListenerHealth = z.infer<typeof ListenerHealthSchema>;
export type BackendHealth = z.infer<typeof BackendHealthSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type SnapshotEvent = z.infer<typeof SnapshotEventSchema>;
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
export type HeartbeatEvent = z.infer<typeof HeartbeatEventSchema>;
export type StoppingEvent = z.infer<typeof StoppingEventSchema>;
export type ReplacedEvent = z.infer<typeof ReplacedEventSchema>;
export type WatchEvent = z.infer<typeof WatchEventSchema>;
