/**
 * TLS termination on a `bind … ssl` listener, with Node's `tls` (OpenSSL): an accepted socket is
 * wrapped in a server TLSSocket and the session (HTTP or TCP) starts on it once the handshake is done,
 * so sessions read and write clear text exactly as on a plain socket. Plain binds never come here.
 *
 * What Node applies where: ciphers, versions, curves, tickets, the client-certificate request and its
 * CA/CRL belong to the listener's base context; a certificate chosen by SNI (cert-select.ts) only
 * brings its certificate, key and chain (Node's SNI switch copies nothing else). With `strict-sni`
 * the base context has no certificate, so a handshake that selects none fails with OpenSSL's
 * handshake_failure alert, as HAProxy's refusal.
 */
import { constants } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type tls from 'node:tls';
import { LB_ERR, LbError } from '../errors.ts';
import { CertIndex } from './cert-select.ts';
import { captureClientTls, peerVerifyCode } from './tls-info.ts';
import type { BindTlsSpec, CertEntry } from './tls-spec.ts';

// node:tls at its first use (process.getBuiltinModule): a configuration without TLS never loads it — with
// node:http2, about 20 ms of CPU in every start-up (bench/startup.ts).
export const lazyTls = () => process.getBuiltinModule('node:tls');

/** OpenSSL's built-in TLS 1.3 suites: what HAProxy uses when only `ciphers` is set. */
const DEFAULT_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

interface Selected extends CertEntry {
  context: tls.SecureContext;
}

/**
 * Node's one `ciphers` string holds both lists: TLS 1.3 suites (TLS_…) and the OpenSSL list. Unset, both
 * are OpenSSL's defaults, as in HAProxy (Node's own default list orders TLS 1.2 ciphers differently:
 * recorded, haproxy negotiates ECDHE-RSA-AES256-GCM-SHA384 where Node's list picks AES128).
 */
export function cipherString(ciphers: string | null, suites: string | null): string {
  return `${suites ?? DEFAULT_SUITES}:${ciphers ?? 'DEFAULT'}`;
}

interface Loaded {
  index: CertIndex<Selected>;
  base: tls.SecureContext;
  options: tls.TLSSocketOptions;
}

/** A bounded session-ID cache (TLS ≤ 1.2 resumption, what HAProxy's tune.ssl.cachesize is for). */
class SessionCache extends EventEmitter {
  private readonly map = new Map<string, Buffer>();
  constructor(limit: number) {
    super();
    this.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
      if (this.map.size >= limit) this.map.delete(this.map.keys().next().value as string);
      this.map.set(id.toString('latin1'), data);
      cb();
    });
    this.on('resumeSession', (id: Buffer, cb: (err: null, data: Buffer | null) => void) =>
      cb(null, this.map.get(id.toString('latin1')) ?? null),
    );
    // TLSSocket reports to its "server"; the engine starts the session itself on 'secure'
    this.on('secureConnection', () => {});
  }
}

export class BindTls {
  private readonly loaded: Loaded;
  private readonly cache = new SessionCache(20000);
  /** sockets still in their handshake (closed on stop) */
  readonly pending = new Set<tls.TLSSocket>();

  constructor(spec: BindTlsSpec, where: string) {
    this.loaded = build(spec, where);
  }

