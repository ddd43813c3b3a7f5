/**
 * `option tcp-check` rules, pure: matching what arrived against an expect rule, and HAProxy 2.6's
 * info texts (tcpcheck.c tcpcheck_expect_onerror_message, check.c chk_report_conn_err), recorded in
 * test/checks-expected.json: `TCPCHK did not match content '+PONG' at step 3`, `TCPCHK got an empty
 * response at step 3`, ` at step 3 of tcp-check (expect string '+PONG')` on a timeout,
 * `Connection refused at initial connection step of tcp-check`, and `(tcp-check)` on success.
 * Steps count from 1 over the written rules; an implicit first connect is step 0 ("initial").
 */
import type { TcpCheckRule } from './check-spec.ts';

type Expect = Extract<TcpCheckRule, { kind: 'expect' }>;

/** true: matched, false: did not (conclusive only once no more data can come). */
export function expectMatches(rule: Expect, data: Buffer): boolean {
  if (rule.match === 'string') return data.includes(rule.bytes);
  if (rule.match === 'binary') return data.includes(rule.bytes);
  return rule.regex!.test(data.toString('latin1'));
}

/** The outcome of an expect rule on the data so far: 'pass', 'wait' for more, or a failure info. */
export function judgeExpect(rule: Expect, data: Buffer, ended: boolean): 'pass' | 'wait' | { info: string } {
  if (data.length === 0) {
    if (!ended) return 'wait';
    return { info: `TCPCHK got an empty response at step ${rule.step}` };
  }
  const hit = expectMatches(rule, data);
  if (hit && !rule.negate) return 'pass';
  if (!hit && rule.negate) return ended ? 'pass' : 'wait';
  // a mismatch is conclusive only once the server has closed: more bytes may still make it match
  if (!hit && !ended) return 'wait';
  return { info: mismatchText(rule, hit) };
}

function mismatchText(rule: Expect, matched: boolean): string {
  const head = matched ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content';
  if (rule.match === 'string') return `${head} '${rule.pattern}' at step ${rule.step}`;
  if (rule.match === 'binary') return `${head} (binary) at step ${rule.step}`;
  return `${head} (regex) at step ${rule.step}`;
}

/** Where a connection error or timeout happened, appended to the errno text (chk_report_conn_err). */
export function stepText(rule: TcpCheckRule | null): string {
  if (rule === null || (rule.kind === 'connect' && rule.step === 0))
    return ' at initial connection step of tcp-check';
  let what: string;
  if (rule.kind === 'connect') what = rule.port !== null ? `(connect port ${rule.port})` : '(connect)';
  else if (rule.kind === 'send') what = '(send)';
  else if (rule.match === 'string') what = `(expect string '${rule.pattern}')`;
  else if (rule.match === 'binary') what = `(expect binary '${rule.pattern}')`;
  else what = '(expect regex)';
  return ` at step ${rule.step} of tcp-check ${what}`;
}

export const TCP_CHECK_PASSED_INFO = '(tcp-check)';
