/**
 * Stable diagnostic codes of the keepalived.conf reader. Alerts are `CFG_ERR_KA_…`, warnings
 * `CFG_WARN_KA_…`; tests and tools match on these, the text is for humans.
 */
export const KA = {
  // syntax and preprocessing
  unterminatedQuote: 'CFG_ERR_KA_UNTERMINATED_QUOTE',
  unexpectedOpenBrace: 'CFG_ERR_KA_UNEXPECTED_OPEN_BRACE',
  unexpectedCloseBrace: 'CFG_ERR_KA_UNEXPECTED_CLOSE_BRACE',
  unclosedBlock: 'CFG_ERR_KA_UNCLOSED_BLOCK',
  includeNoMatch: 'CFG_WARN_KA_INCLUDE_NO_MATCH',
  includeNoMatchStrict: 'CFG_ERR_KA_INCLUDE_NO_MATCH',
  includeUnreadable: 'CFG_ERR_KA_INCLUDE_UNREADABLE',
  includeLoop: 'CFG_ERR_KA_INCLUDE_LOOP',
  fileUnreadable: 'CFG_ERR_KA_FILE_UNREADABLE',
  paramLoop: 'CFG_ERR_KA_PARAM_LOOP',
  paramMultilineUnterminated: 'CFG_ERR_KA_PARAM_MULTILINE_UNTERMINATED',
  badSequence: 'CFG_ERR_KA_BAD_SEQUENCE',
  // keywords and values
  unknownKeyword: 'CFG_ERR_KA_UNKNOWN_KEYWORD',
  missingArgument: 'CFG_ERR_KA_MISSING_ARGUMENT',
  extraArgument: 'CFG_WARN_KA_EXTRA_ARGUMENT',
  badValue: 'CFG_ERR_KA_BAD_VALUE',
  outOfRange: 'CFG_ERR_KA_OUT_OF_RANGE',
  blockExpected: 'CFG_ERR_KA_BLOCK_EXPECTED',
  blockUnexpected: 'CFG_ERR_KA_BLOCK_UNEXPECTED',
  duplicateName: 'CFG_ERR_KA_DUPLICATE_NAME',
  ignored: 'CFG_WARN_KA_IGNORED',
  notApplied: 'CFG_WARN_KA_NOT_APPLIED',
  lvsIgnored: 'CFG_WARN_KA_LVS_IGNORED',
  adjusted: 'CFG_WARN_KA_ADJUSTED',
  // semantic checks
  missingRequired: 'CFG_ERR_KA_MISSING_REQUIRED',
  unknownReference: 'CFG_ERR_KA_UNKNOWN_REFERENCE',
  duplicateVrid: 'CFG_ERR_KA_DUPLICATE_VRID',
  badVip: 'CFG_ERR_KA_BAD_VIP',
  mixedFamily: 'CFG_ERR_KA_MIXED_FAMILY',
  missingInterface: 'CFG_WARN_KA_MISSING_INTERFACE',
  preemptWithMaster: 'CFG_WARN_KA_PREEMPT_WITH_MASTER',
  authTruncated: 'CFG_WARN_KA_AUTH_TRUNCATED',
  authWithV3: 'CFG_WARN_KA_AUTH_WITH_V3',
  syncGroupWeight: 'CFG_WARN_KA_SYNC_GROUP_WEIGHT',
  noInstances: 'CFG_WARN_KA_NO_INSTANCES',
  scriptSecurity: 'CFG_WARN_KA_SCRIPT_SECURITY',
} as const;
