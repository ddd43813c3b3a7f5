/**
 * What the engine needs to speak TLS on a bind or to a server, resolved once from haproxy.cfg
 * (tls/from-model.ts): certificate files already read, options already combined with the global
 * `ssl-default-*` lines. Pure data: the secure contexts are built from it by tls/bind-tls.ts and
 * tls/server-tls.ts, so a reload builds new ones from a new spec.
 */
import type { SecureVersion } from 'node:tls';

export type { SecureVersion };

/** One certificate of a bind (a `crt` file, a file of a `crt` directory, or a `crt-list` line). */
export interface CertEntry {
  /** the file as written (messages) and as opened */
  file: string;
  /** where the certificate was named: the bind line, or the crt-list line (`list:line`) */
  where: string;
  /** PEM: the certificate, then its chain */
  cert: Buffer;
  key: Buffer;
  /**
   * The names it answers for SNI, lower-case: its SAN DNS names and CN(s), or the crt-list line's
   * filters when it has some. `*.example.com` matches one label (HAProxy's wildcard).
   */
  names: string[];
  /** `!name` filters of a crt-list line: names it must not answer even if a wildcard covers them */
  negative: string[];
  /** crt-list `[alpn …]`: the ALPN list for handshakes that selected this certificate */
  alpn: string[] | null;
}

export type VerifyMode = 'none' | 'optional' | 'required';

export interface BindTlsSpec {
  /** in load order; the first is the default certificate */
  certs: CertEntry[];
  alpn: string[] | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** OpenSSL cipher list (TLS ≤ 1.2) */
  ciphers: string | null;
  /** TLS 1.3 cipher suites */
  ciphersuites: string | null;
  curves: string | null;
  noTickets: boolean;
  /** `prefer-client-ciphers`: HAProxy otherwise uses the server's preference order */
  preferClientCiphers: boolean;
  strictSni: boolean;
  verify: VerifyMode;
  ca: Buffer | null;
  crl: Buffer | null;
}

export interface ServerTlsSpec {
  /** `verify required` (HAProxy's default unless `ssl-server-verify none`) */
  verify: 'none' | 'required';
  ca: Buffer | null;
  crl: Buffer | null;
  /** `verifyhost NAME`: the name the server's certificate must carry (else the SNI, else none) */
  verifyHost: string | null;
  /** `sni` when it is a constant string; null = no SNI */
  sni: string | null;
  alpn: string[] | null;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  ciphers: string | null;
  ciphersuites: string | null;
  /** `crt`: the client certificate presented to the server */
  cert: Buffer | null;
  key: Buffer | null;
  /** `ssl-reuse` (default on): resume the last session with this server */
  reuse: boolean;
  /** `no-tls-tickets` on the server line */
  noTickets: boolean;
}
