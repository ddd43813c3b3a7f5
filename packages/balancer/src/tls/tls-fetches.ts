/**
 * HAProxy's TLS sample fetches over a connection's ClientTls (tls-info.ts), as one table the rule and
 * log engines can register: name → result type and value. `null` is HAProxy's "no sample" (the fetch
 * fails: an ACL on it does not match, a log field prints `-`). On a clear-text connection every fetch
 * but `ssl_fc` / `ssl_c_used` (false) has no sample.
 */
import type { ClientTls } from './tls-info.ts';

export type TlsSample = boolean | number | string | null;

export interface TlsFetch {
  readonly out: 'bool' | 'int' | 'str';
  value(tls: ClientTls | null): TlsSample;
}

const str = (get: (t: ClientTls) => string | null): TlsFetch => ({
  out: 'str',
  value: (t) => (t === null ? null : get(t)),
});

export const TLS_FETCHES: ReadonlyMap<string, TlsFetch> = new Map<string, TlsFetch>([
  ['ssl_fc', { out: 'bool', value: (t) => t !== null }],
  ['ssl_fc_sni', str((t) => t.sni)],
  ['ssl_fc_protocol', str((t) => t.protocol)],
  ['ssl_fc_cipher', str((t) => t.cipher)],
  ['ssl_fc_alpn', str((t) => t.alpn)],
  ['ssl_fc_is_resumed', { out: 'bool', value: (t) => (t === null ? null : t.resumed) }],
  ['ssl_c_used', { out: 'bool', value: (t) => t?.certUsed === true }],
  ['ssl_c_verify', { out: 'int', value: (t) => (t === null ? null : t.verify) }],
  ['ssl_c_s_dn', str((t) => t.subjectDn)],
]);
