/** haproxy.cfg: tokenizer → keyword tables → resolved, frozen model (contract A). */
export type { Diagnostic, HaproxyAt, Severity } from '../common/diagnostic.ts';
export { suggest } from '../common/did-you-mean.ts';
export { CODES } from './codes.ts';
export { parseCriterion, parseSampleExpression } from './condition.ts';
export { COMPAT_VERSION, evaluateBlockCondition } from './conditional-blocks.ts';
export { formatHaproxyDiagnostic, formatHaproxyLine, stopsReading } from './format.ts';
export { keywordCatalog } from './keyword-catalog.ts';
export type { KeywordUse } from './keyword-use.ts';
export { expandConfigPaths, loadHaproxyConfig } from './load.ts';
export * from './model.ts';
export type { HaproxyLoadResult, ParseOptions, Source } from './parser.ts';
export { parseHaproxyConfig } from './parser.ts';
export { LOG_FACILITIES, LOG_LEVELS } from './proxy/log.ts';
export { type TokenizedLine, tokenizeLine } from './tokenizer.ts';
export { POST_PARSE_LATE, POST_PARSE_PHASE, postParseOrder, postParseRank, proxyLabel } from './validate.ts';
export { parseAddress, parseCidr, parseSize, parseTime } from './values.ts';
