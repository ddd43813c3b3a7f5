export type { Diagnostic } from '../common/diagnostic.ts';
export { KA as KEEPALIVED_CODES } from './codes.ts';
export { formatKeepalivedDiagnostic } from './format.ts';
export {
  defaultConfigId,
  interfaceExistsOnHost,
  type KeepalivedLoadOptions,
  type KeepalivedLoadResult,
  loadKeepalivedConfig,
  parseKeepalivedConfig,
} from './load.ts';
export {
  type GlobalDefs,
  GlobalDefsSchema,
  type KeepalivedConfig,
  KeepalivedConfigSchema,
  type ScriptUser,
  type StatusApi,
  type SyncGroup,
  SyncGroupSchema,
  type TrackBalancer,
  TrackBalancerSchema,
  type TrackFile,
  TrackFileSchema,
  type TrackProcess,
  TrackProcessSchema,
  type TrackRef,
  type Vip,
  VipSchema,
  type VrrpInstance,
  VrrpInstanceSchema,
  type VrrpScript,
  VrrpScriptSchema,
} from './model.ts';
export type { SourceHost } from './source-reader.ts';
export { ScriptCommandError, splitScriptCommand } from './split-script-command.ts';
