/**
 * The balancer's public API (README "Public API"): what other packages and the next issues build on.
 * The CLI (`bin/balancer`) is the product; this is the engine behind it.
 */
export type { AlgorithmFactory, LbAlgorithm, PickContext } from './backend/algorithms/index.ts';
export { algorithmFor } from './backend/algorithms/index.ts';
export {
  type BackendState,
  setServerAdmin,
  setServerUp,
  setServerUserWeight,
  setServerWeight,
} from './backend/backend.ts';
export { Dispatch, nextAttempt } from './backend/dispatch.ts';
export { CookiePersistence } from './backend/persistence/cookie-persistence.ts';
export { ADMIN_DRAIN, ADMIN_MAINT, type ServerState } from './backend/server.ts';
export type { BackendCheckSpec, ServerCheckSpec } from './checks/check-spec.ts';
export type { HealthChecks } from './checks/scheduler.ts';
export {
  type LoadedConfig,
  type LoadOptions,
  loadBalancerConfig,
  loadBalancerConfigText,
} from './config/load.ts';
export { type Engine, startEngine } from './engine/engine.ts';
export type { BackendSpec, EngineConfig, FrontendSpec, ServerSpec } from './engine/engine-config.ts';
export { fromHaproxyConfig } from './engine/from-haproxy.ts';
export { LB_ERR, LbError, type LbErrorCode, UsageError } from './errors.ts';
export { type HealthServer, healthOf, startHealthServer } from './health-api/health-server.ts';
export { BodyFraming } from './http/body-framing.ts';
export { errorResponse } from './http/error-pages.ts';
export { findHeadEnd, type HttpHead, newHead, parseHead } from './http/head-parser.ts';
export { clfLine, httpLine, tcpLine } from './log/access-formats.ts';
export { proxyLogSpec } from './log/log-config.ts';
export { LogRecord } from './log/log-record.ts';
export type { LogTargetSpec, ProxyLogSpec } from './log/log-spec.ts';
export type { MessageSink } from './log/messages.ts';
export { LogTargets, ProxyLogger } from './log/proxy-log.ts';
export { csv } from './stats/csv.ts';
export { statsJson } from './stats/json.ts';
export { statsRows } from './stats/snapshot.ts';
export type { StatsRuntime } from './stats/stats-runtime.ts';
