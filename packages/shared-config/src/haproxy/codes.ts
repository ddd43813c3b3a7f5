/**
 * Stable codes of haproxy.cfg diagnostics (`Diagnostic.code`): tests, tools and the engine's start-up
 * match on these, never on message text. `CFG_ERR_…` are alerts, `CFG_WARN_…` warnings.
 */
export const CODES = {
  /** Tokenizer or grammar problem: unmatched quote, missing argument form, bad `.if`. */
  syntax: 'CFG_ERR_SYNTAX',
  /** Unknown keyword, option, action or fetch (with a did-you-mean when one is close). */
  unknownKeyword: 'CFG_ERR_UNKNOWN_KEYWORD',
  /** A keyword in a section (or proxy capability) where it is not allowed; names the right one. */
  wrongSection: 'CFG_ERR_WRONG_SECTION',
  /** A value that does not parse or is out of range (time, port, CIDR, algorithm…). */
  badValue: 'CFG_ERR_BAD_VALUE',
  /**
   * A `server`/`default-server` option HAProxy's server parser refuses (printed as it prints them:
   * `[FILE:LINE] : 'server be/srv' : …`).
   */
  serverOption: 'CFG_ERR_SERVER_OPTION',
  /** A required argument is missing. */
  missingArg: 'CFG_ERR_MISSING_ARGUMENT',
  /** A name that refers to nothing: backend, ACL, userlist, http-errors, defaults, tracked server. */
  unknownReference: 'CFG_ERR_UNKNOWN_REFERENCE',
  /** Two things with the same name where names must be unique. */
  duplicate: 'CFG_ERR_DUPLICATE',
  /** An http frontend using a tcp backend. */
  modeMismatch: 'CFG_ERR_MODE_MISMATCH',
  /** A file that cannot be read (configuration, errorfile, certificate). */
  file: 'CFG_ERR_FILE',
  /** A keyword HAProxy removed whose replacement is not a rename (`reqadd`, `block`…). */
  removed: 'CFG_ERR_REMOVED_KEYWORD',
  /** A `.alert` directive in the configuration. */
  userDirective: 'CFG_ERR_ALERT_DIRECTIVE',
  /** The parser built a model its own schema rejects: a bug in the parser, reported rather than thrown. */
  internal: 'CFG_ERR_INTERNAL',
  /** A legacy form accepted for compatibility, with the modern form to write. */
  legacy: 'CFG_WARN_LEGACY',
  /** A setting that has no effect where it is written (HAProxy's "ignored" warnings). */
  ignored: 'CFG_WARN_IGNORED',
  /** Other remarks: unset environment variables, `.warning`, nbthread > 1. */
  notice: 'CFG_WARN_NOTICE',
} as const;