  /**
   * Wraps `start` (which begins an HTTP or TCP session on a socket): the handshake runs first, under
   * `handshakeMs` (HAProxy's `timeout client`), and the gate's slot is given back if it fails.
   */
  accept<G extends { release(): void }>(
    start: (s: net.Socket, gate: G) => void,
    handshakeMs: number | null,
  ): (s: net.Socket, gate: G) => void {
    return (raw, gate) => {
      const l = this.loaded;
      const sock = new (lazyTls().TLSSocket)(raw, {
        ...l.options,
        server: this.cache as unknown as net.Server,
      });
      this.pending.add(sock);
      let done = false;
      const fail = () => {
        if (done) return;
        done = true;
        this.pending.delete(sock);
        sock.destroy();
        gate.release();
      };
      if (handshakeMs) sock.setTimeout(handshakeMs, fail);
      sock.once('error', fail);
      sock.once('close', fail);
      sock.once('secure', () => {
        if (done) return;
        const servername =
          typeof (sock as { servername?: unknown }).servername === 'string'
            ? (sock as { servername: string }).servername || null
            : null;
        const info = captureClientTls(sock, servername);
        // verify optional/required: a certificate that was sent must verify (HAProxy aborts the handshake)
        if (info.certUsed && l.options.requestCert && peerVerifyCode(sock) !== undefined) return fail();
        done = true;
        this.pending.delete(sock);
        sock.setTimeout(0);
        sock.removeListener('error', fail);
        sock.removeListener('close', fail);
        // the handshake is over: what tls.Server's own secure handler records (node:http2 waits for a
        // 'secureConnect' that a server-side socket never emits while this says the handshake runs)
        (sock as unknown as { secureConnecting: boolean }).secureConnecting = false;
        sock.pause();
        start(sock, gate);
      });
    };
  }

  closePending(): void {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
  }

  /** Which certificate a name gets (for tests and `show ssl`): its file, or null when refused. */
  certificateFor(servername: string | null): string | null {
    return this.loaded.index.select(servername)?.file ?? null;
  }
}

function build(spec: BindTlsSpec, where: string): Loaded {
  const ciphers = cipherString(spec.ciphers, spec.ciphersuites);
  let secureOptions = 0;
  if (spec.noTickets) secureOptions |= constants.SSL_OP_NO_TICKET;
  const contextOf = (what: string, o: tls.SecureContextOptions) => {
    try {
      return lazyTls().createSecureContext(o);
    } catch (err) {
      throw new LbError(LB_ERR.TLS, `${where} : ${what}: ${(err as Error).message}.`, { cause: err });
    }
  };
  const entries: Selected[] = spec.certs.map((c) => ({
    ...c,
    // the CA/CRL too: with a certificate chosen by SNI, OpenSSL verifies client certificates
    // against the chosen context's store
    context: contextOf(`unable to load certificate '${c.file}'`, {
      cert: c.cert,
      key: c.key,
      ...(spec.ca !== null ? { ca: spec.ca } : {}),
      ...(spec.crl !== null ? { crl: spec.crl } : {}),
    }),
  }));
  const index = new CertIndex(entries, spec.strictSni);
  const first = entries[0];
  const base = contextOf('invalid SSL settings', {
    ...(spec.strictSni ? {} : { cert: first.cert, key: first.key }),
    ciphers,
    ...(spec.curves !== null ? { ecdhCurve: spec.curves } : {}),
    ...(spec.ca !== null ? { ca: spec.ca } : {}),
    ...(spec.crl !== null ? { crl: spec.crl } : {}),
    minVersion: spec.minVersion,
    maxVersion: spec.maxVersion,
    honorCipherOrder: !spec.preferClientCiphers,
    secureOptions,
    sessionIdContext: 'balancer',
  });
  const perCertAlpn = entries.some((e) => e.alpn !== null);
  const options: tls.TLSSocketOptions = {
    isServer: true,
    secureContext: base,
    requestCert: spec.verify !== 'none',
    rejectUnauthorized: spec.verify === 'required',
    SNICallback: (name, cb) => {
      const e = index.select(name);
      // no certificate for this name under strict-sni: the certificate-less base context fails it
      cb(null, e === null ? base : e.context);
    },
  };
  if (perCertAlpn)
    (options as { ALPNCallback?: unknown }).ALPNCallback = ({
      servername,
      protocols,
    }: {
      servername: string;
      protocols: string[];
    }) => {
      const list = index.select(servername)?.alpn ?? spec.alpn;
      return list === null ? undefined : list.find((p) => protocols.includes(p));
    };
  else if (spec.alpn !== null) options.ALPNProtocols = spec.alpn;
  return { index, base, options };
}
