/**
 * What the rule and log engines read of a client connection's TLS (HAProxy's `ssl_fc*` and `ssl_c_*`
 * fetches), captured once when the handshake completes, as plain fields. A clear-text connection has
 * none (`clientTlsOf` gives null: `ssl_fc` is false, the others are empty).
 */
import type tls from 'node:tls';

export interface ClientTls {
  /** `ssl_fc_sni`: the SNI name the client sent (null: none) */
  readonly sni: string | null;
  /** `ssl_fc_protocol`: `TLSv1.2`, `TLSv1.3` */
  readonly protocol: string;
  /** `ssl_fc_cipher`: OpenSSL's name (`TLS_AES_256_GCM_SHA384`, `ECDHE-RSA-AES128-GCM-SHA256`) */
  readonly cipher: string;
  /** `ssl_fc_alpn`: the negotiated protocol (null: none) */
  readonly alpn: string | null;
  /** `ssl_c_used`: the client presented a certificate */
  readonly certUsed: boolean;
  /** `ssl_c_verify`: OpenSSL's X509_V_ERR_* code of that certificate's verification (0 = ok / none) */
  readonly verify: number;
  /** `ssl_c_s_dn`: its subject, OpenSSL's one-line form (`/C=FR/O=Example/CN=client1`) */
  readonly subjectDn: string | null;
  /** `ssl_fc_is_resumed` */
  readonly resumed: boolean;
}

const INFO = Symbol('client-tls');

/** OpenSSL's X509_V_ERR_* numbers for Node's verify error codes (x509_vfy.h). */
const X509_V_ERR: Record<string, number> = {
  UNABLE_TO_GET_ISSUER_CERT: 2,
  UNABLE_TO_GET_CRL: 3,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 4,
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6,
  CERT_SIGNATURE_FAILURE: 7,
  CRL_SIGNATURE_FAILURE: 8,
  CERT_NOT_YET_VALID: 9,
  CERT_HAS_EXPIRED: 10,
  CRL_NOT_YET_VALID: 11,
  CRL_HAS_EXPIRED: 12,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18,
  SELF_SIGNED_CERT_IN_CHAIN: 19,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21,
  CERT_CHAIN_TOO_LONG: 22,
  CERT_REVOKED: 23,
  INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25,
  INVALID_PURPOSE: 26,
  CERT_UNTRUSTED: 27,
  CERT_REJECTED: 28,
};

/** The X509_V_ERR number of a Node verify error code (unknown codes: 1, X509_V_ERR_UNSPECIFIED). */
export function x509ErrorNumber(code: string | undefined): number {
  if (code === undefined) return 0;
  return X509_V_ERR[code] ?? 1;
}

/** `C=FR\nO=Example\nCN=client1` (Node) → `/C=FR/O=Example/CN=client1` (X509_NAME_oneline, HAProxy). */
export function onelineDn(subject: string): string {
  return `/${subject.split('\n').join('/')}`;
}

interface VerifyHandle {
  verifyError(): (Error & { code?: string }) | undefined;
}

/**
 * The verification result of the client's certificate. Node computes it but only a `tls.Server`
 * copies it to `authorized`; a TLSSocket built over an accepted socket reads it from its handle.
 */
export function peerVerifyCode(sock: tls.TLSSocket): string | undefined {
  const handle = (sock as unknown as { _handle: VerifyHandle | null })._handle;
  return handle?.verifyError()?.code ?? undefined;
}

export function captureClientTls(sock: tls.TLSSocket, servername: string | null): ClientTls {
  const peer = sock.getPeerX509Certificate();
  const cipher = sock.getCipher();
  const info: ClientTls = {
    sni: servername,
    protocol: sock.getProtocol() ?? '',
    cipher: cipher?.name ?? '',
    alpn: typeof sock.alpnProtocol === 'string' ? sock.alpnProtocol : null,
    certUsed: peer !== undefined,
    verify: peer !== undefined ? x509ErrorNumber(peerVerifyCode(sock)) : 0,
    subjectDn: peer !== undefined ? onelineDn(peer.subject) : null,
    resumed: sock.isSessionReused(),
  };
  (sock as unknown as Record<symbol, ClientTls>)[INFO] = info;
  return info;
}

/** The TLS facts of a client socket, or of a stream over one (shareClientTls); null for clear text. */
export function clientTlsOf(sock: object): ClientTls | null {
  return (sock as Record<symbol, ClientTls | undefined>)[INFO] ?? null;
}

/** A stream of a multiplexed connection (HTTP/2) has the TLS facts of the connection it rides on. */
export function shareClientTls(from: object, to: object): void {
  const info = clientTlsOf(from);
  if (info !== null) (to as Record<symbol, ClientTls>)[INFO] = info;
}
