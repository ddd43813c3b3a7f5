// @ha-lb/ha-agent's public API (the README's "Public API" lists the same): the agent and its parts, for
// embedding the VRRP engine or building tools on its pure cores.
export { type StatusApiOptions, startStatusApi } from './api/server.ts';
export type { AgentStatus, InstanceStatus, TrackerStatus } from './api/status-schema.ts';
export { runConfigTest } from './cli/config-test.ts';
export { type Clock, realClock } from './clock.ts';
export { type DumpSnapshot, formatDataDump } from './dump/data-dump.ts';
export { dumpPaths, writeDumpFile } from './dump/dump-files.ts';
export { formatJsonDump } from './dump/json-dump.ts';
export { formatStatsDump } from './dump/stats-dump.ts';
export { HaError, type HaErrorCode } from './errors.ts';
export { Agent, type AgentOptions } from './instance/agent.ts';
export { hostIo, type InstanceIo } from './instance/instance-io.ts';
export { SyncGroupRuntime } from './instance/sync-group.ts';
export { type InstanceDeps, VrrpInstanceRuntime } from './instance/vrrp-instance.ts';
export { createLogger, type LogFormat, type Logger, type LogOptions } from './log.ts';
export { SIGNAL_MEANINGS, type SignalMeaning } from './signals.ts';
export { BalancerTracker } from './track/balancer.ts';
export { FileTracker } from './track/file.ts';
export { InterfaceTracker } from './track/interface.ts';
export { ProcessTracker } from './track/process.ts';
export { ProcessTable } from './track/process-table.ts';
export { evaluateTracking, type TrackedRef, TrackerRegistry } from './track/registry.ts';
export { ScriptTracker } from './track/script.ts';
export type { Tracker, TrackerKind, TrackerState } from './track/tracker.ts';
export { decodeAdvert, encodeAdvert, type VrrpAdvert } from './vrrp/codec.ts';
export { type VrrpAction, type VrrpEvent, type VrrpState, VrrpStateMachine } from './vrrp/state-machine.ts';
