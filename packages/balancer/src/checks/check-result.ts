/**
 * The outcome of one check, with HAProxy's status names and descriptions (check.c check_statuses),
 * and the `reason: …` text the UP/DOWN and log-health-checks lines carry (check_append_info).
 */

export type CheckStatus =
  | 'L4OK'
  | 'L4TOUT'
  | 'L4CON'
  | 'L6OK'
  | 'L6TOUT'
  | 'L6RSP'
  | 'L7TOUT'
  | 'L7RSP'
  | 'L7OK'
  | 'L7OKC'
  | 'L7STS'
  | 'SOCKERR'
  | 'HANA';

const DESCRIPTIONS: Record<CheckStatus, string> = {
  L4OK: 'Layer4 check passed',
  L4TOUT: 'Layer4 timeout',
  L4CON: 'Layer4 connection problem',
  L6OK: 'Layer6 check passed',
  L6TOUT: 'Layer6 timeout',
  L6RSP: 'Layer6 invalid response',
  L7TOUT: 'Layer7 timeout',
  L7RSP: 'Layer7 invalid response',
  L7OK: 'Layer7 check passed',
  L7OKC: 'Layer7 check conditionally passed',
  L7STS: 'Layer7 wrong status',
  SOCKERR: 'Socket error',
  HANA: 'Health analyze',
};

/** Statuses past HAProxy's L57DATA mark carry a code (`code: 200`). */
const WITH_CODE = new Set<CheckStatus>(['L7OK', 'L7OKC', 'L7STS']);
const PASSED = new Set<CheckStatus>(['L4OK', 'L6OK', 'L7OK', 'L7OKC']);

export interface CheckResult {
  status: CheckStatus;
  /** the HTTP status (L7OK/L7STS), 0 for a passed tcp-check */
  code: number;
  /** `info: "…"` (empty: none) */
  info: string;
  /** ms; -1 for results that are no check (observed errors) */
  durationMs: number;
}

export function passed(r: CheckResult): boolean {
  return PASSED.has(r.status);
}

export function describeStatus(s: CheckStatus): string {
  return DESCRIPTIONS[s];
}

/** chunk_asciiencode(…, '"'): non-printable bytes and the quote as \xNN. */
function asciiEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += c < 0x20 || c >= 0x7f || ch === '"' ? `\\x${c.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

/** `reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 1ms` */
export function reasonText(r: CheckResult): string {
  let s = `reason: ${DESCRIPTIONS[r.status]}`;
  if (WITH_CODE.has(r.status)) s += `, code: ${r.code}`;
  if (r.info !== '') s += `, info: "${asciiEncode(r.info)}"`;
  if (r.durationMs >= 0) s += `, check duration: ${r.durationMs}ms`;
  return s;
}
